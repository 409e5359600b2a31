package main

import (
	"errors"
	"strings"
	"testing"
)

// TestDevnetCommand runs `ledgernet devnet --duration 10s --nodes 4`
// in-process: the network must converge and the command succeed (exit 0).
func TestDevnetCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a devnet for 10 s")
	}
	out, err := runCLI(t, "devnet", "--duration", "10s", "--nodes", "4", "--seed", "7", "--api", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("devnet: %v\n%s", err, out)
	}
	for _, want := range []string{"dashboard: http://127.0.0.1:", "summary (seed 7, rlpx", "all 4 nodes at height", "converged: yes"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
}

func TestDevnetCommandBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--nodes", "2", "--miners", "3"},
		{"--transport", "quic"},
		{"--nodes", "0"},
		{"--nodes", "-1"},
		{"--miners", "0"},
		{"--block-time", "-5s"},
		{"--block-time", "0s"},
		{"--settle", "0s"},
		{"--duration", "-1s"},
		{"--tx-rate", "0"},
	} {
		_, err := runCLI(t, append([]string{"devnet", "--api", "off"}, args...)...)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 {
			t.Errorf("%v: %v, want exit code 2", args, err)
		}
	}
}

// TestNodeCommandBadBlockTime: an out-of-range value typed by the user is
// refused (usage error, exit 2), never replaced by the default.
func TestNodeCommandBadBlockTime(t *testing.T) {
	_, err := runCLI(t, "node", "--datadir", t.TempDir(), "--listen", "127.0.0.1:0", "--api", "127.0.0.1:0", "--block-time", "-5s")
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(err.Error(), "--block-time") {
		t.Fatalf("--block-time -5s: %v, want a usage error naming the flag", err)
	}
}
