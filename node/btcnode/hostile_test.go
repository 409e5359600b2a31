package btcnode

import (
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/netsync"
	"github.com/ledgernet/ledgernet/netsync/chaingen"
	"github.com/ledgernet/ledgernet/wire"
)

// rawPeer is a hand-driven connection to the node under test, from its own
// loopback address (127.0.0.x), so that bans of different cases do not
// collide with each other or with the honest peer on 127.0.0.1.
type rawPeer struct {
	t      *testing.T
	c      *net.TCPConn
	closed chan struct{}
}

func dialFrom(t *testing.T, local netip.Addr, target string) *rawPeer {
	t.Helper()
	d := net.Dialer{LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(local, 0)), Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", target)
	if err != nil {
		t.Fatal(err)
	}
	r := &rawPeer{t: t, c: c.(*net.TCPConn), closed: make(chan struct{})}
	go func() {
		buf := make([]byte, 64<<10)
		for {
			if _, err := r.c.Read(buf); err != nil {
				close(r.closed)
				return
			}
		}
	}()
	t.Cleanup(func() { r.c.Close(); <-r.closed })
	return r
}

func envelope(msg wire.Message) []byte {
	b, err := wire.AppendMessage(nil, msg, wire.ProtocolVersion, wire.RegTest, wire.WitnessEncoding)
	if err != nil {
		panic(err)
	}
	return b
}

func (r *rawPeer) write(b []byte) { r.c.Write(b) }

func (r *rawPeer) send(msg wire.Message) { r.write(envelope(msg)) }

// handshake sends version (claiming height) and verack.
func (r *rawPeer) handshake(height int32) {
	r.send(&wire.MsgVersion{
		ProtocolVersion: int32(wire.ProtocolVersion), Services: wire.SFNodeNetwork | wire.SFNodeWitness,
		Timestamp: time.Now().Unix(), Nonce: uint64(time.Now().UnixNano()), UserAgent: "/hostile:0.1/",
		StartHeight: height, Relay: true,
		AddrRecv: wire.NetAddress{IP: netip.IPv6Unspecified()}, AddrFrom: wire.NetAddress{IP: netip.IPv6Unspecified()},
	})
	r.send(&wire.MsgVerAck{})
}

// waitClosed reports whether the node hung up within d.
func (r *rawPeer) waitClosed(d time.Duration) bool {
	select {
	case <-r.closed:
		return true
	case <-time.After(d):
		return false
	}
}

// badPoWHeader returns a header on genesis whose hash misses the target.
func badPoWHeader() wire.BlockHeader {
	p := chain.RegTestParams()
	h := wire.BlockHeader{Version: 4, PrevBlock: p.GenesisHash, Timestamp: uint32(time.Now().Unix()), Bits: p.PowLimitBits}
	target, _, _ := chain.CompactToUint256(h.Bits)
	for {
		hash := h.BlockHash()
		if v := chain.HashToUint256(&hash); v.Cmp(target) > 0 {
			return h
		}
		h.Nonce++
	}
}

func randomInv(n int, seed byte) *wire.MsgInv {
	inv := &wire.MsgInv{InvList: make([]wire.InvVect, n)}
	for i := range inv.InvList {
		inv.InvList[i].Type = wire.InvTypeTx
		binary.LittleEndian.PutUint32(inv.InvList[i].Hash[:], uint32(i))
		inv.InvList[i].Hash[31] = seed
	}
	return inv
}

// Each hostile peer ends disconnected, while an honest manual peer from
// 127.0.0.1 syncs the victim at the same time and stays connected, and a
// new honest connection from the attacker's own address is served at once:
// misbehaviour from a local address disconnects, never bans or discourages
// (issue 11's policy; TestPolicyDiscourages covers remote addresses).
func TestHostilePeers(t *testing.T) {
	blocks := testChain(3000)
	honest := startNode(t, testConfig(t, "honest"), blocks)
	cfg := testConfig(t, "victim")
	cfg.Connect = []string{honest.addr()}
	cfg.Store = store.Config{} // fsync on: a slower sync overlaps the attacks
	cfg.Sync = netsync.Config{HeadersTimeout: 500 * time.Millisecond, Window: 128, MaxInFlightLocal: 4}
	cfg.Whitelist = []netip.Prefix{netip.MustParsePrefix("127.0.0.99/32")}
	v := startNode(t, cfg, nil)
	eventually(t, time.Minute, "honest peer connected", func() bool { return len(v.PeersInfo()) == 1 })
	honestSince := v.PeersInfo()[0].ConnectedAt

	otherChain := chaingen.New(chain.RegTestParams(), uint32(time.Now().Unix())-100, "other").Blocks(3)
	tests := []struct {
		name   string
		attack func(r *rawPeer)
	}{
		{"bad magic", func(r *rawPeer) {
			b := envelope(&wire.MsgPing{Nonce: 1})
			binary.LittleEndian.PutUint32(b, uint32(wire.MainNet))
			r.write(b)
		}},
		{"message before version", func(r *rawPeer) { r.send(&wire.MsgPing{Nonce: 1}) }},
		{"bad checksum", func(r *rawPeer) {
			r.handshake(0)
			b := envelope(&wire.MsgPing{Nonce: 1})
			b[20] ^= 0xff
			r.write(b)
		}},
		{"bad padding", func(r *rawPeer) {
			r.handshake(0)
			b := envelope(&wire.MsgPing{Nonce: 1})
			b[4+6] = 'x' // "ping\0\0x..."
			r.write(b)
		}},
		{"oversized length", func(r *rawPeer) {
			r.handshake(0)
			b := envelope(&wire.MsgPing{Nonce: 1})
			binary.LittleEndian.PutUint32(b[16:], 5_000_000)
			r.write(b[:24])
		}},
		{"truncated payload", func(r *rawPeer) {
			r.handshake(0)
			b := envelope(&wire.MsgPing{Nonce: 1})
			r.write(b[:len(b)-4])
			r.c.CloseWrite()
		}}, // 20 points: a crashing honest peer does this too
		{"headers that do not connect", func(r *rawPeer) {
			r.handshake(0)
			r.send(&wire.MsgHeaders{Headers: chaingen.Headers(otherChain[1:])})
		}},
		{"invalid proof of work", func(r *rawPeer) {
			r.handshake(0)
			r.send(&wire.MsgHeaders{Headers: []wire.BlockHeader{badPoWHeader()}})
		}},
		{"inv flood", func(r *rawPeer) {
			r.handshake(0)
			for i := range 7 {
				r.send(randomInv(wire.MaxInvPerMsg, byte(i)))
			}
		}},
		{"never answers", func(r *rawPeer) {
			r.handshake(1_000_000) // claims a chain it never sends
		}}, // 20 points for the headers timeout
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ip := netip.AddrFrom4([4]byte{127, 0, 0, byte(10 + i)})
			r := dialFrom(t, ip, v.addr())
			tt.attack(r)
			if !r.waitClosed(time.Minute) {
				t.Fatal("not disconnected")
			}
			// Once the node has let the attacker go, a new connection from
			// the same address is served at once: its handshake completes.
			eventually(t, time.Minute, "the attacker gone", func() bool { return len(v.PeersInfo()) == 1 })
			r2 := dialFrom(t, ip, v.addr())
			r2.handshake(0)
			eventually(t, time.Minute, "the next connection from "+ip.String()+" served", func() bool {
				return len(v.PeersInfo()) == 2
			})
			r2.c.Close()
			eventually(t, time.Minute, "its goodbye", func() bool { return len(v.PeersInfo()) == 1 })
			if v.Bans().Banned(ip) || v.Discouraged().Contains(ip) {
				t.Errorf("a local address was banned (%v) or discouraged (%v)", v.Bans().Banned(ip), v.Discouraged().Contains(ip))
			}
		})
	}

	// A whitelisted peer's misbehaviour is logged, not punished.
	t.Run("whitelisted", func(t *testing.T) {
		ip := netip.MustParseAddr("127.0.0.99")
		r := dialFrom(t, ip, v.addr())
		r.handshake(0)
		r.send(&wire.MsgHeaders{Headers: chaingen.Headers(otherChain[1:])})
		if r.waitClosed(time.Second) {
			t.Error("whitelisted peer disconnected")
		}
		if v.Bans().Banned(ip) {
			t.Error("whitelisted peer banned")
		}
	})

	waitTip(t, v, tipOf(blocks), 3*time.Minute)
	var found bool
	for _, pi := range v.PeersInfo() {
		if pi.Static {
			found = pi.ConnectedAt.Equal(honestSince)
		}
	}
	if !found {
		t.Error("the honest peer's connection did not survive the attacks")
	}

	if len(v.Bans().List()) != 0 {
		t.Errorf("bans %v: only the operator bans", v.Bans().List())
	}
	// The operator's bans survive a restart.
	if _, err := v.Bans().Ban(netip.MustParseAddr("192.0.2.7"), time.Hour, "operator"); err != nil {
		t.Fatal(err)
	}
	v.Stop()
	cfg.Connect = nil
	v2 := startNode(t, cfg, nil)
	if got := v2.Bans().List(); len(got) != 1 || got[0].Addr != netip.MustParseAddr("192.0.2.7") {
		t.Errorf("bans after restart: %v", got)
	}
}

// TestPolicyDiscourages: a remote peer (here 127.0.0.0/8 treated as remote)
// that misbehaves is disconnected and its address discouraged, not banned;
// it may still connect inbound, and no other connection is dropped.
func TestPolicyDiscourages(t *testing.T) {
	honest := startNode(t, testConfig(t, "honest"), testChain(10))
	cfg := testConfig(t, "victim")
	cfg.Connect = []string{honest.addr()}
	cfg.loopbackIsRemote = true
	v := startNode(t, cfg, nil)
	eventually(t, time.Minute, "honest peer connected", func() bool { return len(v.PeersInfo()) == 1 })
	ip := netip.MustParseAddr("127.0.0.20")
	bystander := dialFrom(t, ip, v.addr()) // an honest inbound peer from the same address
	bystander.handshake(0)
	eventually(t, time.Minute, "the bystander connected", func() bool { return len(v.PeersInfo()) == 2 })

	r := dialFrom(t, ip, v.addr())
	b := envelope(&wire.MsgPing{Nonce: 1})
	binary.LittleEndian.PutUint32(b, uint32(wire.MainNet))
	r.write(b)
	if !r.waitClosed(time.Minute) {
		t.Fatal("the hostile peer was not disconnected")
	}
	eventually(t, time.Minute, "discouraged", func() bool { return v.Discouraged().Contains(ip) })
	if v.Bans().Banned(ip) {
		t.Error("banned: bans are the operator's")
	}
	// Still welcome inbound while there is room; the others stay.
	again := dialFrom(t, ip, v.addr())
	again.handshake(0)
	eventually(t, time.Minute, "the discouraged address connected again", func() bool { return len(v.PeersInfo()) == 3 })
	if bystander.waitClosed(100 * time.Millisecond) {
		t.Error("the bystander from the same address was dropped")
	}
}
