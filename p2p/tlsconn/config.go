package tlsconn

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/certs"
	"github.com/ledgernet/ledgernet/wire"
)

// PermissionedNet is the network magic of the permissioned profile: the
// ASCII bytes "LNPM" as sent on the wire (devnet's is "LNET"). chain has no
// permissioned parameter set yet, so the magic lives here and is registered
// with wire under the name "permissioned".
const PermissionedNet wire.BitcoinNet = 0x4d504e4c

func init() {
	// A conflict is a programming error between two packages' constants.
	if err := wire.RegisterNet(PermissionedNet, "permissioned"); err != nil {
		panic(err)
	}
}

// Defaults for the zero fields of Config.
const (
	// DefaultHandshakeTimeout bounds TLS, version/verack and caps together.
	DefaultHandshakeTimeout = 5 * time.Second
	// DefaultPingInterval is how often each side pings; FISCO BCOS sends
	// its heartbeat every 5 s, we ping a little more often so that the
	// default dead-link bound stays at 6 s.
	DefaultPingInterval = 3 * time.Second
	// DefaultPongTimeout is how long after a missed ping nothing may arrive
	// before the link is declared dead: silence for PingInterval +
	// PongTimeout ends the connection.
	DefaultPongTimeout = 3 * time.Second
	// DefaultQueueSize and DefaultQueueBytes bound the messages read ahead
	// of ReadMsg; when either is reached the reader stops reading (the
	// socket applies backpressure to the peer).
	DefaultQueueSize  = 256
	DefaultQueueBytes = 8 << 20
	// DefaultUserAgent is sent in version when Config.UserAgent is empty.
	DefaultUserAgent = "/ledgernet:0.1.0/"
	// DefaultMinProtocolVersion is the oldest version accepted (BIP37).
	DefaultMinProtocolVersion = wire.BIP0037Version
)

// ProtocolSpec describes a protocol the transport carries: its name and
// version, as in the caps message, and its command table. Code i of the
// protocol travels as envelope command Commands[i]. A command the transport
// reserves (version, verack, ping, pong, caps, disconnect) may appear, so
// that a table keeps its numbering, but such a code is never delivered and
// cannot be written. Two protocols of different names may not share a
// command; versions of one protocol may.
type ProtocolSpec struct {
	Name     string
	Version  uint
	Commands []string
}

// Cap returns the protocol's cap.
func (p ProtocolSpec) Cap() Cap { return Cap{Name: p.Name, Version: p.Version} }

// Config configures a Transport. Certificate, Verifier and Protocols are
// required; every other zero field means its default.
type Config struct {
	// Certificate is the node's certificate chain and key (node.crt,
	// node.key), with Leaf set, as certs.LoadNode returns it.
	Certificate tls.Certificate
	// Verifier checks peers' chains against ca.crt and the CRL.
	Verifier *certs.Verifier
	// Net is the envelope magic; zero means PermissionedNet.
	Net wire.BitcoinNet
	// Protocols are the protocols this node runs (at most MaxCaps).
	Protocols []ProtocolSpec

	// Version message contents.
	ProtocolVersion    uint32 // zero means wire.ProtocolVersion
	MinProtocolVersion uint32 // zero means DefaultMinProtocolVersion
	Services           wire.ServiceFlag
	UserAgent          string       // "" means DefaultUserAgent
	BestHeight         func() int32 // nil means 0

	HandshakeTimeout time.Duration
	PingInterval     time.Duration
	PongTimeout      time.Duration
	// WriteTimeout bounds each write when no write deadline is set with
	// SetWriteDeadline; zero means no bound.
	WriteTimeout time.Duration
	// MaxMessageSize caps every payload, checked against the header before
	// anything is allocated; zero, or more than
	// wire.MaxProtocolMessageLength, means wire.MaxProtocolMessageLength.
	MaxMessageSize uint32
	QueueSize      int
	QueueBytes     int
	// Checksums keeps the envelope checksum after the handshake. By default
	// both sides agree in caps to leave it out: TLS already authenticates
	// every byte, and double SHA-256 costs more than AES-GCM.
	Checksums bool

	Logger *slog.Logger
	// Observer, if not nil, is told of refused connections (HandshakeFailed
	// with "tls" and the Reason's label), as Stats counts them, and of
	// messages a Conn skipped (Dropped "unknown command") or pings it left
	// unanswered because a pong was already waiting (Dropped "tls pong").
	// Handshakes that p2p/server runs (Handshake) are not reported here:
	// the server reports them, with this package's reasons.
	Observer p2p.Observer
	// Now is the clock of Msg.ReceivedAt and RTTs; nil means time.Now.
	// Timeouts use the runtime's timers.
	Now func() time.Time
}

func (cfg Config) withDefaults() (Config, error) {
	if cfg.Verifier == nil {
		return cfg, fmt.Errorf("%w: no Verifier", ErrConfig)
	}
	if len(cfg.Certificate.Certificate) == 0 || cfg.Certificate.PrivateKey == nil {
		return cfg, fmt.Errorf("%w: no Certificate", ErrConfig)
	}
	if err := checkProtocols(cfg.Protocols); err != nil {
		return cfg, err
	}
	if cfg.HandshakeTimeout < 0 || cfg.PingInterval < 0 || cfg.PongTimeout < 0 || cfg.WriteTimeout < 0 ||
		cfg.QueueSize < 0 || cfg.QueueBytes < 0 {
		return cfg, fmt.Errorf("%w: negative value", ErrConfig)
	}
	if cfg.Net == 0 {
		cfg.Net = PermissionedNet
	}
	if cfg.ProtocolVersion == 0 {
		cfg.ProtocolVersion = wire.ProtocolVersion
	}
	if cfg.MinProtocolVersion == 0 {
		cfg.MinProtocolVersion = DefaultMinProtocolVersion
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if len(cfg.UserAgent) > wire.MaxUserAgentLen {
		return cfg, fmt.Errorf("%w: user agent longer than %d bytes", ErrConfig, wire.MaxUserAgentLen)
	}
	setDur := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	setDur(&cfg.HandshakeTimeout, DefaultHandshakeTimeout)
	setDur(&cfg.PingInterval, DefaultPingInterval)
	setDur(&cfg.PongTimeout, DefaultPongTimeout)
	if cfg.MaxMessageSize == 0 || cfg.MaxMessageSize > wire.MaxProtocolMessageLength {
		cfg.MaxMessageSize = wire.MaxProtocolMessageLength
	}
	if cfg.QueueSize == 0 {
		cfg.QueueSize = DefaultQueueSize
	}
	if cfg.QueueBytes == 0 {
		cfg.QueueBytes = DefaultQueueBytes
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.Protocols = slices.Clone(cfg.Protocols)
	return cfg, nil
}

func checkProtocols(ps []ProtocolSpec) error {
	if len(ps) == 0 {
		return fmt.Errorf("%w: no protocols", ErrConfig)
	}
	if len(ps) > MaxCaps {
		return fmt.Errorf("%w: %d protocols, at most %d", ErrConfig, len(ps), MaxCaps)
	}
	owner := map[string]string{} // command → protocol name
	seen := map[Cap]bool{}
	for _, p := range ps {
		if !validCapName(p.Name) {
			return fmt.Errorf("%w: protocol name %q", ErrConfig, p.Name)
		}
		if p.Version > math.MaxUint32 {
			return fmt.Errorf("%w: protocol %v: version above 2^32-1", ErrConfig, p.Cap())
		}
		if seen[p.Cap()] {
			return fmt.Errorf("%w: protocol %v twice", ErrConfig, p.Cap())
		}
		seen[p.Cap()] = true
		if len(p.Commands) == 0 {
			return fmt.Errorf("%w: protocol %v has no commands", ErrConfig, p.Cap())
		}
		mine := map[string]bool{}
		for _, cmd := range p.Commands {
			if !validCommand(cmd) {
				return fmt.Errorf("%w: protocol %v: command %q is not a valid envelope command", ErrConfig, p.Cap(), cmd)
			}
			if mine[cmd] {
				return fmt.Errorf("%w: protocol %v: command %q twice", ErrConfig, p.Cap(), cmd)
			}
			mine[cmd] = true
			if isReserved(cmd) {
				continue
			}
			if o, ok := owner[cmd]; ok && o != p.Name {
				return fmt.Errorf("%w: command %q in protocols %q and %q", ErrConfig, cmd, o, p.Name)
			}
			owner[cmd] = p.Name
		}
	}
	return nil
}

func validCommand(cmd string) bool {
	if cmd == "" || len(cmd) > wire.CommandSize {
		return false
	}
	for i := 0; i < len(cmd); i++ {
		if c := cmd[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// Shared is a protocol both sides run, placed in the connection's code
// space: its codes are Offset to Offset+Length-1, in the order of Commands.
type Shared struct {
	ProtocolSpec
	Offset uint64
}

// Length is the number of codes of the protocol.
func (s Shared) Length() uint64 { return uint64(len(s.Commands)) }

// matchProtocols returns the protocols both sides run, as devp2p matches
// capabilities: by name and version, the highest common version of each
// name, sorted by name, each placed after the previous in the code space.
func matchProtocols(local []ProtocolSpec, remote []Cap) []Shared {
	byName := map[string]ProtocolSpec{}
	for _, p := range local {
		if !slices.Contains(remote, p.Cap()) {
			continue
		}
		if old, ok := byName[p.Name]; !ok || p.Version > old.Version {
			byName[p.Name] = p
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	slices.Sort(names)
	shared := make([]Shared, 0, len(names))
	var off uint64
	for _, n := range names {
		p := byName[n]
		shared = append(shared, Shared{ProtocolSpec: p, Offset: off})
		off += uint64(len(p.Commands))
	}
	return shared
}
