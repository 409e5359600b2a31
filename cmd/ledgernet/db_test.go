package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDBCheck runs a node briefly, then `ledgernet db check` on its data
// directory: sound; then on a truncated chain.db: one clear error, no panic.
func TestDBCheck(t *testing.T) {
	dir := t.TempDir()
	runNodeBriefly(t, dir)
	out, err := runCLI(t, "db", "check", "--datadir", dir)
	if err != nil || !strings.Contains(out, "sound") || !strings.Contains(out, "blocks checked") {
		t.Fatalf("db check: %v\n%s", err, out)
	}
	path := filepath.Join(dir, "chain.db")
	st, _ := os.Stat(path)
	os.Truncate(path, st.Size()/3)
	out, err = runCLI(t, "db", "check", "--datadir", dir)
	if err == nil || !strings.Contains(err.Error(), "chain.db") || !strings.Contains(err.Error(), "cut short") {
		t.Fatalf("db check of a truncated file: %v\n%s", err, out)
	}
	// The node itself refuses it in one line naming the file and the way out.
	out, err = runCLI(t, "node", "--datadir", dir, "--listen", "127.0.0.1:0", "--api", "127.0.0.1:0", "--log-level", "error")
	if err == nil || !strings.Contains(err.Error(), "chain.db") || !strings.Contains(err.Error(), "db check") || strings.Contains(out, "goroutine ") {
		t.Fatalf("node on a truncated chain.db: %v\n%s", err, out)
	}
}

// runNodeBriefly starts `ledgernet node` on dir until its API token exists
// (it has opened every data file), then stops it.
func runNodeBriefly(t *testing.T, dir string) {
	t.Helper()
	n := startNodeCmd(t, []string{"--datadir", dir, "--listen", "127.0.0.1:0", "--api", "127.0.0.1:0", "--mine", "--block-time", "100ms"},
		func(*runningNode) bool {
			_, err := os.Stat(filepath.Join(dir, "api.token"))
			return err == nil
		})
	if err := n.stop(t); err != nil {
		t.Fatalf("node: %v\n%s", err, n.out.String())
	}
}
