package node

import (
	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/metrics"
	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/server"
	"github.com/ledgernet/ledgernet/p2p/tlsconn"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics returns the node's metrics (served at the API's /metrics).
func (n *Node) Metrics() *metrics.Metrics { return n.metrics }

// Registry returns the registry the node's metrics are on.
func (n *Node) Registry() *prometheus.Registry { return n.registry }

// newMetrics makes the node's registry and metrics.
func (n *Node) newMetrics() error {
	n.registry = prometheus.NewRegistry()
	m, err := metrics.New(n.registry)
	if err != nil {
		return err
	}
	n.metrics = m
	return nil
}

// followChainMetrics updates the chain and mempool metrics on the chain
// state's events.
func (n *Node) followChainMetrics() {
	m := n.metrics
	n.unsubs = append(n.unsubs, n.store.Subscribe(func(ev store.Event) {
		switch ev.Kind {
		case store.EventBlockConnected:
			m.BlocksConnected(1)
		case store.EventTipChanged:
			m.SetSync(int64(ev.Height), int64(n.store.BestHeader().Height))
			if n.pool != nil {
				st := n.pool.Stats()
				m.SetMempool(st.Count, int64(st.Bytes))
			}
		}
	}))
}

// meteredRW counts a protocol's messages in the node's metrics.
type meteredRW struct {
	rw    p2p.MsgReadWriter
	m     *metrics.Metrics
	proto string
	cmds  []string
}

func (c *meteredRW) cmd(code uint64) string {
	if code < uint64(len(c.cmds)) {
		return c.cmds[code]
	}
	return "unknown"
}

func (c *meteredRW) ReadMsg() (p2p.Msg, error) {
	msg, err := c.rw.ReadMsg()
	if err == nil {
		c.m.MsgIn(c.proto, c.cmd(msg.Code), len(msg.Payload))
	}
	return msg, err
}

func (c *meteredRW) WriteMsg(msg p2p.Msg) error {
	err := c.rw.WriteMsg(msg)
	if err == nil {
		c.m.MsgOut(c.proto, c.cmd(msg.Code), len(msg.Payload))
	}
	return err
}

// metered wraps a server protocol so its messages are counted.
func (n *Node) metered(p server.Protocol, cmds []string) server.Protocol {
	run := p.Run
	p.Run = func(peer *server.Peer, rw p2p.MsgReadWriter) error {
		return run(peer, &meteredRW{rw: rw, m: n.metrics, proto: p.Name, cmds: cmds})
	}
	return p
}

// meteredTLS wraps a tlsconn protocol so its messages are counted.
func (n *Node) meteredTLS(p tlsconn.Protocol) tlsconn.Protocol {
	run := p.Run
	p.Run = func(peer *tlsconn.Peer, rw p2p.MsgReadWriter) error {
		return run(peer, &meteredRW{rw: rw, m: n.metrics, proto: p.Name, cmds: p.Commands})
	}
	return p
}
