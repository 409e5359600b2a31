package node

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestNewLogger(t *testing.T) {
	var buf bytes.Buffer
	log, err := NewLogger(&buf, LogConfig{Format: "json", Level: "warn", Levels: map[string]string{"p2p": "debug"}})
	if err != nil {
		t.Fatal(err)
	}
	log.With("component", "chain").Info("hidden")
	log.With("component", "chain").Warn("shown", "n", 1)
	log.With("component", "p2p").Debug("p2p debug")
	log.With("component", "p2p").With("peer", "x").Debug("still p2p")
	log.Info("hidden too")
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		lines = append(lines, m["msg"].(string))
	}
	if got := strings.Join(lines, ","); got != "shown,p2p debug,still p2p" {
		t.Fatalf("logged %q", got)
	}

	buf.Reset()
	log, _ = NewLogger(&buf, LogConfig{TTY: true})
	log.Info("hello", "k", "v")
	if !strings.Contains(buf.String(), "msg=hello k=v") {
		t.Fatalf("text on a terminal: %q", buf.String())
	}
	for _, bad := range []LogConfig{{Level: "loud"}, {Format: "xml"}, {Levels: map[string]string{"p2p": "x"}}} {
		if _, err := NewLogger(&buf, bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
