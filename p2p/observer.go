package p2p

// Observer receives the networking events a node turns into metrics. The
// networking packages (p2p/server, p2p/tlsconn, p2p/btcpeer, p2p/plain,
// p2p/addrmgr) take one in their Config; nil means no observer, and costs
// one nil check per event. package metrics adapts its Metrics to it, so
// that no networking package imports Prometheus.
//
// Methods are called from the goroutine where the event happens (a peer's
// reader or writer, a handshake, a ban), often several at once: they must
// be safe for concurrent use, and fast, since they sit on the message path.
// They must not call back into the reporting package.
//
// String arguments are short labels. Those a package makes up itself
// (transport names, reasons, queue names) come from small fixed sets;
// proto and cmd come from local protocol and command tables, never raw
// from the network, except where the documentation of a Config.Observer
// field says otherwise. Implementations that label series with them should
// still bound the values they keep.
type Observer interface {
	// PeerConnected reports a peer that completed its handshakes and joined
	// the peer set; PeerDisconnected undoes it, once, with the same
	// arguments. transport is the transport's name ("rlpx", "tls",
	// "plain").
	PeerConnected(inbound bool, transport string)
	PeerDisconnected(inbound bool, transport string)
	// HandshakeFailed reports a connection refused before or during its
	// handshake, or refused admission to the peer set just after it, with a
	// short reason ("handshake timeout", "unknown CA", "too many peers").
	HandshakeFailed(transport, reason string)
	// MsgIn and MsgOut report a protocol message received or sent: proto is
	// the protocol's name, cmd the message's command (or its code in
	// decimal when the protocol has no command table), size the payload
	// length in bytes.
	MsgIn(proto, cmd string, size int)
	MsgOut(proto, cmd string, size int)
	// Dropped reports a message lost to a queue's full policy, or skipped
	// on arrival: queue names the queue or the cause ("chain inbox",
	// "btcpeer send", "unknown command").
	Dropped(queue string)
	// Banned reports an address banned, with a short reason.
	Banned(reason string)
}

// NopObserver is an Observer that does nothing. Embed it to implement only
// some of the methods.
type NopObserver struct{}

var _ Observer = NopObserver{}

func (NopObserver) PeerConnected(inbound bool, transport string)    {}
func (NopObserver) PeerDisconnected(inbound bool, transport string) {}
func (NopObserver) HandshakeFailed(transport, reason string)        {}
func (NopObserver) MsgIn(proto, cmd string, size int)               {}
func (NopObserver) MsgOut(proto, cmd string, size int)              {}
func (NopObserver) Dropped(queue string)                            {}
func (NopObserver) Banned(reason string)                            {}
