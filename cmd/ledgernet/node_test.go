package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNodeCommand runs `ledgernet node` until its context ends (as SIGINT
// would end it) and checks the data directory and the logs.
func TestNodeCommand(t *testing.T) {
	dir := t.TempDir()
	// Ready once it logged its start (after the data files and the token).
	n := startNodeCmd(t, []string{"--datadir", dir, "--listen", "127.0.0.1:0", "--api", "127.0.0.1:0",
		"--mine", "--block-time", "100ms", "--log-format", "json", "--topics", "news"},
		func(n *runningNode) bool { return strings.Contains(n.out.String(), `"msg":"Node started"`) })
	out := &n.out
	if err := n.stop(t); err != nil {
		t.Fatalf("node: %v\n%s", err, out.String())
	}
	for _, f := range []string{"nodekey", "chain.db", "nodes.db", "wallet.key", "api.token"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Errorf("%s: %v", f, err)
		} else if f != "chain.db" && f != "nodes.db" && st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v", f, st.Mode().Perm())
		}
	}
	for _, want := range []string{`"msg":"Node started"`, `"component":"p2p"`, `"msg":"Node stopped"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("logs lack %s:\n%s", want, out.String())
		}
	}
}
