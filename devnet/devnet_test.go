package devnet

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func runTest(t *testing.T, cfg Config) (*Summary, string) {
	t.Helper()
	var out bytes.Buffer
	cfg.Out = &out
	cfg.API = "off"
	if cfg.Refresh == 0 {
		cfg.Refresh = time.Second
	}
	s, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	return s, out.String()
}

// TestRunConverges runs small networks over both transports: they must
// converge with blocks, confirmed transactions and every topic message
// delivered to its subscribers.
func TestRunConverges(t *testing.T) {
	for _, transport := range []string{"rlpx", "tls"} {
		t.Run(transport, func(t *testing.T) {
			s, out := runTest(t, Config{Nodes: 3, Duration: 6 * time.Second, BlockTime: 500 * time.Millisecond,
				TxRate: 4, MsgRate: 4, Transport: transport, Seed: 1})
			if !s.Converged || s.Height < 26 || len(s.Nodes) != 3 {
				t.Fatalf("not converged:\n%s", out)
			}
			if s.TxSent == 0 || s.TxConfirmed == 0 {
				t.Errorf("no transactions confirmed:\n%s", out)
			}
			if s.MsgsPublished == 0 || s.Deliveries != s.DeliveriesWanted || s.DuplicateDeliveries != 0 {
				t.Errorf("topic messages: %d published, %d of %d deliveries, %d duplicates:\n%s",
					s.MsgsPublished, s.Deliveries, s.DeliveriesWanted, s.DuplicateDeliveries, out)
			}
			if !strings.Contains(out, "converged: yes") {
				t.Errorf("summary:\n%s", out)
			}
		})
	}
}

// TestSeedKeys: the same seed gives the same node identities.
func TestSeedKeys(t *testing.T) {
	cfg := Config{Nodes: 2, Duration: time.Second, TxRate: -1, MsgRate: -1, Miners: 1, Seed: 42, Settle: 5 * time.Second}
	a, _ := runTest(t, cfg)
	b, _ := runTest(t, cfg)
	for i := range a.Nodes {
		if a.Nodes[i].ID != b.Nodes[i].ID {
			t.Fatalf("node %d: %s then %s", i, a.Nodes[i].ID, b.Nodes[i].ID)
		}
	}
	cfg.Seed = 43
	c, _ := runTest(t, cfg)
	if c.Nodes[0].ID == a.Nodes[0].ID {
		t.Fatal("another seed, same keys")
	}
}

// TestTTYView redraws in place: the cursor goes up over the previous view.
func TestTTYView(t *testing.T) {
	_, out := runTest(t, Config{Nodes: 2, Duration: 2500 * time.Millisecond, TxRate: -1, MsgRate: -1, TTY: true, Refresh: 500 * time.Millisecond})
	if !strings.Contains(out, "\x1b[") || !strings.Contains(out, "A\x1b[2K") {
		t.Fatalf("no cursor movement in %q", out)
	}
}

func TestBadConfig(t *testing.T) {
	for _, cfg := range []Config{{Nodes: 2, Miners: 3}, {Transport: "quic"}, {Nodes: -1}} {
		if _, err := Run(context.Background(), cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}
