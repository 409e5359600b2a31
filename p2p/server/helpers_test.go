package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/devp2p"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/rlpx"
)

func newKey(t testing.TB) *secp256k1.PrivateKey {
	t.Helper()
	k, err := secp256k1.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testLogger sends the server's logs to the test log when -v is given.
func testLogger(t testing.TB) *slog.Logger {
	if !testing.Verbose() {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(b []byte) (int, error) { w.t.Log(string(b)); return len(b), nil }

// toyMsg is what the toy protocol records.
type toyMsg struct {
	from enode.ID
	msg  p2p.Msg
}

// toyProtocol greets each peer with code 0 (payload: the name), answers a
// code 0 with a code 1 carrying the same payload (when it has two codes),
// and reports every message
// it reads on got (if not nil).
func toyProtocol(name string, version uint, length uint64, got chan<- toyMsg) Protocol {
	return Protocol{Name: name, Version: version, Length: length, Run: func(p *Peer, rw p2p.MsgReadWriter) error {
		if err := rw.WriteMsg(p2p.Msg{Code: 0, Payload: []byte(name)}); err != nil {
			return err
		}
		for {
			msg, err := rw.ReadMsg()
			if err != nil {
				return err
			}
			if got != nil {
				select {
				case got <- toyMsg{p.ID(), msg}:
				case <-p.Done():
					return ErrPeerClosed
				}
			}
			if msg.Code == 0 && length > 1 {
				if err := rw.WriteMsg(p2p.Msg{Code: 1, Payload: msg.Payload}); err != nil {
					return err
				}
			}
		}
	}}
}

// startServer starts a server on 127.0.0.1 with cfg's blanks filled in and
// stops it when the test ends.
func startServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	s := newServer(t, cfg)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	return s
}

// newServer builds a server with startServer's defaults without starting
// it, so a test can subscribe to its events before the first dial.
func newServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.PrivateKey == nil && cfg.Transport == nil {
		cfg.PrivateKey = newKey(t)
	}
	if cfg.ListenAddr == "" && cfg.Listener == nil {
		cfg.ListenAddr = "127.0.0.1:0"
	}
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// waitEvent returns the next event of type typ, failing after a guard time.
func waitEvent(t testing.TB, sub *Subscription, typ PeerEventType) PeerEvent {
	t.Helper()
	timeout := time.NewTimer(time.Minute)
	defer timeout.Stop()
	for {
		select {
		case ev, ok := <-sub.C:
			if !ok {
				t.Fatalf("subscription closed while waiting for %v", typ)
			}
			if ev.Type == typ {
				return ev
			}
		case <-timeout.C:
			t.Fatalf("no %v event", typ)
		}
	}
}

// client is a hand-driven devp2p peer of a server: RLPx and Hello done by
// the test, so it can misbehave.
type client struct {
	key *secp256k1.PrivateKey
	rc  *rlpx.Conn
	fd  net.Conn
}

// dialClient connects to srv and runs the RLPx handshake with key.
func dialClient(t testing.TB, srv *Server, key *secp256k1.PrivateKey) *client {
	t.Helper()
	fd, err := net.Dial("tcp", srv.ListenAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	return handshakeClient(t, fd, srv.Self().Pubkey(), key)
}

func handshakeClient(t testing.TB, fd net.Conn, remote *secp256k1.PublicKey, key *secp256k1.PrivateKey) *client {
	t.Helper()
	rc := rlpx.NewConn(fd, remote)
	if _, err := rc.Handshake(key); err != nil {
		fd.Close()
		t.Fatalf("rlpx handshake: %v", err)
	}
	t.Cleanup(func() { fd.Close() })
	return &client{key: key, rc: rc, fd: fd}
}

// hello sends our Hello with caps (and ID id, or our own when id is nil),
// reads the server's Hello, and turns snappy on.
func (c *client) hello(t testing.TB, caps []Cap, id *[devp2p.IDLen]byte) *devp2p.Hello {
	t.Helper()
	h := &devp2p.Hello{Version: devp2p.Version, Name: "test-client", Caps: caps, ID: devp2p.PubkeyID(c.key.PubKey())}
	if id != nil {
		h.ID = *id
	}
	if _, err := c.rc.WriteMsg(devp2p.HelloMsg, devp2p.AppendHello(nil, h)); err != nil {
		t.Fatal(err)
	}
	code, data, err := c.read(t)
	if err != nil || code != devp2p.HelloMsg {
		t.Fatalf("reading server hello: code %d, %v", code, err)
	}
	theirs, err := devp2p.DecodeHello(data)
	if err != nil {
		t.Fatal(err)
	}
	c.rc.SetSnappy(true)
	return theirs
}

func (c *client) read(t testing.TB) (uint64, []byte, error) {
	c.rc.SetReadDeadline(time.Now().Add(time.Minute)) // a guard; bubbles need more than 30 s
	code, data, _, err := c.rc.ReadMsg()
	return code, append([]byte(nil), data...), err
}

func (c *client) write(t testing.TB, code uint64, data []byte) {
	t.Helper()
	if _, err := c.rc.WriteMsg(code, data); err != nil {
		t.Fatalf("write code %d: %v", code, err)
	}
}

// expectDisconnect reads until a Disconnect arrives (skipping other
// messages) and returns its reason.
func (c *client) expectDisconnect(t testing.TB) p2p.DiscReason {
	t.Helper()
	for {
		code, data, err := c.read(t)
		if err != nil {
			t.Fatalf("connection ended without Disconnect: %v", err)
		}
		if code == devp2p.DisconnectMsg {
			r, err := devp2p.DecodeDisconnect(data)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
	}
}

// pipeNet is an in-memory network of net.Pipe connections with TCP
// addresses, for servers inside a testing/synctest bubble.
type pipeNet struct {
	mu        sync.Mutex
	listeners map[netip.AddrPort]*pipeListener
	nextPort  uint16
}

func newPipeNet() *pipeNet {
	return &pipeNet{listeners: make(map[netip.AddrPort]*pipeListener), nextPort: 40000}
}

type pipeListener struct {
	n      *pipeNet
	addr   netip.AddrPort
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func (n *pipeNet) listen(ip string) *pipeListener {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.nextPort++
	l := &pipeListener{n: n, addr: netip.AddrPortFrom(netip.MustParseAddr(ip), n.nextPort),
		conns: make(chan net.Conn), closed: make(chan struct{})}
	n.listeners[l.addr] = l
	return l
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() {
		close(l.closed)
		l.n.mu.Lock()
		delete(l.n.listeners, l.addr)
		l.n.mu.Unlock()
	})
	return nil
}

func (l *pipeListener) Addr() net.Addr { return net.TCPAddrFromAddrPort(l.addr) }

// dialer returns a Dialer whose connections come from IP from.
func (n *pipeNet) dialer(from string) Dialer { return pipeDialer{n, netip.MustParseAddr(from)} }

type pipeDialer struct {
	n    *pipeNet
	from netip.Addr
}

func (d pipeDialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return nil, err
	}
	d.n.mu.Lock()
	l := d.n.listeners[ap]
	d.n.nextPort++
	local := netip.AddrPortFrom(d.from, d.n.nextPort)
	d.n.mu.Unlock()
	if l == nil {
		return nil, fmt.Errorf("dial %s: %w", address, errors.New("connection refused"))
	}
	a, b := net.Pipe()
	ca := &addrConn{a, local, ap}
	cb := &addrConn{b, ap, local}
	select {
	case l.conns <- cb:
		return ca, nil
	case <-l.closed:
	case <-ctx.Done():
	}
	a.Close()
	b.Close()
	return nil, errors.New("connection refused")
}

// addrConn gives a pipe end TCP addresses.
type addrConn struct {
	net.Conn
	local, remote netip.AddrPort
}

func (c *addrConn) LocalAddr() net.Addr  { return net.TCPAddrFromAddrPort(c.local) }
func (c *addrConn) RemoteAddr() net.Addr { return net.TCPAddrFromAddrPort(c.remote) }

func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }
