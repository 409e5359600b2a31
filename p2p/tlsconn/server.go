package tlsconn

import (
	"context"
	"fmt"
	"net"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/dial"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/server"
)

// The Transport is also a p2p/server Transport: Config.Transport =
// the *Transport, Config.Protocols made with ServerProtocol (so that each
// Length is its command table's), and the server's keepalive drives the
// Conn's pings (Config.PingInterval, with Config.ReadTimeout as the idle
// limit: 3 s and 6 s give this package's defaults).
var (
	_ server.Transport       = (*Transport)(nil)
	_ server.Keepalive       = (*Conn)(nil)
	_ server.FailureReasoner = (*Transport)(nil)
)

// transportName is the Transport's Name, in PeerInfo and observer events.
const transportName = "tls"

// Name returns "tls".
func (t *Transport) Name() string { return transportName }

// FailureReason implements server.FailureReasoner: p2p/server reports this
// transport's handshake failures to its observer with ReasonOf's labels.
func (t *Transport) FailureReason(err error) string { return ReasonOf(err).String() }

// LocalID returns this node's ID, from its certificate.
func (t *Transport) LocalID() enode.ID { return t.id }

// Handshake implements server.Transport: it runs Setup offering caps, each
// of which must be one of Config.Protocols (whose command table gives the
// envelope commands), and returns the Conn as the session. The Conn's
// liveness is left to the server (Keepalive). dest.ID, when set, is the ID
// the peer's certificate must have.
func (t *Transport) Handshake(ctx context.Context, fd net.Conn, dest *dial.Candidate, caps []server.Cap) (*server.Session, error) {
	opts := setupOpts{external: true, caps: capsMsg{Flags: t.caps.Flags}}
	for _, c := range caps {
		spec, ok := t.spec(c)
		if !ok {
			fd.Close()
			return nil, fmt.Errorf("%w: protocol %v has no command table in Config.Protocols", ErrConfig, c)
		}
		opts.protocols = append(opts.protocols, spec)
		opts.caps.Caps = append(opts.caps.Caps, c)
	}
	var expected *enode.ID
	if dest != nil && dest.HasID() {
		id := enode.ID(dest.ID)
		expected = &id
	}
	c, err := t.setup(ctx, fd, dest == nil, expected, opts)
	if err != nil {
		return nil, err
	}
	return &server.Session{Conn: c, ID: c.ID(), Caps: c.RemoteCaps(), Name: c.version.UserAgent}, nil
}

func (t *Transport) spec(c Cap) (ProtocolSpec, bool) {
	for _, p := range t.cfg.Protocols {
		if p.Cap() == c {
			return p, true
		}
	}
	return ProtocolSpec{}, false
}

// ServerProtocol returns the p2p/server Protocol for spec: its name,
// version, Length = len(Commands) and Commands (for the server's observer),
// run by run. Pass the same spec in Config.Protocols.
func ServerProtocol(spec ProtocolSpec, run func(p *server.Peer, rw p2p.MsgReadWriter) error) server.Protocol {
	return server.Protocol{Name: spec.Name, Version: spec.Version, Length: uint64(len(spec.Commands)), Run: run,
		Commands: spec.Commands}
}
