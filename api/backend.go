package api

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Sentinel errors a Backend wraps (with %w) to choose the HTTP status of a
// failure. Any other error is reported as 500.
var (
	// ErrNotReady means the node is starting or stopping: 503.
	ErrNotReady = errors.New("node not ready")
	// ErrBusy means a cap on what clients may hold open is reached (event
	// streams): 503, try again later.
	ErrBusy = errors.New("busy")
	// ErrNotFound means an unknown node, peer or transaction: 404.
	ErrNotFound = errors.New("not found")
	// ErrInvalid means the request is well-formed JSON but its content is
	// rejected (a transaction that fails to decode or validate, a bad address,
	// a bad topic): 400.
	ErrInvalid = errors.New("invalid request")
	// ErrDuplicate means the thing already exists (a transaction already in
	// the mempool, a peer already connected): 409.
	ErrDuplicate = errors.New("already exists")
)

// MaxPayload is the largest message payload the API accepts for send,
// publish and broadcast.
const MaxPayload = 1 << 20

// MaxTopicLen is the longest topic name, in bytes (as the status protocol).
const MaxTopicLen = 128

// Backend is what the API needs from a node. The node implements it; tests
// use apitest.Backend. Every method may be called from many goroutines at
// once, and should return promptly: ctx is the HTTP request's context.
type Backend interface {
	// Node describes this node.
	Node(ctx context.Context) (NodeInfo, error)
	// Peers lists the connected peers.
	Peers(ctx context.Context) ([]PeerInfo, error)
	// Chain describes the local chain and sync state.
	Chain(ctx context.Context) (ChainInfo, error)
	// Status lists the status records the node knows (its own included).
	Status(ctx context.Context) ([]StatusRecord, error)
	// Mempool summarises the mempool.
	Mempool(ctx context.Context) (MempoolInfo, error)
	// Network is the peer graph the node knows, for the dashboard.
	Network(ctx context.Context) (NetworkInfo, error)

	// SubmitTx validates a serialized transaction, adds it to the mempool,
	// relays it and returns its txid (hex, as Bitcoin displays it). A
	// transaction that does not decode or validate is ErrInvalid; one
	// already known is ErrDuplicate.
	SubmitTx(ctx context.Context, raw []byte) (txid string, err error)
	// AddPeer dials addr (host:port or an enode URL) and keeps it as a
	// static peer. It may return before the connection is up.
	AddPeer(ctx context.Context, addr string) error
	// RemovePeer disconnects the peer with the given node ID (hex) or
	// address, and forgets it as a static peer. Unknown is ErrNotFound.
	RemovePeer(ctx context.Context, idOrAddr string) error

	// Bans lists the operator's bans in force.
	Bans(ctx context.Context) ([]BanInfo, error)
	// Ban bans target (an IP address, a CIDR network, or a node ID where
	// the network has them) for d (the node's default if zero) and drops
	// the peers it matches. A target that is none of these is ErrInvalid.
	Ban(ctx context.Context, target string, d time.Duration, reason string) error
	// Unban lifts the ban of exactly target; none is ErrNotFound.
	Unban(ctx context.Context, target string) error
	// ClearBans lifts every ban.
	ClearBans(ctx context.Context) error

	// Send sends payload to one node by node ID (64 hex digits). A node the
	// topic layer cannot reach is ErrNotFound.
	Send(ctx context.Context, nodeID string, payload []byte) error
	// Publish sends payload to the subscribers of topic.
	Publish(ctx context.Context, topic string, payload []byte) error
	// Broadcast sends payload to every node of the network.
	Broadcast(ctx context.Context, payload []byte) error
	// Subscribe follows topic until cancel is called. The backend owns the
	// channel's buffer: when the reader is slow it drops messages (and counts
	// them) rather than block the network. The backend closes the channel
	// after cancel, or when it stops; cancel may be called more than once.
	Subscribe(ctx context.Context, topic string) (msgs <-chan Message, cancel func(), err error)
}

// BanInfo is one of the operator's bans.
type BanInfo struct {
	Target  string    `json:"target"` // an address, a CIDR network or a node ID
	Created time.Time `json:"created"`
	Until   time.Time `json:"until"`
	Reason  string    `json:"reason,omitempty"`
}

// BanRequest is the body of POST /api/v1/bans: For is a Go duration
// ("24h", "90m"); empty means the node's ban_duration.
type BanRequest struct {
	Target string `json:"target"`
	For    string `json:"for,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// NodeInfo describes the local node.
type NodeInfo struct {
	ID      string   `json:"id"`
	Enode   string   `json:"enode,omitempty"`
	ENR     string   `json:"enr,omitempty"`
	Listen  []string `json:"listen"`
	Profile string   `json:"profile"`
	Version string   `json:"version"`
}

// PeerInfo describes one connected peer.
type PeerInfo struct {
	Addr      string   `json:"addr"`
	ID        string   `json:"id,omitempty"`
	Inbound   bool     `json:"inbound"`
	Version   uint32   `json:"version"`
	UserAgent string   `json:"user_agent"`
	Services  uint64   `json:"services"`
	Height    int64    `json:"height"`
	PingMS    float64  `json:"ping_ms"`
	Caps      []string `json:"caps,omitempty"`
	Transport string   `json:"transport"`
}

// ChainInfo describes the local chain. Progress is between 0 and 1.
type ChainInfo struct {
	Height   int64   `json:"height"`
	Tip      string  `json:"tip"`
	Headers  int64   `json:"headers"`
	Syncing  bool    `json:"syncing"`
	Progress float64 `json:"progress"`
}

// StatusRecord is one node's status as the status protocol spreads it.
type StatusRecord struct {
	NodeID   string    `json:"node_id"`
	Seq      uint64    `json:"seq"`
	Height   int64     `json:"height"`
	Tip      string    `json:"tip"`
	Topics   []string  `json:"topics"`
	Services uint64    `json:"services"`
	Version  string    `json:"version"`
	Updated  time.Time `json:"updated"`
}

// MempoolInfo summarises the mempool.
type MempoolInfo struct {
	Count int      `json:"count"`
	Bytes int64    `json:"bytes"`
	TxIDs []string `json:"txids"`
}

// Message is one message received on a topic.
type Message struct {
	Origin   string    `json:"origin"`
	Topic    string    `json:"topic"`
	Payload  []byte    `json:"payload"`        // base64 in JSON
	Text     string    `json:"text,omitempty"` // the payload, if it is UTF-8 (filled in when sent)
	Received time.Time `json:"received"`

	enc *sharedEvent // set by Shared: one encoding for every copy
}

// sharedEvent is the server-sent event of a Message, encoded once for all
// the streams it goes to.
type sharedEvent struct {
	once  sync.Once
	frame []byte
	err   error
}

// Shared returns m marked so that every stream it is sent to uses one
// encoding of it, made on first use: a backend that fans one message out to
// many subscribers passes each of them a copy of Shared(m), so a 1 MiB
// payload is encoded (base64 and text, about 2.4 MiB) once, not once per
// subscriber. m's Payload must not change afterwards.
func Shared(m Message) Message {
	m.enc = &sharedEvent{}
	return m
}

// NetworkInfo is the peer graph the node knows: itself, its peers, and
// whatever else it learnt (in a devnet, every node of the run).
type NetworkInfo struct {
	Nodes []NetworkNode `json:"nodes"`
	Links []NetworkLink `json:"links"`
	// MsgInRate and MsgOutRate are the local node's messages per second.
	MsgInRate  float64 `json:"msg_in_rate"`
	MsgOutRate float64 `json:"msg_out_rate"`
}

// NetworkNode is one node of the graph. Heights of remote nodes are what
// they last announced.
type NetworkNode struct {
	ID         string  `json:"id"`
	Name       string  `json:"name,omitempty"`
	Addr       string  `json:"addr,omitempty"`
	Self       bool    `json:"self,omitempty"`
	Height     int64   `json:"height"`
	Headers    int64   `json:"headers,omitempty"`
	Syncing    bool    `json:"syncing,omitempty"`
	Progress   float64 `json:"progress"`
	Peers      int     `json:"peers"`
	MsgInRate  float64 `json:"msg_in_rate"`
	MsgOutRate float64 `json:"msg_out_rate"`
}

// NetworkLink is a connection between two nodes of the graph, by node ID.
type NetworkLink struct {
	From      string `json:"from"`
	To        string `json:"to"`
	Transport string `json:"transport,omitempty"`
}
