package metrics

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Direction is a connection's direction, a label value.
type Direction string

// Directions.
const (
	Inbound  Direction = "inbound"
	Outbound Direction = "outbound"
)

// Dir returns Inbound or Outbound.
func Dir(inbound bool) Direction {
	if inbound {
		return Inbound
	}
	return Outbound
}

// Namespace prefixes every metric name.
const Namespace = "ledgernet"

// maxLabelValues caps the distinct values of one label of network origin.
const maxLabelValues = 256

// maxLabelLen caps the length of a label value of network origin.
const maxLabelLen = 32

// Metrics records the node's metrics. Its methods are safe for concurrent
// use.
type Metrics struct {
	peers             *prometheus.GaugeVec
	msgsIn, msgsOut   *prometheus.CounterVec
	bytesIn, bytesOut *prometheus.CounterVec
	handshakeFailures *prometheus.CounterVec
	discoveryTable    prometheus.GaugeFunc
	discoverySize     watched[int]         // read by discoveryTable at each scrape
	mempoolSize       watched[mempoolSize] // read by the mempool gauges at each scrape
	apiStreamSize     watched[int64]       // read by apiStreamBytes at each scrape
	apiStreamBytes    prometheus.GaugeFunc
	syncHeight        prometheus.Gauge
	headerHeight      prometheus.Gauge
	syncProgress      prometheus.Gauge
	blocks            prometheus.Counter
	mempoolTxs        prometheus.GaugeFunc
	mempoolBytes      prometheus.GaugeFunc
	dropped           *prometheus.CounterVec
	bans              *prometheus.CounterVec

	cmds, reasons, queues, transports labelSet

	nIn, nOut, bIn, bOut atomic.Uint64

	rateMu sync.Mutex // guards rate
	rate   rateState
}

// New creates the metrics and registers them on reg.
func New(reg prometheus.Registerer) (*Metrics, error) {
	if reg == nil {
		return nil, errors.New("metrics: nil registerer")
	}
	counterVec := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: name, Help: help}, labels)
	}
	gauge := func(name, help string) prometheus.Gauge {
		return prometheus.NewGauge(prometheus.GaugeOpts{Namespace: Namespace, Name: name, Help: help})
	}
	m := &Metrics{
		peers: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: Namespace, Name: "peers", Help: "Connected peers by direction and transport.",
		}, []string{"direction", "transport"}),
		msgsIn:            counterVec("p2p_messages_in_total", "Messages received by protocol and command.", "protocol", "command"),
		msgsOut:           counterVec("p2p_messages_out_total", "Messages sent by protocol and command.", "protocol", "command"),
		bytesIn:           counterVec("p2p_bytes_in_total", "Payload bytes received by protocol and command.", "protocol", "command"),
		bytesOut:          counterVec("p2p_bytes_out_total", "Payload bytes sent by protocol and command.", "protocol", "command"),
		handshakeFailures: counterVec("p2p_handshake_failures_total", "Failed handshakes by reason.", "reason"),
		syncHeight:        gauge("sync_height", "Height of the best fully validated block."),
		headerHeight:      gauge("sync_header_height", "Height of the best known header."),
		syncProgress:      gauge("sync_progress", "Blocks validated over headers known, from 0 to 1."),
		blocks: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: Namespace, Name: "sync_blocks_total", Help: "Blocks connected to the chain; rate() of it is the sync rate.",
		}),
		dropped: counterVec("p2p_dropped_messages_total", "Messages dropped because a queue was full, by queue.", "queue"),
		bans:    counterVec("p2p_bans_total", "Peers banned, by reason.", "reason"),
	}
	m.discoveryTable = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: Namespace, Name: "discovery_table_nodes", Help: "Nodes in the discovery table.",
	}, m.discoverySize.read(func(n int) float64 { return float64(n) }))
	m.mempoolTxs = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: Namespace, Name: "mempool_transactions", Help: "Transactions in the mempool.",
	}, m.mempoolSize.read(func(s mempoolSize) float64 { return float64(s.count) }))
	m.mempoolBytes = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: Namespace, Name: "mempool_bytes", Help: "Serialized size of the mempool's transactions.",
	}, m.mempoolSize.read(func(s mempoolSize) float64 { return float64(s.bytes) }))
	m.apiStreamBytes = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Namespace: Namespace, Name: "api_stream_queued_bytes",
		Help: "Bytes of topic messages queued for the API's event streams, against the node's budget.",
	}, m.apiStreamSize.read(func(n int64) float64 { return float64(n) }))
	for _, c := range []prometheus.Collector{
		m.peers, m.msgsIn, m.msgsOut, m.bytesIn, m.bytesOut, m.handshakeFailures,
		m.discoveryTable, m.syncHeight, m.headerHeight, m.syncProgress, m.blocks,
		m.mempoolTxs, m.mempoolBytes, m.dropped, m.bans, m.apiStreamBytes,
	} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// PeerConnected counts a peer that completed its handshakes.
func (m *Metrics) PeerConnected(dir Direction, transport string) {
	if m == nil {
		return
	}
	m.peers.WithLabelValues(string(dir), m.transports.value(transport)).Inc()
}

// PeerDisconnected undoes PeerConnected.
func (m *Metrics) PeerDisconnected(dir Direction, transport string) {
	if m == nil {
		return
	}
	m.peers.WithLabelValues(string(dir), m.transports.value(transport)).Dec()
}

// MsgIn counts a received message of size bytes.
func (m *Metrics) MsgIn(proto, cmd string, size int) {
	if m == nil {
		return
	}
	p, c := m.cmds.pair(proto, cmd)
	m.msgsIn.WithLabelValues(p, c).Inc()
	m.bytesIn.WithLabelValues(p, c).Add(float64(max(size, 0)))
	m.nIn.Add(1)
	m.bIn.Add(uint64(max(size, 0)))
}

// MsgOut counts a sent message of size bytes.
func (m *Metrics) MsgOut(proto, cmd string, size int) {
	if m == nil {
		return
	}
	p, c := m.cmds.pair(proto, cmd)
	m.msgsOut.WithLabelValues(p, c).Inc()
	m.bytesOut.WithLabelValues(p, c).Add(float64(max(size, 0)))
	m.nOut.Add(1)
	m.bOut.Add(uint64(max(size, 0)))
}

// HandshakeFailed counts a failed handshake.
func (m *Metrics) HandshakeFailed(reason string) {
	if m == nil {
		return
	}
	m.handshakeFailures.WithLabelValues(m.reasons.value(reason)).Inc()
}

// SetDiscoveryTable sets the number of nodes in the discovery table.
func (m *Metrics) SetDiscoveryTable(n int) {
	if m == nil {
		return
	}
	m.discoverySize.set(func() int { return n })
}

// WatchDiscoveryTable makes the discovery table gauge call size at each
// scrape, so it is always current without a goroutine to refresh it. size
// must be safe to call from any goroutine.
func (m *Metrics) WatchDiscoveryTable(size func() int) {
	if m == nil {
		return
	}
	m.discoverySize.set(size)
}

// SetSync sets the validated height and the best header height.
func (m *Metrics) SetSync(height, headers int64) {
	if m == nil {
		return
	}
	m.syncHeight.Set(float64(height))
	m.headerHeight.Set(float64(headers))
	p := 1.0
	if headers > 0 && height < headers {
		p = float64(height) / float64(headers)
	}
	m.syncProgress.Set(p)
}

// BlocksConnected counts n blocks connected to the chain.
func (m *Metrics) BlocksConnected(n int) {
	if m == nil || n <= 0 {
		return
	}
	m.blocks.Add(float64(n))
}

// SetMempool sets the mempool's size.
func (m *Metrics) SetMempool(count int, bytes int64) {
	if m == nil {
		return
	}
	m.mempoolSize.set(func() mempoolSize { return mempoolSize{count, bytes} })
}

// WatchAPIStreamBytes makes the API stream gauge call queued at each
// scrape. queued must be safe to call from any goroutine.
func (m *Metrics) WatchAPIStreamBytes(queued func() int64) {
	if m == nil {
		return
	}
	m.apiStreamSize.set(queued)
}

// WatchMempool makes the mempool gauges call size at each scrape, so they
// are current whenever a transaction enters or leaves the pool. size must
// be safe to call from any goroutine.
func (m *Metrics) WatchMempool(size func() (count int, bytes int64)) {
	if m == nil {
		return
	}
	m.mempoolSize.set(func() mempoolSize {
		n, b := size()
		return mempoolSize{n, b}
	})
}

// Dropped counts a message dropped because queue was full.
func (m *Metrics) Dropped(queue string) {
	if m == nil {
		return
	}
	m.dropped.WithLabelValues(m.queues.value(queue)).Inc()
}

// Banned counts a peer banned for reason.
func (m *Metrics) Banned(reason string) {
	if m == nil {
		return
	}
	m.bans.WithLabelValues(m.reasons.value(reason)).Inc()
}

// Totals are message and byte counts since start, all protocols together.
type Totals struct {
	MsgsIn, MsgsOut   uint64
	BytesIn, BytesOut uint64
}

// Totals returns the counts since start.
func (m *Metrics) Totals() Totals {
	if m == nil {
		return Totals{}
	}
	return Totals{MsgsIn: m.nIn.Load(), MsgsOut: m.nOut.Load(), BytesIn: m.bIn.Load(), BytesOut: m.bOut.Load()}
}

// rateWindow is the shortest interval Rates measures over: calls closer
// together return the last figures.
const rateWindow = time.Second

type rateState struct {
	at      time.Time
	last    Totals
	in, out float64
}

// Rates returns messages per second in and out, measured between calls at
// least a second apart (the first call returns zeros). now comes from the
// caller's clock.
func (m *Metrics) Rates(now time.Time) (in, out float64) {
	if m == nil {
		return 0, 0
	}
	t := m.Totals()
	m.rateMu.Lock()
	defer m.rateMu.Unlock()
	r := &m.rate
	if r.at.IsZero() {
		r.at, r.last = now, t
		return 0, 0
	}
	if d := now.Sub(r.at); d >= rateWindow {
		r.in = float64(t.MsgsIn-r.last.MsgsIn) / d.Seconds()
		r.out = float64(t.MsgsOut-r.last.MsgsOut) / d.Seconds()
		r.at, r.last = now, t
	}
	return r.in, r.out
}

// watched is a value a gauge reads at each scrape through a function the
// value's owner sets later (Watch...), so the gauge is always current
// without a goroutine to refresh it. Zero until set.
type watched[T any] struct{ f atomic.Pointer[func() T] }

func (w *watched[T]) set(f func() T) { w.f.Store(&f) }

// read returns a GaugeFunc's function: pick of the current value.
func (w *watched[T]) read(pick func(T) float64) func() float64 {
	return func() float64 {
		f := w.f.Load()
		if f == nil {
			return 0
		}
		return pick((*f)())
	}
}

// mempoolSize is what the mempool gauges read.
type mempoolSize struct {
	count int
	bytes int64
}
