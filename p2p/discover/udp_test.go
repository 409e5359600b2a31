package discover

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/ledgernet/ledgernet/p2p/discover/internal/memnet"
	"github.com/ledgernet/ledgernet/p2p/discover/v4wire"
	"github.com/ledgernet/ledgernet/p2p/enode"
)

// TestPingPong checks devp2p's Ping/Basic: one pong whose To is the UDP
// source and whose token is the ping's hash, and one ping back.
func TestPingPong(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mn := memnet.New()
		d := startMem(t, mn, "10.0.0.1", Config{})
		defer d.Close()
		p := newRawPeer(t, mn, "10.0.0.2")
		h := p.send(d, &v4wire.Ping{
			Version: 4, From: v4wire.Endpoint{IP: p.endpoint().IP, UDP: 1, TCP: 2}, // wrong From port
			To: v4wire.NewEndpoint(mustUDP(d), 0), Expiration: future(),
		})
		var pongs, pings int
		for range 2 {
			r := p.expect()
			if r.from != d.Self().ID() {
				t.Fatal("reply from wrong ID")
			}
			switch pkt := r.p.(type) {
			case *v4wire.Pong:
				pongs++
				if string(pkt.ReplyTok) != string(h[:]) {
					t.Error("wrong reply token")
				}
				if pkt.To.IP != p.endpoint().IP || pkt.To.UDP != p.endpoint().UDP || pkt.To.TCP != 2 {
					t.Errorf("pong.To = %+v, want UDP source %v (tcp 2)", pkt.To, p.conn.AddrPort())
				}
				if pkt.ENRSeq != d.Self().Seq() {
					t.Errorf("pong enr-seq %d, want %d", pkt.ENRSeq, d.Self().Seq())
				}
				if v4wire.Expired(pkt.Expiration, time.Now()) {
					t.Error("pong expired")
				}
			case *v4wire.Ping:
				pings++
				if pkt.To.UDP != p.endpoint().UDP {
					t.Errorf("ping back to %+v", pkt.To)
				}
			}
		}
		if pongs != 1 || pings != 1 {
			t.Fatalf("%d pongs, %d pings", pongs, pings)
		}
		if extra := p.drain(); len(extra) > 0 {
			t.Fatalf("extra packets: %v", extra)
		}
	})
}

// TestEndpointProof checks that findnode and ENRRequest are answered only
// after the endpoint proof, and only at the proven IP.
func TestEndpointProof(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mn := memnet.New()
		d := startMem(t, mn, "10.0.0.1", Config{})
		defer d.Close()
		p := newRawPeer(t, mn, "10.0.0.2")

		p.send(d, &v4wire.Findnode{Expiration: future()})
		p.send(d, &v4wire.ENRRequest{Expiration: future()})
		synctest.Wait()
		if got := p.drain(); len(got) != 0 {
			t.Fatalf("unbonded requests answered: %v", got)
		}
		if d.Stats().UnknownNode != 2 {
			t.Fatalf("stats %+v", d.Stats())
		}

		p.bond(d)
		p.send(d, &v4wire.Findnode{Expiration: future()})
		if r := p.expect(); r.p.Kind() != v4wire.NeighborsPacket {
			t.Fatalf("got %s, want neighbors", r.p.Name())
		}
		h := p.send(d, &v4wire.ENRRequest{Expiration: future()})
		r := p.expect()
		resp, ok := r.p.(*v4wire.ENRResponse)
		if !ok || resp.ReplyTok != h {
			t.Fatalf("got %v, want ENRResponse to %x", r.p, h)
		}
		rn, err := enode.New(resp.Record)
		if err != nil || rn.ID() != d.Self().ID() || rn.Seq() != d.Self().Seq() {
			t.Fatalf("record %v (err %v)", rn, err)
		}

		// Same key, other IP: no proof there (devp2p Amplification/WrongIP).
		q := p.withKey(mn, "10.0.0.3")
		q.send(d, &v4wire.Findnode{Expiration: future()})
		synctest.Wait()
		if got := q.drain(); len(got) != 0 {
			t.Fatalf("findnode from another IP answered: %v", got)
		}
	})
}
