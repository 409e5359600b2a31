package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ledgernet/ledgernet/internal/version"
	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/devp2p"
	"github.com/ledgernet/ledgernet/p2p/dial"
	"github.com/ledgernet/ledgernet/p2p/enode"
)

// Transport turns a fresh TCP connection into an authenticated session
// whose peer has told us its capabilities. The server runs it on every
// inbound and outbound connection; RLPxTransport is the devp2p one, and the
// permissioned profile plugs in TLS with the Bitcoin envelope the same way.
//
// A Transport is used by many goroutines at once and must be safe for that.
type Transport interface {
	// Name names the transport in PeerInfo and logs: "rlpx", "tls".
	Name() string
	// LocalID is this node's ID as the transport proves it to peers. The
	// server refuses connections from this ID (self-dials).
	LocalID() enode.ID
	// Handshake authenticates fd and exchanges capabilities; it offers
	// caps, which are sorted by name and version. dest is the candidate
	// dialled for an outbound connection (its Node is what the discovery
	// source put there, e.g. an *enode.Node) and nil for an inbound one.
	//
	// ctx carries the handshake deadline (Config.HandshakeTimeout) and is
	// cancelled when the server stops: Handshake must return promptly
	// then. Handshake owns fd: on error it closes fd (after telling the
	// peer why, if its protocol can); on success the Session owns it.
	// Timeouts should wrap os.ErrDeadlineExceeded or
	// context.DeadlineExceeded, so the server counts them as such.
	Handshake(ctx context.Context, fd net.Conn, dest *dial.Candidate, caps []Cap) (*Session, error)
}

// Session is an authenticated connection after the transport's handshakes.
type Session struct {
	// Conn carries the capability protocols' messages; its codes start at
	// 0, and the server lays the matched protocols out from there. The
	// transport's own messages (devp2p's Hello, Disconnect, Ping, Pong)
	// are not visible through it.
	//
	// Conn.Close(reason) must tell the peer reason when the protocol can.
	// A read error that reports a disconnect the peer asked for should
	// have a method RemoteReason() p2p.DiscReason in its chain (as
	// *devp2p.DisconnectError has), so events tell local and remote
	// disconnects apart. If Conn implements Keepalive the server drives
	// it; otherwise it sets a read deadline of Config.ReadTimeout before
	// each ReadMsg.
	Conn p2p.Conn
	// ID is the peer's authenticated node ID.
	ID enode.ID
	// Caps are the capabilities the peer offered.
	Caps []Cap
	// Name is the peer's client name, for display.
	Name string
	// CodeBase is the wire code of Conn's code 0 (16 on RLPx), reported in
	// PeerInfo only.
	CodeBase uint64
}

// Keepalive is implemented by session connections whose transport has its
// own liveness messages (*devp2p.Conn: Ping and Pong). The server calls
// SetIdleTimeout(Config.ReadTimeout) once, SendPing every
// Config.PingInterval, and SendPong each time PingReceived delivers; each
// send holds the peer's write token and runs under Config.WriteTimeout.
type Keepalive interface {
	SetIdleTimeout(d time.Duration)
	SendPing() error
	SendPong() error
	PingReceived() <-chan struct{}
}

var _ Keepalive = (*devp2p.Conn)(nil)

// ErrNoPubkey means an outbound RLPx candidate carried no *enode.Node with
// a public key to encrypt the handshake to.
var ErrNoPubkey = errors.New("server: candidate has no secp256k1 public key")

// RLPxTransport is the devp2p transport: the RLPx encryption handshake,
// then the Hello exchange (package devp2p). Sessions are *devp2p.Conn.
type RLPxTransport struct {
	key        *secp256k1.PrivateKey
	id         enode.ID
	clientName string
	listenPort uint16
	conn       devp2p.Config
}

var _ Transport = (*RLPxTransport)(nil)

// RLPxConfig holds the optional settings of NewRLPxTransport.
type RLPxConfig struct {
	// ClientName is sent in Hello. Empty means version.ClientName().
	ClientName string
	// ListenPort is sent in Hello. go-ethereum sends 0 and ignores it.
	ListenPort uint16
	// Conn tunes the sessions (message size cap, Disconnect timeout).
	Conn devp2p.Config
}

// NewRLPxTransport returns the RLPx transport for node key key.
func NewRLPxTransport(key *secp256k1.PrivateKey, cfg RLPxConfig) *RLPxTransport {
	if cfg.ClientName == "" {
		cfg.ClientName = version.ClientName()
	}
	return &RLPxTransport{key: key, id: enode.PubkeyToID(key.PubKey()), clientName: cfg.ClientName,
		listenPort: cfg.ListenPort, conn: cfg.Conn}
}

// Name returns "rlpx".
func (t *RLPxTransport) Name() string { return "rlpx" }

// LocalID returns the node ID of the transport's key.
func (t *RLPxTransport) LocalID() enode.ID { return t.id }

// Handshake runs devp2p.Setup. For an outbound connection dest.Node must be
// an *enode.Node, whose key the handshake is encrypted to.
func (t *RLPxTransport) Handshake(ctx context.Context, fd net.Conn, dest *dial.Candidate, caps []Cap) (*Session, error) {
	var remote *secp256k1.PublicKey
	if dest != nil {
		n, ok := dest.Node.(*enode.Node)
		if !ok || n == nil {
			fd.Close()
			return nil, fmt.Errorf("%w: %s", ErrNoPubkey, dest)
		}
		remote = n.Pubkey()
	}
	hello := devp2p.Hello{Name: t.clientName, Caps: caps, ListenPort: uint64(t.listenPort)}
	c, theirs, err := devp2p.Setup(ctx, fd, t.key, remote, hello, &t.conn)
	if err != nil {
		return nil, err
	}
	// Setup checked the Hello ID against the RLPx key: it is a valid point.
	pub, err := secp256k1.ParsePubKey(append([]byte{4}, theirs.ID[:]...))
	if err != nil {
		c.Close(p2p.DiscInvalidIdentity)
		return nil, fmt.Errorf("%w: %w", p2p.DiscInvalidIdentity, err)
	}
	return &Session{Conn: c, ID: enode.PubkeyToID(pub), Caps: theirs.Caps, Name: theirs.Name, CodeBase: devp2p.BaseLength}, nil
}
