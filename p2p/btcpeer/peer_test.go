package btcpeer

import (
	"context"
	"errors"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/wire"
)

func pipe() (net.Conn, net.Conn) { return net.Pipe() }

func tcpPipe(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ch := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		ch <- c
	}()
	a, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	b := <-ch
	if b == nil {
		a.Close()
		t.Fatal("accept failed")
	}
	return a, b
}

// checkPair checks what two peers learnt of each other in a handshake.
func checkPair(t *testing.T, out, in *Peer) {
	t.Helper()
	for _, p := range []*Peer{out, in} {
		select {
		case <-p.Ready():
		case <-p.Done():
			t.Fatalf("peer ended during the handshake: %v", p.Err())
		}
		info := p.Info()
		if !info.Handshake || info.Version != int32(wire.ProtocolVersion) || info.Negotiated != wire.ProtocolVersion {
			t.Errorf("versions: %+v", info)
		}
		if info.UserAgent != DefaultUserAgent || info.StartHeight != 7 || !info.Relay {
			t.Errorf("version fields: %+v", info)
		}
		if info.Services != wire.SFNodeNetwork|wire.SFNodeWitness {
			t.Errorf("services %v", info.Services)
		}
	}
	if out.Inbound() || !in.Inbound() {
		t.Errorf("directions: out %v, in %v", out.Inbound(), in.Inbound())
	}
}

// TestHandshake runs the handshake between two ledgernet peers, each side
// dialling, over net.Pipe (in a bubble) and loopback TCP.
func TestHandshake(t *testing.T) {
	for _, dialer := range []string{"a", "b"} {
		t.Run("pipe/"+dialer+"-dials", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				a, b := newNode(nil), newNode(nil)
				ca, cb := pipe()
				pa := a.start(t, ca, dialer == "b")
				pb := b.start(t, cb, dialer == "a")
				out, in := pa, pb
				if dialer == "b" {
					out, in = pb, pa
				}
				checkPair(t, out, in)
				synctest.Wait()
				for _, p := range []*Peer{pa, pb} {
					info := p.Info()
					if !info.SendHeaders || !info.AddrV2 || !info.WTxIDRelay {
						t.Errorf("flags: %+v", info)
					}
					if info.PingMs <= 0 {
						t.Errorf("no ping RTT: %+v", info)
					}
					for _, cmd := range []string{"version", "verack", "ping", "pong", "sendheaders", "wtxidrelay", "sendaddrv2"} {
						if s := info.PerCommand[cmd]; s.MsgsIn != 1 || s.MsgsOut != 1 {
							t.Errorf("%s stats %+v", cmd, s)
						}
					}
				}
			})
		})
		t.Run("tcp/"+dialer+"-dials", func(t *testing.T) {
			a, b := newNode(nil), newNode(nil)
			ca, cb := tcpPipe(t)
			pa := a.start(t, ca, dialer == "b")
			pb := b.start(t, cb, dialer == "a")
			if dialer == "a" {
				checkPair(t, pa, pb)
			} else {
				checkPair(t, pb, pa)
			}
			// Messages flow both ways after the handshake.
			inv := &wire.MsgInv{InvList: []wire.InvVect{{Type: wire.InvTypeBlock, Hash: wire.Hash{1}}}}
			pa.Send(inv)
			pb.Send(inv)
			for _, n := range []*node{a, b} {
				if m := <-n.received; m.Command() != wire.CmdInv {
					t.Errorf("got %s, want inv", m.Command())
				}
			}
		})
	}
}

// TestHandshakeOrders drives the remote side by hand: version and verack in
// every order the protocol allows, with Core's extra messages between.
func TestHandshakeOrders(t *testing.T) {
	v := version(70016, wire.SFNodeNetwork|wire.SFNodeWitness, 42)
	tests := []struct {
		name    string
		inbound bool // our peer's direction
		script  func(r *raw)
	}{
		{"remote answers our version", false, func(r *raw) {
			r.expect(wire.CmdVersion)
			r.send(v)
			r.expect(wire.CmdVerAck)
			r.send(&wire.MsgVerAck{})
		}},
		{"remote sends version before reading ours", false, func(r *raw) {
			r.send(v)
			r.expect(wire.CmdVersion)
			r.send(&wire.MsgVerAck{})
		}},
		{"remote verack before ours", false, func(r *raw) {
			r.expect(wire.CmdVersion)
			r.send(v, &wire.MsgVerAck{})
		}},
		{"inbound, remote sends version and verack at once", true, func(r *raw) {
			r.send(v, &wire.MsgVerAck{})
			r.expect(wire.CmdVersion)
			r.expect(wire.CmdVerAck)
		}},
		{"inbound, Core's extras before verack", true, func(r *raw) {
			r.send(v, &wire.MsgWTxIDRelay{}, &wire.MsgSendAddrV2{},
				&wire.MsgUnknown{Cmd: "sendtxrcncl", Payload: make([]byte, 12)},
				&wire.MsgUnknown{Cmd: "foo"},
				&wire.MsgSendHeaders{}, // ignored before verack, as Core does
				&wire.MsgVerAck{})
			r.expect(wire.CmdVerAck)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				n := newNode(nil)
				ca, cb := pipe()
				p := n.start(t, ca, tt.inbound)
				r := newRaw(t, cb, true, 0)
				tt.script(r)
				<-p.Ready()
				synctest.Wait()
				alive(t, p)
				info := p.Info()
				if info.Version != 70016 || info.UserAgent != "/Satoshi:29.0.0/" || info.StartHeight != 100 {
					t.Errorf("info %+v", info)
				}
				if tt.name == "inbound, Core's extras before verack" {
					if !info.WTxIDRelay || !info.AddrV2 || info.SendHeaders {
						t.Errorf("flags: %+v", info)
					}
					if o := info.PerCommand["*other*"]; o.MsgsIn != 2 {
						t.Errorf("unknown commands counted %+v, want 2", o)
					}
				}
			})
		})
	}
}

// TestHandshakeRefusals checks each reason a handshake fails.
func TestHandshakeRefusals(t *testing.T) {
	good := func(nonce uint64) *wire.MsgVersion { return version(70016, wire.SFNodeNetwork, nonce) }
	tests := []struct {
		name    string
		inbound bool
		script  func(r *raw)
		reason  p2p.DiscReason
		err     error
		score   int
	}{
		{"first message not version", true, func(r *raw) { r.send(&wire.MsgPing{Nonce: 1}) },
			p2p.DiscProtocolError, ErrNoVersion, ScoreProtocol},
		{"verack first", true, func(r *raw) { r.send(&wire.MsgVerAck{}) },
			p2p.DiscProtocolError, ErrNoVersion, ScoreProtocol},
		{"version too old", true, func(r *raw) { r.send(version(60002, wire.SFNodeNetwork, 1)) },
			p2p.DiscIncompatibleVersion, ErrObsoleteVersion, 0},
		{"outbound peer without NODE_NETWORK", false, func(r *raw) {
			r.expect(wire.CmdVersion)
			r.send(version(70016, wire.SFNodeNetworkLimited, 1))
		}, p2p.DiscUselessPeer, ErrMissingServices, 0},
		{"duplicate version", true, func(r *raw) {
			r.send(good(1), good(2))
		}, p2p.DiscProtocolError, ErrDuplicateVersion, ScoreProtocol},
		{"duplicate verack", true, func(r *raw) {
			r.send(good(1), &wire.MsgVerAck{}, &wire.MsgVerAck{})
		}, p2p.DiscProtocolError, ErrDuplicateVerAck, ScoreProtocol},
		{"sendaddrv2 after verack", true, func(r *raw) {
			r.send(good(1), &wire.MsgVerAck{})
			r.expect(wire.CmdVerAck)
			r.send(&wire.MsgSendAddrV2{})
		}, p2p.DiscProtocolError, ErrLateSendAddrV2, ScoreProtocol},
		{"silent remote", true, func(r *raw) {},
			p2p.DiscReadTimeout, ErrHandshakeTimeout, 0},
		{"remote never sends verack", false, func(r *raw) {
			r.expect(wire.CmdVersion)
			r.send(good(1))
		}, p2p.DiscReadTimeout, ErrHandshakeTimeout, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				n := newNode(nil)
				ca, cb := pipe()
				start := time.Now()
				p := n.start(t, ca, tt.inbound)
				r := newRaw(t, cb, false, 0)
				tt.script(r)
				checkEnded(t, p, tt.reason, tt.err)
				if got := n.score(); got != tt.score {
					t.Errorf("score %d, want %d", got, tt.score)
				}
				if errors.Is(tt.err, ErrHandshakeTimeout) {
					if d := time.Since(start); d != DefaultHandshakeTimeout {
						t.Errorf("timed out after %v, want %v", d, DefaultHandshakeTimeout)
					}
				}
			})
		})
	}
	t.Run("inbound peer without services is fine", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			n := newNode(nil)
			ca, cb := pipe()
			p := n.start(t, ca, true)
			r := newRaw(t, cb, true, 0)
			r.send(version(70016, 0, 1), &wire.MsgVerAck{})
			<-p.Ready()
			alive(t, p)
		})
	})
	t.Run("AnyServices accepts an outbound peer without services", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			n := newNode(func(c *Config) { c.AnyServices = true })
			ca, cb := pipe()
			p := n.start(t, ca, false)
			r := newRaw(t, cb, true, 0)
			r.expect(wire.CmdVersion)
			r.send(version(70016, 0, 1), &wire.MsgVerAck{})
			<-p.Ready()
			alive(t, p)
		})
	})
}

// TestSelfConnection connects a node to itself: both ends share its
// NonceSet, and the inbound end sees its own nonce.
func TestSelfConnection(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newNode(nil)
		ca, cb := pipe()
		out := n.start(t, ca, false)
		in := n.start(t, cb, true)
		checkEnded(t, in, p2p.DiscSelf, ErrSelfConnection)
		<-out.Done()
		if n.score() != 0 {
			t.Errorf("self-connection scored %d", n.score())
		}
	})
}

func TestPingRTT(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newNode(nil)
		ca, cb := pipe()
		p := n.start(t, ca, false)
		r := newRaw(t, cb, true, 150*time.Millisecond)
		r.handshake(true)
		time.Sleep(time.Second)
		synctest.Wait()
		if got := p.PingRTT(); got != 150*time.Millisecond {
			t.Errorf("RTT %v, want 150ms", got)
		}
		// One ping at once, then one every PingInterval.
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		alive(t, p)
		if got := p.Info().PerCommand[wire.CmdPing].MsgsOut; got != 3 {
			t.Errorf("%d pings in 5 minutes, want 3", got)
		}
		// A pong with the wrong nonce is ignored.
		r.send(&wire.MsgPong{Nonce: 12345})
		synctest.Wait()
		alive(t, p)
	})
}

func TestLivenessTimeouts(t *testing.T) {
	t.Run("idle", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			n := newNode(func(c *Config) { c.PongTimeout = time.Hour })
			ca, cb := pipe()
			p := n.start(t, ca, false)
			r := newRaw(t, cb, false, 0)
			r.handshake(true)
			<-p.Ready()
			start := time.Now()
			checkEnded(t, p, p2p.DiscReadTimeout, ErrIdleTimeout)
			if d := time.Since(start); d != DefaultIdleTimeout {
				t.Errorf("idle after %v, want %v", d, DefaultIdleTimeout)
			}
		})
	})
	t.Run("pong", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			n := newNode(nil)
			ca, cb := pipe()
			p := n.start(t, ca, false)
			r := newRaw(t, cb, false, 0)
			r.handshake(true)
			<-p.Ready()
			start := time.Now()
			// The remote keeps talking, so only the missing pong counts.
			stop := make(chan struct{})
			defer close(stop)
			go func() {
				for {
					select {
					case <-stop:
						return
					case <-time.After(time.Minute):
						r.send(&wire.MsgGetAddr{})
					}
				}
			}()
			checkEnded(t, p, p2p.DiscReadTimeout, ErrPingTimeout)
			if d := time.Since(start); d != DefaultPongTimeout {
				t.Errorf("pong timeout after %v, want %v", d, DefaultPongTimeout)
			}
		})
	})
}

// TestUnknownCommandIgnored: after the handshake an unknown command is
// skipped, counted, and the peer carries on.
func TestUnknownCommandIgnored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newNode(nil)
		ca, cb := pipe()
		p := n.start(t, ca, false)
		r := newRaw(t, cb, true, 0)
		r.handshake(true)
		r.send(&wire.MsgUnknown{Cmd: "foo", Payload: []byte("bar")}, &wire.MsgGetAddr{})
		if m := <-n.received; m.Command() != wire.CmdGetAddr {
			t.Fatalf("handler got %s", m.Command())
		}
		alive(t, p)
		if o := p.Info().PerCommand["*other*"]; o.MsgsIn != 1 || o.BytesIn != 27 {
			t.Errorf("other: %+v", o)
		}
	})
}

// TestSlowHandlerKeepsPings: a handler stuck on one message does not stop
// the peer from answering pings.
func TestSlowHandlerKeepsPings(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newNode(nil)
		n.handlerWait = make(chan struct{})
		ca, cb := pipe()
		p := n.start(t, ca, false)
		r := newRaw(t, cb, true, 0)
		r.handshake(true)
		r.send(&wire.MsgGetAddr{}, &wire.MsgPing{Nonce: 99})
		if pong := r.expect(wire.CmdPong).(*wire.MsgPong); pong.Nonce != 99 {
			t.Errorf("pong nonce %d", pong.Nonce)
		}
		close(n.handlerWait)
		<-n.received
		alive(t, p)
	})
}

func TestStall(t *testing.T) {
	getHeaders := &wire.MsgGetHeaders{ProtocolVersion: wire.ProtocolVersion, BlockLocatorHashes: []wire.Hash{{1}}}
	t.Run("expires", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			n := newNode(nil)
			ca, cb := pipe()
			p := n.start(t, ca, false)
			r := newRaw(t, cb, true, 0)
			r.handshake(true)
			<-p.Ready()
			if err := p.Send(getHeaders); err != nil {
				t.Fatal(err)
			}
			r.expect(wire.CmdGetHeaders)
			start := time.Now()
			checkEnded(t, p, p2p.DiscReadTimeout, ErrStalled)
			if d := time.Since(start); d != DefaultHeadersTimeout {
				t.Errorf("stalled after %v, want %v", d, DefaultHeadersTimeout)
			}
			if n.score() != ScoreStall {
				t.Errorf("score %d, want %d", n.score(), ScoreStall)
			}
		})
	})
	t.Run("answered", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			n := newNode(nil)
			ca, cb := pipe()
			p := n.start(t, ca, false)
			r := newRaw(t, cb, true, 0)
			r.handshake(true)
			<-p.Ready()
			p.Send(getHeaders)
			r.expect(wire.CmdGetHeaders)
			time.Sleep(80 * time.Second)
			r.send(&wire.MsgHeaders{})
			time.Sleep(time.Hour)
			alive(t, p)
		})
	})
	t.Run("getdata counts items", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			n := newNode(nil)
			ca, cb := pipe()
			p := n.start(t, ca, false)
			r := newRaw(t, cb, true, 0)
			r.handshake(true)
			<-p.Ready()
			p.Send(&wire.MsgGetData{InvList: []wire.InvVect{{Type: wire.InvTypeWitnessBlock, Hash: wire.Hash{1}}, {Type: wire.InvTypeTx, Hash: wire.Hash{2}}, {Type: wire.InvTypeTx, Hash: wire.Hash{3}}}})
			r.expect(wire.CmdGetData)
			time.Sleep(20 * time.Second)
			r.send(&wire.MsgNotFound{InvList: []wire.InvVect{{Type: wire.InvTypeTx, Hash: wire.Hash{2}}}})
			time.Sleep(20 * time.Second) // 40 s in, but progress renewed the deadline
			alive(t, p)
			start := time.Now()
			checkEnded(t, p, p2p.DiscReadTimeout, ErrStalled)
			if d := time.Since(start); d != DefaultStallTimeout-20*time.Second {
				t.Errorf("stalled %v after the last response, want %v", d+20*time.Second, DefaultStallTimeout)
			}
		})
	})
	t.Run("custom Request", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			n := newNode(nil)
			ca, cb := pipe()
			p := n.start(t, ca, false)
			r := newRaw(t, cb, true, 0)
			r.handshake(true)
			<-p.Ready()
			p.Request(&wire.MsgGetAddr{}, 10*time.Second, wire.CmdAddr, wire.CmdAddrV2)
			r.expect(wire.CmdGetAddr)
			start := time.Now()
			checkEnded(t, p, p2p.DiscReadTimeout, ErrStalled)
			if d := time.Since(start); d != 10*time.Second {
				t.Errorf("stalled after %v", d)
			}
		})
	})
	// While our handler is behind and the peer's response waits in the
	// socket, the deadline stands still (btcd's rule).
	t.Run("our slow handler does not count", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			n := newNode(func(c *Config) { c.InboxSize = 1 })
			n.handlerWait = make(chan struct{})
			ca, cb := pipe()
			p := n.start(t, ca, false)
			r := newRaw(t, cb, true, 0)
			r.handshake(true)
			<-p.Ready()
			p.Send(getHeaders)
			r.expect(wire.CmdGetHeaders)
			go r.send(&wire.MsgGetAddr{}, &wire.MsgGetAddr{}, &wire.MsgGetAddr{}, &wire.MsgHeaders{})
			time.Sleep(10 * time.Minute) // well past the 90 s deadline and the idle timeout
			alive(t, p)
			close(n.handlerWait)
			time.Sleep(10 * time.Minute)
			alive(t, p)
			for range 4 {
				<-n.received
			}
		})
	})
}

// TestHostilePeers plays a node with an honest peer and a hostile one; each
// hostile input ends the hostile peer with a typed reason and a score, and
// the honest peer keeps working.
func TestHostilePeers(t *testing.T) {
	inv := (&wire.MsgInv{InvList: []wire.InvVect{{Type: wire.InvTypeTx, Hash: wire.Hash{9}}}})
	invPayload, _ := inv.Encode(nil, wire.ProtocolVersion, wire.BaseEncoding)
	tests := []struct {
		name      string
		handshake bool
		bytes     []byte
		hangUp    bool
		reason    p2p.DiscReason
		errs      []error
		score     int
	}{
		{"bad magic", true, envelope(wire.MainNet, "inv", invPayload, nil), false,
			p2p.DiscProtocolError, []error{ErrMalformed, wire.ErrWrongNetwork}, ScoreMalformed},
		{"bad checksum", true, envelope(testNet, "inv", invPayload, func(h []byte) { h[21]++ }), false,
			p2p.DiscProtocolError, []error{ErrMalformed, wire.ErrBadChecksum}, ScoreMalformed},
		{"bad command padding", true, envelope(testNet, "inv", invPayload, func(h []byte) { h[4+10] = 'x' }), false,
			p2p.DiscProtocolError, []error{ErrMalformed, wire.ErrBadCommand}, ScoreMalformed},
		{"length over the protocol cap", true, envelope(testNet, "block", nil, func(h []byte) { h[19] = 0x7f }), false,
			p2p.DiscProtocolError, []error{ErrMalformed, p2p.ErrMsgTooLarge, wire.ErrMessageTooLong}, ScoreMalformed},
		{"length over the command's cap", true, envelope(testNet, "pong", make([]byte, 9), nil), false,
			p2p.DiscProtocolError, []error{ErrMalformed, p2p.ErrMsgTooLarge, wire.ErrPayloadTooLong}, ScoreMalformed},
		{"undecodable payload", true, envelope(testNet, "inv", invPayload[:10], nil), false,
			p2p.DiscProtocolError, []error{ErrMalformed, wire.ErrShortPayload}, ScoreMalformed},
		{"truncated payload", true, envelope(testNet, "inv", invPayload, nil)[:wire.MessageHeaderSize+5], true,
			p2p.DiscProtocolError, []error{ErrTruncated}, ScoreTruncated},
		{"message before version", false, envelope(testNet, "inv", invPayload, nil), false,
			p2p.DiscProtocolError, []error{ErrNoVersion}, ScoreProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				n := newNode(nil)
				// The honest peer: another ledgernet node.
				h1, h2 := pipe()
				honest := n.start(t, h1, true)
				other := newNode(nil)
				otherPeer := other.start(t, h2, false)
				<-honest.Ready()

				c1, c2 := pipe()
				hostile := n.start(t, c1, true)
				r := newRaw(t, c2, true, 0)
				if tt.handshake {
					r.send(version(70016, wire.SFNodeNetwork, 5), &wire.MsgVerAck{})
					// Our side's last handshake message: nothing is being
					// written when the hostile bytes arrive.
					r.expect(wire.CmdPing)
				}
				r.sendRaw(tt.bytes)
				if tt.hangUp {
					c2.Close()
				}
				checkEnded(t, hostile, tt.reason, tt.errs...)
				if got := hostile.BanScore(); got != tt.score {
					t.Errorf("ban score %d, want %d", got, tt.score)
				}
				if got := n.score(); got != tt.score {
					t.Errorf("misbehaviour reported %d, want %d", got, tt.score)
				}

				// The honest peer is unaffected.
				otherPeer.Send(inv)
				if m := <-n.received; m.Command() != wire.CmdInv {
					t.Errorf("honest peer's message: got %s", m.Command())
				}
				time.Sleep(10 * time.Minute)
				alive(t, honest)
				alive(t, otherPeer)
				if honest.BanScore() != 0 {
					t.Errorf("honest peer scored %d", honest.BanScore())
				}
			})
		})
	}
}

func TestMisbehavingThreshold(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newNode(nil)
		ca, cb := pipe()
		p := n.start(t, ca, false)
		r := newRaw(t, cb, true, 0)
		r.handshake(true)
		<-p.Ready()
		p.Misbehaving(60, "bad headers")
		alive(t, p)
		p.Misbehaving(40, "more bad headers")
		checkEnded(t, p, p2p.DiscProtocolError, ErrBanScore)
		n.mu.Lock()
		defer n.mu.Unlock()
		if len(n.misbehaved) != 2 || n.misbehaved[0].Threshold || !n.misbehaved[1].Threshold || n.misbehaved[1].Score != 100 {
			t.Errorf("reports %+v", n.misbehaved)
		}
	})
}

func TestSendQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newNode(func(c *Config) { c.DataQueueSize = 2 })
		ca, cb := pipe()
		p := n.start(t, ca, false)
		// Before the handshake data waits; the third message is dropped.
		done := make(chan error, 1)
		if err := p.QueueMessage(&wire.MsgGetAddr{}, done); err != nil {
			t.Fatal(err)
		}
		p.Send(&wire.MsgMemPool{})
		if err := p.Send(&wire.MsgGetAddr{}); !errors.Is(err, ErrSendQueueFull) {
			t.Errorf("third send: %v, want ErrSendQueueFull", err)
		}
		if err := p.Send(&wire.MsgUnknown{Cmd: "foo"}); !errors.Is(err, ErrUnknownCommand) {
			t.Errorf("unknown command: %v", err)
		}
		if d := p.Info().DroppedSends; d != 1 {
			t.Errorf("dropped %d", d)
		}
		r := newRaw(t, cb, true, 0)
		r.handshake(true)
		r.expect(wire.CmdGetAddr)
		r.expect(wire.CmdMemPool)
		if err := <-done; err != nil {
			t.Errorf("done: %v", err)
		}
		p.Disconnect(p2p.DiscTooManyPeers)
		checkEnded(t, p, p2p.DiscTooManyPeers)
		if err := p.Send(&wire.MsgGetAddr{}); !errors.Is(err, ErrPeerClosed) {
			t.Errorf("send after close: %v", err)
		}
	})
}

func TestContextCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newNode(nil)
		ca, cb := pipe()
		defer cb.Close()
		p := New(plainConn(t, ca, Commands(), MaxPayload), false, n.cfg)
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() { errc <- p.Run(ctx) }()
		cancel()
		if err := <-errc; !errors.Is(err, p2p.DiscQuitting) || !errors.Is(err, context.Canceled) {
			t.Errorf("Run: %v", err)
		}
	})
}

// TestUnencodableMessage: a message we cannot encode fails its sender and
// leaves the peer running.
func TestUnencodableMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newNode(nil)
		ca, cb := pipe()
		p := n.start(t, ca, false)
		r := newRaw(t, cb, true, 0)
		r.handshake(true)
		done := make(chan error, 1)
		p.QueueMessage(&wire.MsgInv{InvList: make([]wire.InvVect, wire.MaxInvPerMsg+1)}, done)
		if err := <-done; !errors.Is(err, wire.ErrTooMany) {
			t.Errorf("done: %v, want wire.ErrTooMany", err)
		}
		p.Send(&wire.MsgGetAddr{})
		r.expect(wire.CmdGetAddr)
		alive(t, p)
	})
}
