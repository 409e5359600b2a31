package dial

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"time"
)

// Defaults used for the zero fields of Config. They are go-ethereum's, except
// where noted.
const (
	DefaultMaxPeers        = 50
	DefaultDialRatio       = 3  // one third of MaxPeers are dialled
	DefaultMaxPendingDials = 16 // geth allows 50; 16 keeps a small node's handshake CPU bounded
	// DefaultDialHistory is how long a dialled address or ID is not dialled
	// again: the inbound throttle plus 5 s, so that the remote has forgotten
	// our previous attempt when we come back.
	DefaultDialHistory     = 35 * time.Second
	DefaultInboundThrottle = 30 * time.Second
	// DefaultStaticBackoff and DefaultStaticBackoffMax bound the delay before
	// redialling a static peer. The delay doubles with each consecutive
	// failure: 1 s, 2 s, 4 s ... 60 s (btcd waits 5 s × failures up to 5 min;
	// geth waits out the 35 s dial history). Each delay is drawn uniformly
	// from [d/2, d], so restarted nodes do not redial a common peer in step.
	DefaultStaticBackoff    = 1 * time.Second
	DefaultStaticBackoffMax = 60 * time.Second
	DefaultSubnetBits4      = 16 // Bitcoin's IPv4 network group
	DefaultSubnetBits6      = 32 // Bitcoin's IPv6 network group
	// DefaultSetLimit bounds the dial history and the inbound throttle set.
	DefaultSetLimit = 4096
)

// staticStableTime is how long a static peer must stay connected for its
// disconnection not to count as a failure. A peer that accepts the handshake
// and then drops us at once (full, or misconfigured) would otherwise be
// redialled in a tight loop.
const staticStableTime = 30 * time.Second

// DialFunc makes one outbound connection attempt to c: TCP dial, transport
// handshake, protocol handshake, then AddPeer on the scheduler. It returns
// nil once the peer has been added, and an error otherwise (including
// AddPeer's refusal). It runs on its own goroutine, at most
// Config.MaxPendingDials at a time; it must return promptly when ctx is done
// (the scheduler is closing) and should bound its own time with the
// transport's dial and handshake timeouts. If the peer turns out to be this
// node, it should return an error wrapping ErrSelf.
type DialFunc func(ctx context.Context, c Candidate) error

// Config configures a Scheduler. The zero value of every field means its
// default; see the Default constants.
type Config struct {
	// MaxPeers caps inbound plus outbound peers. Default 50 (Bitcoin: 125).
	MaxPeers int
	// MaxOutbound is the number of outbound peers the scheduler keeps
	// dialling for. When zero it is MaxPeers/DialRatio, at least 1 (50/3 =
	// 16). Bitcoin sets it to 8 explicitly. The rest of MaxPeers is the
	// inbound cap.
	MaxOutbound int
	// DialRatio: see MaxOutbound. Default 3.
	DialRatio int
	// MaxPendingDials caps concurrent dial tasks (dial plus handshakes),
	// static ones included. Default 16.
	MaxPendingDials int
	// NoDial turns all dialling off, static peers included; the scheduler
	// then only admits inbound peers.
	NoDial bool

	// DialHistory is how long a dynamically dialled candidate (by ID, or by
	// address when it has none) is not dialled again, whatever the outcome.
	// Default 35 s; negative disables.
	DialHistory time.Duration
	// InboundThrottle: an inbound connection from an IP that connected less
	// than this long ago is refused with ErrThrottled. Loopback, private and
	// link-local addresses are exempt. Default 30 s; negative disables.
	InboundThrottle time.Duration
	// SetLimit caps the number of entries remembered by the dial history
	// and by the inbound throttle; when full the oldest entry is forgotten
	// early. Default 4096.
	SetLimit int

	// Static are peers dialled for as long as the scheduler runs (geth's
	// static nodes, btcd's --addpeer/--connect, the permissioned peer list);
	// more can be added with AddStatic. They are dialled whatever the
	// outbound target, ignore the dial history and the subnet limit, and are
	// redialled after each failure with exponential backoff and jitter
	// between StaticBackoff and StaticBackoffMax. They still count as
	// outbound peers, and MaxPeers still applies to them.
	Static           []Candidate
	StaticBackoff    time.Duration // default 1 s
	StaticBackoffMax time.Duration // default 60 s

	// NetRestrict, when not empty, is an allow-list: only addresses inside
	// one of the prefixes are dialled or accepted (--netrestrict).
	NetRestrict []netip.Prefix
	// SubnetLimit caps the dynamic outbound peers (and dials in flight) in
	// one subnet: IPv4 /SubnetBits4, IPv6 /SubnetBits6. Bitcoin uses 1 (one
	// outbound per /16). Zero disables the limit. Loopback, private and
	// link-local addresses are exempt. Static peers are exempt but counted.
	SubnetLimit int
	SubnetBits4 int // default 16
	SubnetBits6 int // default 32

	// Banned, if set, reports whether an IP is banned; banned addresses are
	// neither dialled nor accepted. It is called from the scheduler's loop,
	// so it must be fast, safe to call while the caller updates its ban
	// list, and must not call the Scheduler (that would deadlock).
	Banned func(netip.Addr) bool
	// Discouraged, if set, reports whether an IP's peers misbehaved: such
	// an address is not dialled from discovery (static peers are the
	// operator's and still are), and may still connect inbound. The same
	// rules as Banned apply to the function.
	Discouraged func(netip.Addr) bool
	// BannedID, if set, reports whether a node ID is banned (the
	// operator's bans on networks with identities): such a node is neither
	// dialled, static or not, nor admitted. The same rules as Banned apply.
	BannedID func(id [32]byte) bool
	// Self is this node's ID (zero if the network has none) and SelfAddrs
	// its own listening addresses: candidates matching either are never
	// dialled, and AddPeer refuses a peer with ID Self.
	Self      [32]byte
	SelfAddrs []netip.AddrPort

	// Dial makes outbound connections. Required unless NoDial.
	Dial DialFunc
	// Clock defaults to SystemClock.
	Clock Clock
	// Logger defaults to discarding everything.
	Logger *slog.Logger
}

// withDefaults returns cfg with every zero field set to its default, and the
// derived outbound and inbound caps.
func (cfg Config) withDefaults() (Config, int, int, error) {
	if cfg.MaxPeers < 0 || cfg.MaxOutbound < 0 || cfg.DialRatio < 0 || cfg.MaxPendingDials < 0 ||
		cfg.SubnetLimit < 0 || cfg.SetLimit < 0 || cfg.StaticBackoff < 0 || cfg.StaticBackoffMax < 0 {
		return cfg, 0, 0, fmt.Errorf("dial: negative value in Config")
	}
	if cfg.Dial == nil && !cfg.NoDial {
		return cfg, 0, 0, errNoDial
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	def(&cfg.MaxPeers, DefaultMaxPeers)
	def(&cfg.DialRatio, DefaultDialRatio)
	def(&cfg.MaxPendingDials, DefaultMaxPendingDials)
	def(&cfg.SetLimit, DefaultSetLimit)
	def(&cfg.SubnetBits4, DefaultSubnetBits4)
	def(&cfg.SubnetBits6, DefaultSubnetBits6)
	defDur(&cfg.DialHistory, DefaultDialHistory)
	defDur(&cfg.InboundThrottle, DefaultInboundThrottle)
	defDur(&cfg.StaticBackoff, DefaultStaticBackoff)
	defDur(&cfg.StaticBackoffMax, DefaultStaticBackoffMax)
	if cfg.SubnetBits4 > 32 || cfg.SubnetBits6 > 128 {
		return cfg, 0, 0, fmt.Errorf("dial: subnet bits %d/%d out of range", cfg.SubnetBits4, cfg.SubnetBits6)
	}
	if cfg.StaticBackoffMax < cfg.StaticBackoff {
		cfg.StaticBackoffMax = cfg.StaticBackoff
	}
	if cfg.Clock == nil {
		cfg.Clock = SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	restrict := make([]netip.Prefix, 0, len(cfg.NetRestrict))
	for _, p := range cfg.NetRestrict {
		if !p.IsValid() {
			return cfg, 0, 0, fmt.Errorf("dial: invalid netrestrict prefix %v", p)
		}
		restrict = append(restrict, p.Masked())
	}
	cfg.NetRestrict = restrict

	out := cfg.MaxOutbound
	if out == 0 {
		out = max(cfg.MaxPeers/cfg.DialRatio, 1)
	}
	out = min(out, cfg.MaxPeers)
	return cfg, out, cfg.MaxPeers - out, nil
}
