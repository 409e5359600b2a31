package metrics

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// dashboardFile is the Grafana dashboard shipped for these metrics.
const dashboardFile = "../docs/grafana/ledgernet.json"

// TestGrafanaDashboard: every query of the shipped dashboard names only
// metrics a node exports, and every ledgernet metric has a panel.
func TestGrafanaDashboard(t *testing.T) {
	raw, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Name  string `json:"name"`
				Query any    `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}

	// What a node exports: every metric touched once, so that each vector
	// has a series, then gathered.
	reg := NewRegistry()
	m, err := New(reg)
	if err != nil {
		t.Fatal(err)
	}
	m.PeerConnected(Dir(true), "rlpx")
	m.MsgIn("chain", "inv", 1)
	m.MsgOut("chain", "inv", 1)
	m.HandshakeFailed("bad auth")
	m.Dropped("chain inbox")
	m.Banned("flood")
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	exported := map[string]bool{}
	for _, f := range fams {
		exported[f.GetName()] = true
	}

	name := regexp.MustCompile(`\b(ledgernet_[a-z0-9_]+|go_[a-z0-9_]+|process_[a-z0-9_]+)\b`)
	used := map[string]bool{}
	check := func(where, expr string) {
		found := name.FindAllString(expr, -1)
		if len(found) == 0 {
			t.Errorf("%s: query %q names no metric", where, expr)
		}
		for _, n := range found {
			used[n] = true
			if !exported[n] {
				t.Errorf("%s: query %q names %s, which the node does not export", where, expr, n)
			}
		}
	}
	for _, p := range d.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			check("panel "+p.Title, tg.Expr)
		}
	}
	for _, v := range d.Templating.List {
		if q, ok := v.Query.(string); ok && strings.Contains(q, "(") {
			check("variable "+v.Name, q)
		}
	}
	for n := range exported {
		if strings.HasPrefix(n, Namespace+"_") && !used[n] {
			t.Errorf("the dashboard has no panel for %s", n)
		}
	}
}
