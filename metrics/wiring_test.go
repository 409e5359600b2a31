package metrics_test

import (
	"strings"
	"testing"

	"github.com/ledgernet/ledgernet/metrics"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestObserver: the p2p.Observer adapter updates the series the scrape
// shows.
func TestObserver(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	obs := metrics.Observer(m)
	obs.PeerConnected(true, "rlpx")
	obs.PeerConnected(true, "rlpx")
	obs.PeerConnected(false, "tls")
	obs.PeerDisconnected(true, "rlpx")
	obs.HandshakeFailed("tls", "unknown CA")
	obs.MsgIn("chain", "inv", 37)
	obs.MsgOut("topic", "0", 12)
	obs.Dropped("chain inbox")
	obs.Banned("malformed message")

	// Without messages: drops and peers count, messages do not.
	quiet := metrics.ObserverWithoutMessages(m)
	quiet.MsgIn("chain", "inv", 37)
	quiet.MsgOut("chain", "inv", 37)
	quiet.Dropped("btcpeer send")

	out := scrape(t, reg)
	for _, want := range []string{
		`ledgernet_peers{direction="inbound",transport="rlpx"} 1`,
		`ledgernet_peers{direction="outbound",transport="tls"} 1`,
		`ledgernet_p2p_handshake_failures_total{reason="unknown CA"} 1`,
		`ledgernet_p2p_messages_in_total{command="inv",protocol="chain"} 1`,
		`ledgernet_p2p_bytes_in_total{command="inv",protocol="chain"} 37`,
		`ledgernet_p2p_messages_out_total{command="0",protocol="topic"} 1`,
		`ledgernet_p2p_bytes_out_total{command="0",protocol="topic"} 12`,
		`ledgernet_p2p_dropped_messages_total{queue="chain inbox"} 1`,
		`ledgernet_p2p_dropped_messages_total{queue="btcpeer send"} 1`,
		`ledgernet_p2p_bans_total{reason="malformed message"} 1`,
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("scrape lacks %q", want)
		}
	}
	if tot := m.Totals(); tot != (metrics.Totals{MsgsIn: 1, MsgsOut: 1, BytesIn: 37, BytesOut: 12}) {
		t.Errorf("totals %+v: the quiet observer counted messages", tot)
	}
	if metrics.Observer(nil) != nil || metrics.ObserverWithoutMessages(nil) != nil {
		t.Error("observer of nil metrics is not nil")
	}
}

// TestNewRegistry: the registry carries the runtime and process
// collectors beside the node's metrics, and each call makes a new one.
func TestNewRegistry(t *testing.T) {
	reg := metrics.NewRegistry()
	if _, err := metrics.New(reg); err != nil {
		t.Fatal(err)
	}
	if _, err := metrics.New(metrics.NewRegistry()); err != nil {
		t.Fatalf("second registry: %v", err)
	}
	if n := testutil.CollectAndCount(reg, "go_goroutines", "process_cpu_seconds_total", "ledgernet_sync_height"); n != 3 {
		t.Errorf("%d of go_goroutines, process_cpu_seconds_total, ledgernet_sync_height", n)
	}
	out := scrape(t, reg)
	for _, want := range []string{"go_memstats_alloc_bytes ", "process_resident_memory_bytes ", "ledgernet_sync_height 0"} {
		if !strings.Contains(out, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
}

func TestWatchDiscoveryTable(t *testing.T) {
	reg := metrics.NewRegistry()
	m, err := metrics.New(reg)
	if err != nil {
		t.Fatal(err)
	}
	size := 0
	m.WatchDiscoveryTable(func() int { return size })
	read := func() float64 {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() == metrics.Namespace+"_discovery_table_nodes" {
				return mf.GetMetric()[0].GetGauge().GetValue()
			}
		}
		t.Fatal("discovery_table_nodes not exported")
		return 0
	}
	size = 17
	if v := read(); v != 17 {
		t.Fatalf("gauge %v, want 17", v)
	}
	m.SetDiscoveryTable(3)
	if v := read(); v != 3 {
		t.Fatalf("gauge %v, want 3", v)
	}
}
