package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNodeCommand runs `ledgernet node` until its context ends (as SIGINT
// would end it) and checks the data directory and the logs.
func TestNodeCommand(t *testing.T) {
	dir := t.TempDir()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs([]string{"node", "--datadir", dir, "--listen", "127.0.0.1:0", "--api", "127.0.0.1:0",
		"--mine", "--block-time", "100ms", "--log-format", "json", "--topics", "news"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		if _, err := os.Stat(filepath.Join(dir, "api.token")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("node did not start:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("node: %v\n%s", err, out.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("node did not stop")
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
