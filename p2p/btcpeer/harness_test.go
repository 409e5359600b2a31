package btcpeer

import (
	"context"
	"encoding/binary"
	"errors"
	"log/slog"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/plain"
	"github.com/ledgernet/ledgernet/wire"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testNet = wire.RegTest

func plainConn(t *testing.T, nc net.Conn, cmds []string, maxPayload func(uint64) uint32) *plain.Conn {
	t.Helper()
	pc, err := plain.New(nc, plain.Config{Net: testNet, Commands: cmds, MaxPayload: maxPayload})
	if err != nil {
		t.Fatal(err)
	}
	return pc
}

// node is the test's view of a ledgernet node: one NonceSet, one handler
// and one misbehaviour log shared by its peers.
type node struct {
	cfg Config

	mu          sync.Mutex // guards misbehaved
	misbehaved  []Misbehavior
	received    chan wire.Message
	handlerWait chan struct{} // when not nil, the handler blocks on it
}

func newNode(mod func(*Config)) *node {
	n := &node{received: make(chan wire.Message, 1000)}
	n.cfg = Config{
		Services:   wire.SFNodeNetwork | wire.SFNodeWitness,
		Nonces:     NewNonceSet(0),
		BestHeight: func() int32 { return 7 },
		OnMisbehavior: func(p *Peer, m Misbehavior) {
			n.mu.Lock()
			n.misbehaved = append(n.misbehaved, m)
			n.mu.Unlock()
		},
		Handler: HandlerFunc(func(p *Peer, msg wire.Message) {
			if n.handlerWait != nil {
				select {
				case <-n.handlerWait:
				case <-p.Closing():
					return
				}
			}
			n.received <- msg
		}),
	}
	if os.Getenv("BTCPEER_LOG") != "" { // debug logs of every peer to stderr

		n.cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if mod != nil {
		mod(&n.cfg)
	}
	return n
}

func (n *node) score() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	s := 0
	for _, m := range n.misbehaved {
		s += m.Points
	}
	return s
}

// start runs a peer of n over nc until the test ends.
func (n *node) start(t *testing.T, nc net.Conn, inbound bool) *Peer {
	t.Helper()
	p := New(plainConn(t, nc, Commands(), MaxPayload), inbound, n.cfg)
	go p.Run(context.Background())
	t.Cleanup(func() {
		p.Disconnect(nil)
		<-p.Done()
	})
	return p
}

// ended waits for p to end and returns its DisconnectError.
func ended(t *testing.T, p *Peer) *DisconnectError {
	t.Helper()
	<-p.Done()
	var de *DisconnectError
	if !errors.As(p.Err(), &de) {
		t.Fatalf("peer ended with %v, not a *DisconnectError", p.Err())
	}
	return de
}

func checkEnded(t *testing.T, p *Peer, reason p2p.DiscReason, errs ...error) {
	t.Helper()
	de := ended(t, p)
	if de.Reason != reason {
		t.Errorf("reason %v, want %v (err %v)", de.Reason, reason, de)
	}
	for _, e := range errs {
		if !errors.Is(de, e) {
			t.Errorf("err %v does not match %v", de, e)
		}
	}
}

func alive(t *testing.T, p *Peer) {
	t.Helper()
	if err := p.Err(); err != nil {
		t.Fatalf("peer ended: %v", err)
	}
}

// rawCommands is the chain table plus commands a Core node sends that
// ledgernet does not know.
var rawCommands = append(Commands(), "sendtxrcncl", "foo")

// raw is a scripted remote speaking the envelope directly.
type raw struct {
	t  *testing.T
	nc net.Conn
	pc *plain.Conn
	in chan wire.Message

	// wmu serialises writes: the test and auto-pong both write. A channel,
	// not a sync.Mutex, so that a goroutine waiting for it is durably
	// blocked and the bubble's clock can advance.
	wmu chan struct{}

	autoPong  bool
	pongDelay time.Duration
	done      chan struct{}
}

// newRaw starts reading nc; with autoPong it answers pings (after
// pongDelay).
func newRaw(t *testing.T, nc net.Conn, autoPong bool, pongDelay time.Duration) *raw {
	r := &raw{t: t, nc: nc, pc: plainConn(t, nc, rawCommands, nil), in: make(chan wire.Message, 1000),
		wmu:      make(chan struct{}, 1),
		autoPong: autoPong, pongDelay: pongDelay, done: make(chan struct{})}
	go r.readLoop()
	t.Cleanup(func() {
		nc.Close()
		<-r.done
	})
	return r
}

func (r *raw) readLoop() {
	defer close(r.done)
	defer close(r.in)
	for {
		m, err := r.pc.ReadMsg()
		if err != nil {
			return
		}
		msg := wire.MakeEmptyMessage(rawCommands[m.Code])
		if err := msg.Decode(m.Payload, wire.ProtocolVersion, wire.WitnessEncoding); err != nil {
			return
		}
		if ping, ok := msg.(*wire.MsgPing); ok && r.autoPong {
			time.Sleep(r.pongDelay) // the remote's latency, in the bubble's time
			r.send(&wire.MsgPong{Nonce: ping.Nonce})
		}
		r.in <- msg
	}
}

func (r *raw) send(msgs ...wire.Message) {
	r.wmu <- struct{}{}
	defer func() { <-r.wmu }()
	for _, msg := range msgs {
		b, err := msg.Encode(nil, wire.ProtocolVersion, wire.WitnessEncoding)
		if err != nil {
			r.t.Errorf("encode %s: %v", msg.Command(), err)
			return
		}
		code := -1
		for i, c := range rawCommands {
			if c == msg.Command() {
				code = i
			}
		}
		if err := r.pc.WriteMsg(p2p.Msg{Code: uint64(code), Payload: b}); err != nil {
			return // the peer hung up; the test checks why
		}
	}
}

func (r *raw) sendRaw(b []byte) {
	r.wmu <- struct{}{}
	defer func() { <-r.wmu }()
	r.nc.Write(b)
}

// expect returns the next message with command cmd, skipping others; it
// fails the test if the connection ends first.
func (r *raw) expect(cmd string) wire.Message {
	r.t.Helper()
	for m := range r.in {
		if m.Command() == cmd {
			return m
		}
	}
	r.t.Fatalf("connection ended before %s", cmd)
	return nil
}

func version(pver int32, services wire.ServiceFlag, nonce uint64) *wire.MsgVersion {
	return &wire.MsgVersion{
		ProtocolVersion: pver,
		Services:        services,
		Nonce:           nonce,
		UserAgent:       "/Satoshi:29.0.0/",
		StartHeight:     100,
		Relay:           true,
	}
}

// handshake completes the remote's side of the handshake, answering our
// version (as Core does, with wtxidrelay and sendaddrv2 before verack).
func (r *raw) handshake(inbound bool) {
	r.t.Helper()
	v := version(70016, wire.SFNodeNetwork|wire.SFNodeWitness, 42)
	if inbound {
		// The remote is the listener: our peer speaks first.
		r.expect(wire.CmdVersion)
		r.send(v)
	} else {
		r.send(v)
		r.expect(wire.CmdVersion)
	}
	r.send(&wire.MsgWTxIDRelay{}, &wire.MsgSendAddrV2{}, &wire.MsgVerAck{})
	r.expect(wire.CmdVerAck)
}

// envelope builds raw envelope bytes; fix may break one field.
func envelope(net wire.BitcoinNet, cmd string, payload []byte, fix func(h []byte)) []byte {
	h := make([]byte, wire.MessageHeaderSize)
	binary.LittleEndian.PutUint32(h[0:4], uint32(net))
	copy(h[4:16], cmd)
	binary.LittleEndian.PutUint32(h[16:20], uint32(len(payload)))
	sum := wire.Checksum(payload)
	copy(h[20:24], sum[:])
	if fix != nil {
		fix(h)
	}
	return append(h, payload...)
}
