package discover

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/ledgernet/ledgernet/p2p/discover/internal/memnet"
	"github.com/ledgernet/ledgernet/p2p/discover/v4wire"
	"github.com/ledgernet/ledgernet/rlp"
	"golang.org/x/crypto/sha3"
)

// TestHostilePackets sends packets a correct node must drop, each from a
// fresh peer, and checks that nothing at all comes back and that the drop
// is counted under the expected reason. In a synctest bubble "nothing comes
// back" is exact: once every goroutine is idle, no reply is on its way.
func TestHostilePackets(t *testing.T) {
	pingOf := func(p *rawPeer, d *UDPv4) *v4wire.Ping {
		return &v4wire.Ping{Version: 4, From: p.endpoint(), To: v4wire.NewEndpoint(mustUDP(d), 0), Expiration: future()}
	}
	rehash := func(b []byte) []byte {
		h := sha3.NewLegacyKeccak256()
		h.Write(b[32:])
		copy(b, h.Sum(nil))
		return b
	}
	past := func() uint64 { return uint64(time.Now().Add(-time.Second).Unix()) }
	tests := []struct {
		name string
		bond bool
		// act sends the hostile packet(s); packets it expects back in
		// preparation it reads itself.
		act  func(t *testing.T, p *rawPeer, d *UDPv4)
		want func(Stats) uint64
	}{
		{"bad hash", false, func(t *testing.T, p *rawPeer, d *UDPv4) {
			b, _ := p.encode(pingOf(p, d))
			b[0] ^= 0xff
			p.sendRaw(d, b)
		}, func(s Stats) uint64 { return s.BadPackets }},
		{"bad signature: zero r", false, func(t *testing.T, p *rawPeer, d *UDPv4) {
			b, _ := p.encode(pingOf(p, d))
			clear(b[32:64])
			p.sendRaw(d, rehash(b))
		}, func(s Stats) uint64 { return s.BadPackets }},
		{"bad signature: recovery id 7", false, func(t *testing.T, p *rawPeer, d *UDPv4) {
			b, _ := p.encode(pingOf(p, d))
			b[96] = 7
			p.sendRaw(d, rehash(b))
		}, func(s Stats) uint64 { return s.BadPackets }},
		{"truncated", false, func(t *testing.T, p *rawPeer, d *UDPv4) {
			b, _ := p.encode(pingOf(p, d))
			p.sendRaw(d, b[:len(b)-3])
		}, func(s Stats) uint64 { return s.BadPackets }},
		{"header only", false, func(t *testing.T, p *rawPeer, d *UDPv4) {
			b, _ := p.encode(pingOf(p, d))
			p.sendRaw(d, b[:97])
		}, func(s Stats) uint64 { return s.BadPackets }},
		{"oversized", false, func(t *testing.T, p *rawPeer, d *UDPv4) {
			b, _ := p.encode(pingOf(p, d))
			p.sendRaw(d, append(b, make([]byte, 1300)...))
		}, func(s Stats) uint64 { return s.Oversized }},
		{"wrong packet type", false, func(t *testing.T, p *rawPeer, d *UDPv4) {
			b, _, _ := v4wire.EncodeRaw(p.key, 66, pingOf(p, d).AppendRLP(nil))
			p.sendRaw(d, b)
		}, func(s Stats) uint64 { return s.BadPackets }},
		{"bad RLP", false, func(t *testing.T, p *rawPeer, d *UDPv4) {
			b, _, _ := v4wire.EncodeRaw(p.key, v4wire.PingPacket, rlp.AppendList(nil, func(b []byte) []byte { return rlp.AppendUint(b, 4) }))
			p.sendRaw(d, b)
		}, func(s Stats) uint64 { return s.BadPackets }},
		{"expired ping", false, func(t *testing.T, p *rawPeer, d *UDPv4) {
			ping := pingOf(p, d)
			ping.Expiration = past()
			p.send(d, ping)
		}, func(s Stats) uint64 { return s.Expired }},
		{"negative expiration ping", false, func(t *testing.T, p *rawPeer, d *UDPv4) {
			ping := pingOf(p, d)
			ping.Expiration = -future()
			p.send(d, ping)
		}, func(s Stats) uint64 { return s.Expired }},
		{"expired findnode", true, func(t *testing.T, p *rawPeer, d *UDPv4) {
			p.send(d, &v4wire.Findnode{Expiration: past()})
		}, func(s Stats) uint64 { return s.Expired }},
		{"findnode without proof", false, func(t *testing.T, p *rawPeer, d *UDPv4) {
			p.send(d, &v4wire.Findnode{Expiration: future()})
		}, func(s Stats) uint64 { return s.UnknownNode }},
		{"enrrequest without proof", false, func(t *testing.T, p *rawPeer, d *UDPv4) {
			p.send(d, &v4wire.ENRRequest{Expiration: future()})
		}, func(s Stats) uint64 { return s.UnknownNode }},
		{"replayed findnode", true, func(t *testing.T, p *rawPeer, d *UDPv4) {
			b, _ := p.encode(&v4wire.Findnode{Expiration: future()})
			p.sendRaw(d, b)
			if r := p.expect(); r.p.Kind() != v4wire.NeighborsPacket {
				t.Fatalf("first findnode: got %s", r.p.Name())
			}
			p.sendRaw(d, b)
		}, func(s Stats) uint64 { return s.Replayed }},
		{"replayed enrrequest", true, func(t *testing.T, p *rawPeer, d *UDPv4) {
			b, _ := p.encode(&v4wire.ENRRequest{Expiration: future()})
			p.sendRaw(d, b)
			if r := p.expect(); r.p.Kind() != v4wire.ENRResponsePacket {
				t.Fatalf("first enrrequest: got %s", r.p.Name())
			}
			p.sendRaw(d, b)
		}, func(s Stats) uint64 { return s.Replayed }},
		{"unsolicited pong", false, func(t *testing.T, p *rawPeer, d *UDPv4) {
			p.send(d, &v4wire.Pong{To: v4wire.NewEndpoint(mustUDP(d), 0), ReplyTok: make([]byte, 32), Expiration: future()})
		}, func(s Stats) uint64 { return s.Unsolicited }},
		{"unsolicited neighbors", true, func(t *testing.T, p *rawPeer, d *UDPv4) {
			fake := newKey(t)
			p.send(d, &v4wire.Neighbors{Expiration: future(), Nodes: []v4wire.Node{{
				IP: p.endpoint().IP, UDP: 30303, TCP: 30303, ID: v4wire.EncodePubkey(fake.PubKey()),
			}}})
			synctest.Wait()
			for _, n := range d.TableNodes() {
				if n.Pubkey().IsEqual(fake.PubKey()) {
					t.Fatal("node from unsolicited neighbors in table")
				}
			}
		}, func(s Stats) uint64 { return s.Unsolicited }},
		{"unsolicited enrresponse", true, func(t *testing.T, p *rawPeer, d *UDPv4) {
			p.send(d, &v4wire.ENRResponse{Record: d.Self().Record()})
		}, func(s Stats) uint64 { return s.Unsolicited }},
		{"pong with wrong token gives no proof", false, func(t *testing.T, p *rawPeer, d *UDPv4) {
			p.ping(d)
			for range 2 {
				if r := p.expect(); r.p.Kind() == v4wire.PingPacket {
					p.send(d, &v4wire.Pong{To: v4wire.NewEndpoint(mustUDP(d), 0), ReplyTok: make([]byte, 32), Expiration: future()})
				}
			}
			synctest.Wait()
			p.send(d, &v4wire.Findnode{Expiration: future()})
		}, func(s Stats) uint64 { return s.UnknownNode }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				mn := memnet.New()
				d := startMem(t, mn, "10.0.0.1", Config{})
				defer d.Close()
				d.WaitInit(t.Context())
				p := newRawPeer(t, mn, "10.0.0.2")
				if tc.bond {
					p.bond(d)
					synctest.Wait()
				}
				before := d.Stats()
				tc.act(t, p, d)
				time.Sleep(2 * time.Second)
				synctest.Wait()
				if got := p.drain(); len(got) != 0 {
					t.Fatalf("got a reply: %s", got[0].p.Name())
				}
				after := d.Stats()
				if tc.want(after) <= tc.want(before) {
					t.Fatalf("drop not counted: before %+v after %+v", before, after)
				}
			})
		})
	}
}

// TestReplayedPing checks that a ping sent again byte for byte gets its
// pong again, and nothing else.
func TestReplayedPing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mn := memnet.New()
		d := startMem(t, mn, "10.0.0.1", Config{})
		defer d.Close()
		p := newRawPeer(t, mn, "10.0.0.2")
		p.bond(d)
		b, h := p.encode(&v4wire.Ping{Version: 4, From: p.endpoint(), To: p.endpoint(), Expiration: future() + 1})
		for range 2 {
			p.sendRaw(d, b)
			synctest.Wait()
			got := p.drain()
			if len(got) != 1 || got[0].p.Kind() != v4wire.PongPacket || string(got[0].p.(*v4wire.Pong).ReplyTok) != string(h[:]) {
				t.Fatalf("got %v, want one pong", got)
			}
		}
		if s := d.Stats(); s.Replayed != 1 {
			t.Fatalf("replayed %d", s.Replayed)
		}
	})
}

// TestRateLimit floods a node from one non-loopback IP and checks that it
// answers no more than the request burst (time stands still in the bubble,
// so no tokens refill).
func TestRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mn := memnet.New()
		d := startMem(t, mn, "10.0.0.1", Config{RequestRate: 5, RequestBurst: 10})
		defer d.Close()
		p := newRawPeer(t, mn, "10.0.0.2")
		exp := future()
		for i := range 100 {
			p.send(d, &v4wire.Ping{Version: 4, From: p.endpoint(), To: p.endpoint(), Expiration: exp + uint64(i)})
			if i%50 == 0 {
				synctest.Wait() // keep within the receive queue
			}
		}
		synctest.Wait()
		pongs := 0
		for _, r := range p.drain() {
			if r.p.Kind() == v4wire.PongPacket {
				pongs++
			}
		}
		if pongs != 10 {
			t.Errorf("%d pongs to a flood, want the burst of 10", pongs)
		}
		if s := d.Stats(); s.RateLimited != 90 {
			t.Errorf("rate limited %d, want 90", s.RateLimited)
		}

		// Loopback is exempt.
		d2 := startMem(t, mn, "127.0.0.1", Config{RequestRate: 5, RequestBurst: 10})
		defer d2.Close()
		q := newRawPeer(t, mn, "127.0.0.2")
		for i := range 30 {
			q.send(d2, &v4wire.Ping{Version: 4, From: q.endpoint(), To: q.endpoint(), Expiration: exp + uint64(i)})
		}
		synctest.Wait()
		if s := d2.Stats(); s.RateLimited != 0 {
			t.Errorf("loopback rate limited: %+v", s)
		}
	})
}
