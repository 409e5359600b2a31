package discover

import (
	"crypto/rand"
	"net/netip"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ledgernet/ledgernet/p2p/discover/internal/memnet"
	"github.com/ledgernet/ledgernet/p2p/discover/v4wire"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/enr"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newKey(tb testing.TB) *secp256k1.PrivateKey {
	tb.Helper()
	k, err := enode.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// newLocalNode returns a LocalNode announcing addr for UDP and TCP.
func newLocalNode(key *secp256k1.PrivateKey, addr netip.AddrPort, network string) *enode.LocalNode {
	ln := enode.NewLocalNode(key, 0)
	ln.SetIP(addr.Addr())
	ln.Set(enr.UDP(addr.Port()))
	ln.Set(enr.TCP(addr.Port()))
	if network != "" {
		ln.Set(enr.Network(network))
	}
	return ln
}

// startMem starts a node on the memory network at ip (port chosen), whose
// record names cfg.Network or else "devnet".
func startMem(tb testing.TB, mn *memnet.Network, ip string, cfg Config) *UDPv4 {
	network := cfg.Network
	if network == "" {
		network = "devnet"
	}
	return startMemNet(tb, mn, ip, network, cfg)
}

// startMemNet is startMem with the record's network entry given apart
// ("" for none).
func startMemNet(tb testing.TB, mn *memnet.Network, ip, network string, cfg Config) *UDPv4 {
	tb.Helper()
	conn, err := mn.Listen(netip.AddrPortFrom(netip.MustParseAddr(ip), 0))
	if err != nil {
		tb.Fatal(err)
	}
	if cfg.PrivateKey == nil {
		cfg.PrivateKey = newKey(tb)
	}
	ln := newLocalNode(cfg.PrivateKey, conn.AddrPort(), network)
	d, err := Listen(conn, ln, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// rawPeer is a hand-driven discv4 endpoint: it sends exactly the packets a
// test asks for, and records what it receives.
type rawPeer struct {
	tb   testing.TB
	key  *secp256k1.PrivateKey
	conn *memnet.Conn
}

func newRawPeer(tb testing.TB, mn *memnet.Network, ip string) *rawPeer {
	tb.Helper()
	conn, err := mn.Listen(netip.AddrPortFrom(netip.MustParseAddr(ip), 0))
	if err != nil {
		tb.Fatal(err)
	}
	return &rawPeer{tb: tb, key: newKey(tb), conn: conn}
}

// withKey returns a peer at another address with the same key.
func (p *rawPeer) withKey(mn *memnet.Network, ip string) *rawPeer {
	q := newRawPeer(p.tb, mn, ip)
	q.key = p.key
	return q
}

func (p *rawPeer) endpoint() v4wire.Endpoint { return v4wire.NewEndpoint(p.conn.AddrPort(), 0) }

func (p *rawPeer) encode(pkt v4wire.Packet) ([]byte, v4wire.Hash) {
	b, h, err := v4wire.Encode(p.key, pkt)
	if err != nil {
		p.tb.Fatal(err)
	}
	return b, h
}

func (p *rawPeer) send(to *UDPv4, pkt v4wire.Packet) v4wire.Hash {
	b, h := p.encode(pkt)
	p.sendRaw(to, b)
	return h
}

func (p *rawPeer) sendRaw(to *UDPv4, b []byte) {
	addr, _ := to.Self().UDPEndpoint()
	p.conn.WriteToUDPAddrPort(b, addr)
}

type received struct {
	p    v4wire.Packet
	hash v4wire.Hash
	from enode.ID
}

// recv returns the next packet, waiting up to d (virtual time in synctest).
func (p *rawPeer) recv(d time.Duration) (received, bool) {
	p.tb.Helper()
	type res struct {
		r   received
		err error
	}
	ch := make(chan res, 1)
	go func() {
		buf := make([]byte, 2048)
		n, _, err := p.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			ch <- res{err: err}
			return
		}
		pkt, key, h, err := v4wire.Decode(buf[:n])
		ch <- res{received{pkt, h, key.ID()}, err}
	}()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case r := <-ch:
		if r.err != nil {
			p.tb.Fatalf("bad packet received: %v", r.err)
		}
		return r.r, true
	case <-timer.C:
		p.conn.Close() // ends the reader; the peer is done
		<-ch
		return received{}, false
	}
}

// expect returns the next packet, which must arrive within a second.
func (p *rawPeer) expect() received {
	p.tb.Helper()
	r, ok := p.recv(time.Second)
	if !ok {
		p.tb.Fatal("no packet received")
	}
	return r
}

// pending returns the packets already queued, without waiting.
func (p *rawPeer) drain() []received {
	p.tb.Helper()
	var out []received
	for p.conn.Pending() > 0 {
		r, _ := p.recv(time.Second)
		out = append(out, r)
	}
	return out
}

func (p *rawPeer) ping(to *UDPv4) v4wire.Hash {
	return p.send(to, &v4wire.Ping{
		Version: 4, From: p.endpoint(), To: v4wire.NewEndpoint(mustUDP(to), 0),
		Expiration: future(),
	})
}

// bond completes the endpoint proof with to: ping, answer its ping back.
func (p *rawPeer) bond(to *UDPv4) {
	p.tb.Helper()
	h := p.ping(to)
	var gotPong, gotPing bool
	for !gotPong || !gotPing {
		r := p.expect()
		switch pkt := r.p.(type) {
		case *v4wire.Pong:
			if string(pkt.ReplyTok) != string(h[:]) {
				p.tb.Fatal("pong with wrong reply token")
			}
			gotPong = true
		case *v4wire.Ping:
			p.send(to, &v4wire.Pong{To: v4wire.NewEndpoint(mustUDP(to), 0), ReplyTok: r.hash[:], Expiration: future()})
			gotPing = true
		default:
			p.tb.Fatalf("unexpected %s while bonding", r.p.Name())
		}
	}
}

func mustUDP(d *UDPv4) netip.AddrPort {
	a, _ := d.Self().UDPEndpoint()
	return a
}

func future() uint64 { return v4wire.Expiration(time.Now(), 20*time.Second) }
