package node

import (
	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/metrics"
	"github.com/ledgernet/ledgernet/p2p/btcpeer"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics returns the node's metrics (served at the API's /metrics).
func (n *Node) Metrics() *metrics.Metrics { return n.metrics }

// Registry returns the registry the node's metrics are on.
func (n *Node) Registry() *prometheus.Registry { return n.registry }

// newMetrics makes the node's registry and metrics.
func (n *Node) newMetrics() error {
	n.registry = metrics.NewRegistry()
	m, err := metrics.New(n.registry)
	if err != nil {
		return err
	}
	n.metrics = m
	return nil
}

// followChainMetrics updates the chain metrics on the chain state's
// events; the mempool gauges read the pool at each scrape.
func (n *Node) followChainMetrics() {
	m := n.metrics
	if pool := n.pool; pool != nil {
		m.WatchMempool(func() (int, int64) {
			st := pool.Stats()
			return st.Count, int64(st.Bytes)
		})
	}
	n.unsubs = append(n.unsubs, n.store.Subscribe(func(ev store.Event) {
		switch ev.Kind {
		case store.EventBlockConnected:
			m.BlocksConnected(1)
		case store.EventTipChanged:
			m.SetSync(int64(ev.Height), int64(n.store.BestHeader().Height))
		}
	}))
}

// btcPeerConfig is the peer tuning of the Bitcoin profiles with the
// node's metrics observer: peers there run on the plain transport, so
// btcpeer itself counts their messages.
func (n *Node) btcPeerConfig() btcpeer.Config {
	pc := n.opts.Peer
	if pc.Observer == nil {
		pc.Observer = metrics.Observer(n.metrics)
	}
	return pc
}
