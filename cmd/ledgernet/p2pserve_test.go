package main

import (
	"bufio"
	"context"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/server"
)

// TestP2PServe runs `p2p serve` in process, connects a server to the enode
// it prints, talks to its echo protocol, and stops it with the context.
func TestP2PServe(t *testing.T) {
	keyPath := filepath.Join(t.TempDir(), "nodekey")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	root := newRootCmd()
	root.SetOut(pw)
	root.SetErr(io.Discard)
	root.SetArgs([]string{"p2p", "serve", "--listen", "127.0.0.1:0", "--nodekey", keyPath})
	done := make(chan error, 1)
	go func() {
		err := root.ExecuteContext(ctx)
		pw.Close()
		done <- err
	}()
	lines := make(chan string, 16)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	next := func() string {
		select {
		case l := <-lines:
			return l
		case <-time.After(10 * time.Second):
			t.Fatal("no output")
			return ""
		}
	}
	url := next()
	n, err := enode.ParseV4(url)
	if err != nil {
		t.Fatalf("first line %q: %v", url, err)
	}
	key, err := enode.LoadNodeKey(keyPath)
	if err != nil || n.ID() != enode.PubkeyToID(key.PubKey()) {
		t.Fatalf("enode %s is not the key in %s (%v)", url, keyPath, err)
	}

	echoed := make(chan string, 1)
	client, err := server.New(server.Config{
		PrivateKey:  mustKey(t),
		StaticNodes: []*enode.Node{n},
		Protocols: []server.Protocol{{Name: "lnecho", Version: 1, Length: 2, Run: func(p *server.Peer, rw p2p.MsgReadWriter) error {
			if err := rw.WriteMsg(p2p.Msg{Code: 0, Payload: []byte("hi")}); err != nil {
				return err
			}
			msg, err := rw.ReadMsg()
			if err != nil {
				return err
			}
			echoed <- string(msg.Payload)
			_, err = rw.ReadMsg()
			return err
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	sub := client.Subscribe(4)
	if err := client.Start(); err != nil {
		t.Fatal(err)
	}
	defer client.Stop()
	if l := next(); !strings.HasPrefix(l, "peer added ") || !strings.Contains(l, "caps=[lnecho/1]") || !strings.Contains(l, "inbound=true") {
		t.Fatalf("event line %q", l)
	}
	if got := <-echoed; got != "hi" {
		t.Fatalf("echo %q", got)
	}
	cancel()
	if l := next(); !strings.HasPrefix(l, "peer dropped ") || !strings.Contains(l, `reason="client quitting"`) {
		t.Fatalf("event line %q", l)
	}
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	for ev := range sub.C {
		if ev.Type == server.PeerDropped {
			if !ev.Remote || ev.Reason != p2p.DiscQuitting {
				t.Fatalf("client saw %+v", ev)
			}
			return
		}
	}
	t.Fatal(errors.New("no drop event"))
}

func mustKey(t *testing.T) *secp256k1.PrivateKey {
	t.Helper()
	k, err := enode.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return k
}
