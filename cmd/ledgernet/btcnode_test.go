package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/node/btcnode"
)

func TestBtcnodeRuns(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	root := newRootCmd()
	root.SetOut(pw)
	root.SetErr(io.Discard)
	root.SetArgs([]string{"btcnode", "--profile", "regtest", "--datadir", t.TempDir(), "--listen", "127.0.0.1:0", "--status", "50ms"})
	done := make(chan error, 1)
	go func() {
		err := root.ExecuteContext(ctx)
		pw.Close()
		done <- err
	}()
	sc := bufio.NewScanner(pr)
	for range 2 {
		if !sc.Scan() {
			t.Fatal("no status line")
		}
		var ci btcnode.ChainInfo
		if err := json.Unmarshal(sc.Bytes(), &ci); err != nil || ci.Network != "regtest" || ci.Height != 0 {
			t.Fatalf("status %q: %v", sc.Text(), err)
		}
	}
	cancel()
	go io.Copy(io.Discard, pr)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not stop")
	}
}

func TestBtcnodeBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"btcnode", "--profile", "nonet", "--datadir", t.TempDir()},
		{"btcnode", "--profile", "regtest"},
		{"btcnode", "--datadir", t.TempDir(), "--whitelist", "nonsense"},
	} {
		root := newRootCmd()
		root.SetOut(io.Discard)
		root.SetErr(io.Discard)
		root.SetArgs(args)
		var ee *exitError
		if err := root.Execute(); !errors.As(err, &ee) || ee.code != 2 {
			t.Errorf("%v: %v", args, err)
		}
	}
}
