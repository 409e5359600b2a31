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
	} {
		_, err := runCLI(t, append([]string{"devnet", "--api", "off"}, args...)...)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 {
			t.Errorf("%v: %v, want exit code 2", args, err)
		}
	}
}
