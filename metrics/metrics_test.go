package metrics_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/metrics"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// scrape serves reg over HTTP, as the API server does, and returns the
// text exposition.
func scrape(t *testing.T, reg *prometheus.Registry) string {
	t.Helper()
	ts := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer ts.Close()
	resp, err := ts.Client().Get(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: %d %v", resp.StatusCode, err)
	}
	return string(b)
}

func TestScrape(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	m.PeerConnected(metrics.Inbound, "rlpx")
	m.PeerConnected(metrics.Dir(true), "rlpx")
	m.PeerConnected(metrics.Dir(false), "plain")
	m.PeerConnected(metrics.Outbound, "tls")
	m.PeerDisconnected(metrics.Outbound, "tls")
	m.MsgIn("chain", "inv", 37)
	m.MsgIn("chain", "inv", 73)
	m.MsgOut("topic", "publish", 500)
	m.HandshakeFailed("timeout")
	m.HandshakeFailed("timeout")
	m.HandshakeFailed("bad auth")
	m.SetDiscoveryTable(42)
	m.SetSync(90, 120)
	m.BlocksConnected(90)
	m.SetMempool(3, 750)
	m.Dropped("topic")
	m.Banned("misbehaving")

	out := scrape(t, reg)
	for _, want := range []string{
		`ledgernet_peers{direction="inbound",transport="rlpx"} 2`,
		`ledgernet_peers{direction="outbound",transport="plain"} 1`,
		`ledgernet_peers{direction="outbound",transport="tls"} 0`,
		`ledgernet_p2p_messages_in_total{command="inv",protocol="chain"} 2`,
		`ledgernet_p2p_bytes_in_total{command="inv",protocol="chain"} 110`,
		`ledgernet_p2p_messages_out_total{command="publish",protocol="topic"} 1`,
		`ledgernet_p2p_bytes_out_total{command="publish",protocol="topic"} 500`,
		`ledgernet_p2p_handshake_failures_total{reason="timeout"} 2`,
		`ledgernet_p2p_handshake_failures_total{reason="bad auth"} 1`,
		`ledgernet_discovery_table_nodes 42`,
		`ledgernet_sync_height 90`,
		`ledgernet_sync_header_height 120`,
		`ledgernet_sync_progress 0.75`,
		`ledgernet_sync_blocks_total 90`,
		`ledgernet_mempool_transactions 3`,
		`ledgernet_mempool_bytes 750`,
		`ledgernet_p2p_dropped_messages_total{queue="topic"} 1`,
		`ledgernet_p2p_bans_total{reason="misbehaving"} 1`,
		`# TYPE ledgernet_p2p_messages_in_total counter`,
		`# TYPE ledgernet_peers gauge`,
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("scrape lacks %q", want)
		}
	}
	if tot := m.Totals(); tot != (metrics.Totals{MsgsIn: 2, MsgsOut: 1, BytesIn: 110, BytesOut: 500}) {
		t.Errorf("totals %+v", tot)
	}
	if err := testutil.CollectAndCompare(reg, strings.NewReader(`
# HELP ledgernet_sync_height Height of the best fully validated block.
# TYPE ledgernet_sync_height gauge
ledgernet_sync_height 90
`), "ledgernet_sync_height"); err != nil {
		t.Error(err)
	}
}

func TestRegisterTwice(t *testing.T) {
	reg := prometheus.NewRegistry()
	if _, err := metrics.New(reg); err != nil {
		t.Fatal(err)
	}
	if _, err := metrics.New(reg); err == nil {
		t.Error("second New on one registry succeeded")
	}
	if _, err := metrics.New(nil); err == nil {
		t.Error("New(nil) succeeded")
	}
	// Separate registries hold separate nodes.
	if _, err := metrics.New(prometheus.NewRegistry()); err != nil {
		t.Error(err)
	}
}

// TestLabelBounds: a peer sending a new command name in every message must
// not grow the registry without bound.
func TestLabelBounds(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, _ := metrics.New(reg)
	for i := range 10000 {
		m.MsgIn("chain", fmt.Sprintf("cmd%d", i), 1)
		m.HandshakeFailed(fmt.Sprintf("reason %d", i))
		m.Banned(fmt.Sprintf("r%d", i))
	}
	m.MsgIn("chain", "bad\x00cmd", 1)
	m.MsgIn("chain", strings.Repeat("x", 100), 1)
	m.Dropped("")
	n := testutil.CollectAndCount(reg, "ledgernet_p2p_messages_in_total")
	if n > 257 {
		t.Errorf("%d command series, want at most 257", n)
	}
	if got := testutil.ToFloat64(m.TestCounter("in", "other", "other")); got != 10000-256+2 {
		t.Errorf("other: %v", got)
	}
	if n := testutil.CollectAndCount(reg, "ledgernet_p2p_handshake_failures_total", "ledgernet_p2p_bans_total"); n > 2*257 {
		t.Errorf("%d reason series", n)
	}
	out := scrape(t, reg)
	if !strings.Contains(out, `ledgernet_p2p_dropped_messages_total{queue="none"} 1`) {
		t.Error("empty label value not mapped to none")
	}
}

func TestNil(t *testing.T) {
	var m *metrics.Metrics
	m.PeerConnected(metrics.Inbound, "rlpx")
	m.PeerDisconnected(metrics.Inbound, "rlpx")
	m.MsgIn("a", "b", 1)
	m.MsgOut("a", "b", 1)
	m.HandshakeFailed("x")
	m.SetDiscoveryTable(1)
	m.SetSync(1, 2)
	m.BlocksConnected(1)
	m.SetMempool(1, 2)
	m.Dropped("q")
	m.Banned("r")
	if in, out := m.Rates(time.Now()); in != 0 || out != 0 || m.Totals() != (metrics.Totals{}) {
		t.Error("nil metrics not zero")
	}
}

func TestRates(t *testing.T) {
	m, _ := metrics.New(prometheus.NewRegistry())
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if in, out := m.Rates(t0); in != 0 || out != 0 {
		t.Errorf("first call %v %v", in, out)
	}
	for range 30 {
		m.MsgIn("chain", "tx", 10)
	}
	for range 10 {
		m.MsgOut("chain", "tx", 10)
	}
	if in, out := m.Rates(t0.Add(500 * time.Millisecond)); in != 0 || out != 0 {
		t.Errorf("within the window: %v %v", in, out)
	}
	if in, out := m.Rates(t0.Add(2 * time.Second)); in != 15 || out != 5 {
		t.Errorf("rates %v %v, want 15 5", in, out)
	}
	if in, out := m.Rates(t0.Add(2500 * time.Millisecond)); in != 15 || out != 5 {
		t.Errorf("kept rates %v %v", in, out)
	}
	if in, out := m.Rates(t0.Add(4 * time.Second)); in != 0 || out != 0 {
		t.Errorf("idle rates %v %v", in, out)
	}
}
