package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func TestConfigPrintPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "node.toml")
	if err := os.WriteFile(file, []byte("profile = \"regtest\"\nlisten = \"127.0.0.1:1111\"\nmax_peers = 30\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, "config", "print", "--config", file, "--maxpeers", "40")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`profile = "regtest"`, `listen = "127.0.0.1:1111"`, `max_peers = 40`, `transport = "plain"`, `max_outbound = 8`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	out, err = runCLI(t, "config", "print", "--profile", "permissioned", "--certs", dir, "--peer", "127.0.0.1:30801", "--peer", "127.0.0.1:30802")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(out, "[[peers]]") != 2 || !strings.Contains(out, `transport = "tls"`) {
		t.Errorf("permissioned flags not applied:\n%s", out)
	}
	if _, err := runCLI(t, "config", "print", "--profile", "moon"); err == nil {
		t.Error("unknown profile accepted")
	}
}
