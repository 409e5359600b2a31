package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/p2p/enode"
)

// discServe runs `discv4 serve` in process until the test ends and returns
// its stdout lines.
func discServe(t *testing.T, args ...string) <-chan string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	root := newRootCmd()
	root.SetOut(pw)
	root.SetErr(io.Discard)
	root.SetArgs(append([]string{"discv4", "serve", "--listen", "127.0.0.1:0"}, args...))
	done := make(chan error, 1)
	go func() {
		err := root.ExecuteContext(ctx)
		pw.Close()
		done <- err
	}()
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		cancel()
		for range lines {
		}
		if err := <-done; err != nil {
			t.Errorf("discv4 serve: %v", err)
		}
	})
	return lines
}

func nextLine(t *testing.T, lines <-chan string) string {
	t.Helper()
	select {
	case l, ok := <-lines:
		if !ok {
			t.Fatal("command ended")
		}
		return l
	case <-time.After(3 * time.Minute):
		t.Fatal("no output")
		return ""
	}
}

// TestDiscv4Serve runs two nodes in process: the second bootstraps from the
// first and reports it in its table.
func TestDiscv4Serve(t *testing.T) {
	dir := t.TempDir()
	a := discServe(t, "--nodekey", filepath.Join(dir, "a.key"), "--network", "testnet")
	urlA := nextLine(t, a)
	na, err := enode.ParseV4(urlA)
	if err != nil {
		t.Fatalf("first line %q: %v", urlA, err)
	}
	rec, err := enode.Parse(nextLine(t, a))
	if err != nil || rec.ID() != na.ID() {
		t.Fatalf("second line: record %v (%v)", rec, err)
	}
	if nw, _ := rec.Network(); nw != "testnet" {
		t.Fatalf("record network %q", nw)
	}
	key, err := enode.LoadNodeKey(filepath.Join(dir, "a.key"))
	if err != nil || enode.PubkeyToID(key.PubKey()) != na.ID() {
		t.Fatalf("enode is not the key file's (%v)", err)
	}

	dbPath := filepath.Join(dir, "b.db")
	b := discServe(t, "--bootnodes", urlA, "--nodedb", dbPath)
	nextLine(t, b)
	nextLine(t, b)
	l := nextLine(t, b)
	if f := strings.Fields(l); len(f) != 3 || f[0] != "table" || f[2] != urlA {
		t.Fatalf("table line %q, want the bootnode %s", l, urlA)
	}
	if _, err := os.Stat(dbPath); err != nil {
		t.Fatalf("node database not created: %v", err)
	}
}

func TestDiscv4ServeBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"discv4", "serve", "--listen", "nonsense"},
		{"discv4", "serve", "--listen", "127.0.0.1:0", "--bootnodes", "enode://zz"},
	} {
		root := newRootCmd()
		root.SetOut(io.Discard)
		root.SetErr(io.Discard)
		root.SetArgs(args)
		err := root.Execute()
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 {
			t.Errorf("%v: err %v, want exit code 2", args, err)
		}
	}
}
