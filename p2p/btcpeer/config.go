package btcpeer

import (
	"log/slog"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/wire"
)

// Defaults for the zero fields of Config.
const (
	// DefaultMinProtocolVersion is BIP37's 70001: the oldest version whose
	// version message carries every field Core sends today (the relay
	// flag), and well past BIP31 (60001), below which ping has no nonce and
	// pong does not exist, so our liveness checks could not work. btcd
	// accepts 209 and Core 31800, but every node they run today sends 70015
	// or 70016; both pass.
	DefaultMinProtocolVersion = wire.BIP0037Version
	// DefaultUserAgent is sent when Config.UserAgent is empty (BIP14 form).
	DefaultUserAgent = "/ledgernet:0.1.0/"

	DefaultHandshakeTimeout = 30 * time.Second // btcd's negotiateTimeout
	DefaultPingInterval     = 2 * time.Minute  // btcd and Core
	DefaultPongTimeout      = 20 * time.Minute // Core's TIMEOUT_INTERVAL
	DefaultIdleTimeout      = 5 * time.Minute  // btcd's idleTimeout
	DefaultStallTimeout     = 30 * time.Second // btcd's stallResponseTimeout
	DefaultHeadersTimeout   = 90 * time.Second // btcd, for getheaders
	DefaultWriteTimeout     = 2 * time.Minute

	DefaultControlQueueSize = 64
	DefaultDataQueueSize    = 512
	DefaultInboxSize        = 128
	DefaultInboxBytes       = 8 << 20 // Core's -maxreceivebuffer is 5 MB
	DefaultBanThreshold     = 100
)

// Config configures a peer. The zero value works: each zero field means its
// default. One Config may be shared by every peer of a node.
type Config struct {
	// ProtocolVersion is the version we announce; 0 means
	// wire.ProtocolVersion. The negotiated version is the lower of ours
	// and the peer's.
	ProtocolVersion uint32
	// Services are the service bits we announce.
	Services wire.ServiceFlag
	// UserAgent is our BIP14 user agent; "" means DefaultUserAgent.
	UserAgent string
	// BestHeight returns our chain height for version's start height; nil
	// means 0.
	BestHeight func() int32
	// NoTxRelay clears version's relay flag (blocks-only mode).
	NoTxRelay bool

	// MinProtocolVersion is the oldest peer version accepted; 0 means
	// DefaultMinProtocolVersion.
	MinProtocolVersion uint32
	// RequiredServices must all be offered by outbound peers; 0 means
	// wire.SFNodeNetwork. AnyServices drops the requirement.
	RequiredServices wire.ServiceFlag
	AnyServices      bool
	// Nonces is the node's set of version nonces, shared by all its peers
	// to detect connections to itself. Nil means a set private to this
	// peer, which detects nothing useful.
	Nonces *NonceSet

	// Timeouts; each zero means its default.
	HandshakeTimeout time.Duration
	PingInterval     time.Duration
	PongTimeout      time.Duration
	IdleTimeout      time.Duration
	// StallTimeout is how long a request (getdata, getblocks) waits for its
	// response; HeadersTimeout is the same for getheaders.
	StallTimeout   time.Duration
	HeadersTimeout time.Duration
	// NoStallDetection stops Send from arming deadlines for requests
	// (Request still arms them).
	NoStallDetection bool
	// WriteTimeout bounds each write to the connection.
	WriteTimeout time.Duration

	// ControlQueueSize bounds queued handshake, ping and pong messages; a
	// full control queue means the peer does not read, and disconnects it.
	ControlQueueSize int
	// DataQueueSize bounds other queued messages; when full, new messages
	// are dropped (Send returns ErrSendQueueFull, Info counts them).
	DataQueueSize int
	// InboxSize and InboxBytes bound received messages waiting for the
	// handler; when either is reached the peer stops reading.
	InboxSize  int
	InboxBytes int

	// BanThreshold is the misbehaviour score that disconnects; 0 means
	// DefaultBanThreshold.
	BanThreshold int
	// OnMisbehavior, if set, is called each time points are added. It runs
	// on the goroutine that found the misbehaviour (possibly the peer's
	// own), so it must not block; it may call any Peer method.
	OnMisbehavior func(p *Peer, m Misbehavior)

	// Handshaken, when set, is the peer's version message as a transport
	// that already ran version/verack itself (the permissioned TLS
	// transport) received it: the peer then starts ready, sends no version,
	// verack, ping or pong of its own, and leaves liveness to the
	// transport, whose heartbeat covers the connection.
	Handshaken *wire.MsgVersion
	// Handler receives the messages that are not handshake or liveness;
	// nil drops them.
	Handler Handler

	Clock  p2p.Clock    // nil means p2p.SystemClock
	Logger *slog.Logger // nil discards logs

	// Observer, if not nil, is told of every message decoded and written
	// (MsgIn and MsgOut with protocol "chain", the command and the payload
	// size) and of data messages dropped because the send queue was full
	// (Dropped "btcpeer send"). Over a transport that already reports each
	// message at its multiplexer (p2p/server, tlsconn.Host), give it an
	// observer that ignores MsgIn and MsgOut, or messages count twice.
	Observer p2p.Observer
}

// Labels of the events reported to Config.Observer.
const (
	observedProtocol = "chain"
	queueSend        = "btcpeer send"
)

// Misbehavior reports misbehaviour points added to a peer.
type Misbehavior struct {
	Points int    // added now
	Score  int    // total after adding
	Reason string // what the peer did
	// Threshold reports that this addition reached the ban threshold; the
	// peer disconnects, and banning its address is the caller's decision.
	Threshold bool
}

// withDefaults returns cfg with each zero field set to its default.
func (cfg Config) withDefaults() Config {
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	seti := func(d *int, v int) {
		if *d <= 0 {
			*d = v
		}
	}
	if cfg.ProtocolVersion == 0 {
		cfg.ProtocolVersion = wire.ProtocolVersion
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if cfg.MinProtocolVersion == 0 {
		cfg.MinProtocolVersion = DefaultMinProtocolVersion
	}
	if cfg.RequiredServices == 0 {
		cfg.RequiredServices = wire.SFNodeNetwork
	}
	if cfg.Nonces == nil {
		cfg.Nonces = NewNonceSet(1)
	}
	set(&cfg.HandshakeTimeout, DefaultHandshakeTimeout)
	set(&cfg.PingInterval, DefaultPingInterval)
	set(&cfg.PongTimeout, DefaultPongTimeout)
	set(&cfg.IdleTimeout, DefaultIdleTimeout)
	set(&cfg.StallTimeout, DefaultStallTimeout)
	set(&cfg.HeadersTimeout, DefaultHeadersTimeout)
	set(&cfg.WriteTimeout, DefaultWriteTimeout)
	seti(&cfg.ControlQueueSize, DefaultControlQueueSize)
	seti(&cfg.DataQueueSize, DefaultDataQueueSize)
	seti(&cfg.InboxSize, DefaultInboxSize)
	seti(&cfg.InboxBytes, DefaultInboxBytes)
	seti(&cfg.BanThreshold, DefaultBanThreshold)
	if cfg.Clock == nil {
		cfg.Clock = p2p.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return cfg
}

// Handler receives a peer's protocol messages.
type Handler interface {
	// OnMessage is called for each message after the handshake other than
	// version, verack, ping, pong, sendheaders, sendaddrv2, wtxidrelay,
	// feefilter and sendcmpct (which the peer handles and exposes as
	// state), one at a time and in arrival order, on the peer's handler
	// goroutine. While it runs, later messages wait in the bounded inbox.
	// It must return once p.Closing() is closed.
	OnMessage(p *Peer, msg wire.Message)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(p *Peer, msg wire.Message)

// OnMessage calls f.
func (f HandlerFunc) OnMessage(p *Peer, msg wire.Message) { f(p, msg) }
