package metrics

import (
	"github.com/ledgernet/ledgernet/p2p"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// NewRegistry returns a registry with the Go runtime collector (goroutines,
// memory, GC) and the process collector (CPU, resident memory, open file
// descriptors) registered: the registry a node passes to New and serves.
// Each call returns a new registry, so that several nodes in one process
// each have theirs.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	// Cannot fail: the registry is new and the two collectors' series
	// are disjoint.
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// Observer returns m as the p2p.Observer the networking packages report
// to, or nil (no observer) when m is nil.
func Observer(m *Metrics) p2p.Observer {
	if m == nil {
		return nil
	}
	return observer{m: m}
}

// ObserverWithoutMessages is Observer without MsgIn and MsgOut, for a layer
// above one that already counts each message (btcpeer over p2p/server or
// the tlsconn Host).
func ObserverWithoutMessages(m *Metrics) p2p.Observer {
	if m == nil {
		return nil
	}
	return observer{m: m, noMsgs: true}
}

// observer adapts Metrics to p2p.Observer.
type observer struct {
	m      *Metrics
	noMsgs bool
}

var _ p2p.Observer = observer{}

func (o observer) PeerConnected(inbound bool, transport string) {
	o.m.PeerConnected(Dir(inbound), transport)
}

func (o observer) PeerDisconnected(inbound bool, transport string) {
	o.m.PeerDisconnected(Dir(inbound), transport)
}

func (o observer) HandshakeFailed(transport, reason string) { o.m.HandshakeFailed(reason) }

func (o observer) MsgIn(proto, cmd string, size int) {
	if !o.noMsgs {
		o.m.MsgIn(proto, cmd, size)
	}
}

func (o observer) MsgOut(proto, cmd string, size int) {
	if !o.noMsgs {
		o.m.MsgOut(proto, cmd, size)
	}
}

func (o observer) Dropped(queue string) { o.m.Dropped(queue) }
func (o observer) Banned(reason string) { o.m.Banned(reason) }
