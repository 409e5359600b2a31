package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/api"
	"github.com/ledgernet/ledgernet/api/apitest"
)

// clientEnv is an API server over a fake backend of four nodes, with its
// token in a data directory.
type clientEnv struct {
	b       *apitest.Backend
	url     string
	datadir string
}

func newClientEnv(t *testing.T) *clientEnv {
	t.Helper()
	datadir := t.TempDir()
	tok, err := api.LoadOrCreateToken(filepath.Join(datadir, api.TokenFile))
	if err != nil {
		t.Fatal(err)
	}
	b := apitest.New(4)
	srv := api.New(b, api.Config{Token: tok})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		srv.Shutdown(context.Background())
		b.Close()
		ts.Close()
	})
	return &clientEnv{b: b, url: ts.URL, datadir: datadir}
}

// syncBuffer is a bytes.Buffer safe to read while a command writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

func (e *clientEnv) run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return e.runCtx(t, context.Background(), &syncBuffer{}, args...)
}

func (e *clientEnv) runCtx(t *testing.T, ctx context.Context, out *syncBuffer, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	root.SetOut(out)
	root.SetErr(out)
	root.SetArgs(append(args, "--api", e.url, "--datadir", e.datadir))
	err := root.ExecuteContext(ctx)
	return out.String(), err
}

func TestClientReads(t *testing.T) {
	e := newClientEnv(t)

	out, err := e.run(t, "peers")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ADDR", "TRANSPORT", "127.0.0.1:30301", apitest.NodeID(1)[:16], "rlpx", "1.5ms", "/ledgernet:test/", "2 peers"} {
		if !strings.Contains(out, want) {
			t.Errorf("peers output lacks %q:\n%s", want, out)
		}
	}
	out, err = e.run(t, "peers", "--json")
	var peers []api.PeerInfo
	if err != nil || json.Unmarshal([]byte(out), &peers) != nil || len(peers) != 2 || peers[0].ID != apitest.NodeID(1) {
		t.Errorf("peers --json: %v\n%s", err, out)
	}

	out, err = e.run(t, "status")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"NODE", "SEQ", apitest.NodeID(3)[:16], "news,t0", "0x409", "4 nodes"} {
		if !strings.Contains(out, want) {
			t.Errorf("status output lacks %q:\n%s", want, out)
		}
	}
	out, err = e.run(t, "status", "--json")
	var recs []api.StatusRecord
	if err != nil || json.Unmarshal([]byte(out), &recs) != nil || len(recs) != 4 {
		t.Errorf("status --json: %v\n%s", err, out)
	}

	e.b.SubmitTx(context.Background(), []byte("some transaction"))
	out, err = e.run(t, "chain")
	if err != nil {
		t.Fatal(err)
	}
	chain, _ := e.b.Chain(context.Background())
	for _, want := range []string{"height:   100", "tip:      " + chain.Tip, "headers:  100", "sync:     in sync", "mempool:  1 transactions, 16 bytes"} {
		if !strings.Contains(out, want) {
			t.Errorf("chain output lacks %q:\n%s", want, out)
		}
	}
	out, err = e.run(t, "chain", "--json")
	var cj struct {
		Height  int64           `json:"height"`
		Tip     string          `json:"tip"`
		Mempool api.MempoolInfo `json:"mempool"`
	}
	if err != nil || json.Unmarshal([]byte(out), &cj) != nil || cj.Height != 100 || cj.Tip != chain.Tip || cj.Mempool.Count != 1 {
		t.Errorf("chain --json: %v\n%s", err, out)
	}
}

func TestClientWrites(t *testing.T) {
	e := newClientEnv(t)
	if out, err := e.run(t, "send", apitest.NodeID(2), "hello node 2"); err != nil || !strings.Contains(out, "sent 12 bytes") {
		t.Fatalf("send: %v\n%s", err, out)
	}
	if out, err := e.run(t, "publish", "news", "extra extra"); err != nil || !strings.Contains(out, "published 11 bytes to news") {
		t.Fatalf("publish: %v\n%s", err, out)
	}
	if out, err := e.run(t, "broadcast", "all hands"); err != nil || !strings.Contains(out, "broadcast 9 bytes") {
		t.Fatalf("broadcast: %v\n%s", err, out)
	}
	if out, err := e.run(t, "admin", "addpeer", "127.0.0.1:8333"); err != nil || !strings.Contains(out, "adding peer 127.0.0.1:8333") {
		t.Fatalf("addpeer: %v\n%s", err, out)
	}
	if got := e.b.StaticPeers(); len(got) != 1 || got[0] != "127.0.0.1:8333" {
		t.Errorf("static peers %v", got)
	}
	if out, err := e.run(t, "admin", "removepeer", "127.0.0.1:8333"); err != nil || !strings.Contains(out, "removed peer") {
		t.Fatalf("removepeer: %v\n%s", err, out)
	}
	d := e.b.Deliveries()
	if len(d) != 3 || d[0].Kind != "send" || d[0].To != apitest.NodeID(2) || string(d[0].Payload) != "hello node 2" ||
		d[1].Kind != "publish" || d[1].To != "news" || d[2].Kind != "broadcast" {
		t.Errorf("deliveries %+v", d)
	}
}

func TestClientErrors(t *testing.T) {
	e := newClientEnv(t)
	// Unknown node: the API's 404 comes back as an error.
	_, err := e.run(t, "send", strings.Repeat("ab", 32), "hi")
	if !errors.Is(err, api.ErrNotFound) {
		t.Errorf("send to unknown node: %v", err)
	}
	// No token file: a clear error, before any request.
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs([]string{"publish", "news", "x", "--api", e.url, "--datadir", t.TempDir()})
	if err := root.Execute(); err == nil || !strings.Contains(err.Error(), "api.token") {
		t.Errorf("missing token: %v", err)
	}
	// A wrong token is refused by the server.
	os.WriteFile(filepath.Join(e.datadir, api.TokenFile), []byte(strings.Repeat("0", 64)), 0o600)
	if _, err := e.run(t, "admin", "addpeer", "127.0.0.1:1"); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong token: %v", err)
	}
	// Usage errors exit with 2.
	for _, args := range [][]string{{"send", "x"}, {"publish"}, {"peers", "extra"}, {"admin", "addpeer"}} {
		_, err := e.run(t, args...)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 {
			t.Errorf("%v: %v, want exit code 2", args, err)
		}
	}
	// Not ready.
	e.b.SetReady(false)
	if _, err := e.run(t, "chain"); !errors.Is(err, api.ErrNotReady) {
		t.Errorf("not ready: %v", err)
	}
	// Nothing listening.
	root = newRootCmd()
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs([]string{"peers", "--api", "127.0.0.1:1"})
	if err := root.Execute(); err == nil {
		t.Error("no server, no error")
	}
}

func TestClientSubscribe(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		e := newClientEnv(t)
		ctx, cancel := context.WithCancel(context.Background())
		out := &syncBuffer{}
		done := make(chan error, 1)
		args := []string{"subscribe", "news"}
		if asJSON {
			args = append(args, "--json")
		}
		go func() {
			_, err := e.runCtx(t, ctx, out, args...)
			done <- err
		}()
		deadline := time.Now().Add(time.Minute)
		for e.b.Subscribers("news") == 0 {
			if time.Now().After(deadline) {
				t.Fatal("never subscribed")
			}
			time.Sleep(5 * time.Millisecond)
		}
		e.b.Deliver(apitest.NodeID(3), "news", []byte("hello subscribers"))
		e.b.Deliver(apitest.NodeID(3), "news", []byte{0xff, 0x01})
		for !strings.Contains(out.String(), "/wE=") {
			if time.Now().After(deadline) {
				t.Fatalf("messages not printed:\n%s", out)
			}
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("subscribe ended with %v", err)
		}
		got := out.String()
		if asJSON {
			if !strings.Contains(got, `"text":"hello subscribers"`) || !strings.Contains(got, `"origin":"`+apitest.NodeID(3)+`"`) {
				t.Errorf("json output:\n%s", got)
			}
		} else if !strings.Contains(got, "subscribed to news") || !strings.Contains(got, apitest.NodeID(3)[:16]+" news: hello subscribers\n") ||
			!strings.Contains(got, "news: base64:/wE=\n") {
			t.Errorf("output:\n%s", got)
		}
	}
}
