package node

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/ledgernet/ledgernet/api"
	"github.com/ledgernet/ledgernet/config"
)

// scrape reads a node's /metrics over HTTP, as Prometheus does.
func scrape(t *testing.T, n *Node) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + n.APIAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %s", resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics: %v", err)
	}
	return fams
}

// metricSum is the sum of a family's samples (0 when absent), optionally
// only those with label=value.
func metricSum(fams map[string]*dto.MetricFamily, name string, label ...string) float64 {
	f := fams[name]
	if f == nil {
		return 0
	}
	var sum float64
next:
	for _, m := range f.GetMetric() {
		for i := 0; i+1 < len(label); i += 2 {
			found := false
			for _, lp := range m.GetLabel() {
				if lp.GetName() == label[i] && lp.GetValue() == label[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Untyped != nil:
			sum += m.GetUntyped().GetValue()
		}
	}
	return sum
}

// TestMetricsPeersEveryProfile: on each profile two nodes connect, and the
// first one's /metrics counts exactly the peers its /api/v1/peers lists, on
// the right transport, once; when the peer leaves, the gauge returns to 0.
func TestMetricsPeersEveryProfile(t *testing.T) {
	for _, tc := range []struct{ profile, transport string }{
		{config.ProfileDevnet, "rlpx"},
		{config.ProfilePermissioned, "tls"},
		{config.ProfileRegtest, "plain"},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			a, b := startPair(t, tc.profile)
			c := api.NewClient(a.APIAddr(), "", nil)
			peers, err := c.Peers(context.Background())
			if err != nil || len(peers) != 1 {
				t.Fatalf("/api/v1/peers: %+v, %v", peers, err)
			}
			fams := scrape(t, a)
			if got := metricSum(fams, "ledgernet_peers"); got != float64(len(peers)) {
				t.Fatalf("ledgernet_peers sums to %v, /api/v1/peers lists %d", got, len(peers))
			}
			if got := metricSum(fams, "ledgernet_peers", "direction", "inbound", "transport", tc.transport); got != 1 {
				t.Fatalf("ledgernet_peers{direction=inbound,transport=%s} = %v", tc.transport, got)
			}
			b.Stop()
			waitFor(t, 3*time.Minute, func() string { return fmt.Sprintf("a has %d peers", a.PeerCount()) }, func() bool {
				return a.PeerCount() == 0 && metricSum(scrape(t, a), "ledgernet_peers") == 0
			})
		})
	}
}

// TestMetricsHostileRegtest: on a Bitcoin profile, a connection that sends
// bytes of another network is counted as a failed handshake and dropped; a
// local address is not banned for it (bans are the operator's), and an
// operator's ban is counted: /metrics as it happened.
func TestMetricsHostileRegtest(t *testing.T) {
	cfg := regtestConfig(t)
	cfg.API = "127.0.0.1:0"
	a := startNode(t, "a", cfg, Options{})
	c, err := net.Dial("tcp", a.ListenAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// A mainnet envelope (magic f9beb4d9) on a regtest node.
	verack, _ := hex.DecodeString("f9beb4d976657261636b000000000000000000005df6e0e2")
	if _, err := c.Write(verack); err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, c) // until the node hangs up
	// Counted as the node's handshake goroutine ends, just after the hang-up.
	var fams map[string]*dto.MetricFamily
	waitFor(t, 3*time.Minute, func() string { return fmt.Sprint(fams["ledgernet_p2p_handshake_failures_total"]) }, func() bool {
		fams = scrape(t, a)
		return metricSum(fams, "ledgernet_p2p_handshake_failures_total", "reason", "protocol error") == 1
	})
	if bans := a.btc.Bans().List(); len(bans) != 0 || metricSum(fams, "ledgernet_p2p_bans_total") != 0 {
		t.Fatalf("ban list %v, bans_total %v: a local address is never banned automatically", bans, metricSum(fams, "ledgernet_p2p_bans_total"))
	}
	if got := metricSum(fams, "ledgernet_peers"); got != 0 {
		t.Fatalf("ledgernet_peers = %v with no peer", got)
	}
	if err := a.Ban(context.Background(), "192.0.2.0/24", time.Hour, "operator"); err != nil {
		t.Fatal(err)
	}
	if got := metricSum(scrape(t, a), "ledgernet_p2p_bans_total"); got != 1 {
		t.Fatalf("ledgernet_p2p_bans_total = %v after one operator ban", got)
	}
}
