package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledgernet/ledgernet/p2p/enode"
)

// runKeyCLI runs the ledgernet command line with args and returns its output.
func runKeyCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func TestKeyCommands(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nodekey")
	out, err := runKeyCLI(t, "key", "generate", "--out", path)
	if err != nil {
		t.Fatalf("generate: %v\n%s", err, out)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	key, err := enode.LoadNodeKey(path)
	if err != nil {
		t.Fatal(err)
	}
	id := enode.PubkeyToID(key.PubKey()).String()
	pub := enode.PubkeyHex(key.PubKey())
	for _, want := range []string{"node ID: " + id, "pubkey:  " + pub} {
		if !strings.Contains(out, want) {
			t.Errorf("generate output lacks %q:\n%s", want, out)
		}
	}

	out, err = runKeyCLI(t, "key", "show", "--nodekey", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"pubkey:  " + pub, "node ID: " + id, "enode:   enode://" + pub + "@127.0.0.1:30777\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("show output lacks %q:\n%s", want, out)
		}
	}
	out, err = runKeyCLI(t, "key", "show", "--nodekey", path, "--addr", "[::1]:30303")
	if err != nil || !strings.Contains(out, "enode://"+pub+"@[::1]:30303\n") {
		t.Errorf("show --addr ipv6: %v\n%s", err, out)
	}

	out, err = runKeyCLI(t, "key", "id", "--nodekey", path)
	if err != nil || out != id+"\n" {
		t.Errorf("id = %q, %v", out, err)
	}

	// Never overwrite a key.
	if _, err := runKeyCLI(t, "key", "generate", "--out", path); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second generate: %v", err)
	}
	if k2, _ := enode.LoadNodeKey(path); !k2.PubKey().IsEqual(key.PubKey()) {
		t.Error("key was overwritten")
	}
}

func TestKeyCommandErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad")
	os.WriteFile(bad, []byte("not a key"), 0o600)
	tests := []struct {
		name string
		args []string
		code int // 0: any error
		want string
	}{
		{"show without nodekey", []string{"key", "show"}, 2, "--nodekey is required"},
		{"id without nodekey", []string{"key", "id"}, 2, "--nodekey is required"},
		{"bad addr", []string{"key", "show", "--nodekey", bad, "--addr", "localhost:1"}, 2, "--addr"},
		{"extra argument", []string{"key", "id", "x"}, 2, "takes no arguments"},
		{"malformed key", []string{"key", "id", "--nodekey", bad}, 0, "too short"},
		{"missing key", []string{"key", "id", "--nodekey", filepath.Join(dir, "none")}, 0, "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runKeyCLI(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to mention %q", err, tc.want)
			}
			var ee *exitError
			if tc.code != 0 && (!errors.As(err, &ee) || ee.code != tc.code) {
				t.Errorf("exit code: %v, want %d", err, tc.code)
			}
		})
	}
}
