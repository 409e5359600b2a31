package api_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/api"
	"github.com/ledgernet/ledgernet/api/apitest"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

type env struct {
	b   *apitest.Backend
	srv *api.Server
	ts  *httptest.Server
	c   *api.Client // with the token
}

func newEnv(t *testing.T, n int, cfg api.Config) *env {
	t.Helper()
	b := apitest.New(n)
	if cfg.Token == "" {
		cfg.Token = testToken
	}
	srv := api.New(b, cfg)
	ts := httptest.NewServer(srv.Handler())
	hc := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(func() {
		srv.Shutdown(context.Background())
		b.Close()
		ts.Close()
		hc.CloseIdleConnections()
	})
	return &env{b: b, srv: srv, ts: ts, c: api.NewClient(ts.URL, cfg.Token, hc)}
}

// call sends a raw request and returns status, headers and body.
func (e *env) call(t *testing.T, method, path, ctype, auth string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

func TestGetEndpoints(t *testing.T) {
	e := newEnv(t, 4, api.Config{})
	ctx := context.Background()

	node, err := e.c.Node(ctx)
	if err != nil || node.ID != apitest.NodeID(0) || node.Profile != "devnet" || len(node.Listen) != 1 {
		t.Fatalf("node: %+v %v", node, err)
	}
	peers, err := e.c.Peers(ctx)
	if err != nil || len(peers) != 2 {
		t.Fatalf("peers: %+v %v", peers, err)
	}
	if p := peers[0]; p.ID != apitest.NodeID(1) || p.Height != 100 || p.Transport != "rlpx" || p.UserAgent == "" || len(p.Caps) != 2 {
		t.Errorf("peer 0: %+v", p)
	}
	chain, err := e.c.Chain(ctx)
	if err != nil || chain.Height != 100 || len(chain.Tip) != 64 || !strings.HasPrefix(chain.Tip, "000000") || chain.Progress != 1 {
		t.Fatalf("chain: %+v %v", chain, err)
	}
	st, err := e.c.Status(ctx)
	if err != nil || len(st) != 4 || st[2].NodeID != apitest.NodeID(2) || len(st[2].Topics) != 2 || st[2].Updated.IsZero() {
		t.Fatalf("status: %+v %v", st, err)
	}
	mp, err := e.c.Mempool(ctx)
	if err != nil || mp.Count != 0 || mp.TxIDs == nil {
		t.Fatalf("mempool: %+v %v", mp, err)
	}
	net, err := e.c.Network(ctx)
	if err != nil || len(net.Nodes) != 4 || len(net.Links) != 4 || !net.Nodes[0].Self || net.MsgInRate == 0 {
		t.Fatalf("network: %+v %v", net, err)
	}

	// The JSON field names are the API's contract.
	code, h, body := e.call(t, "GET", "/api/v1/peers", "", "", nil)
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Fatalf("peers: %d %v", code, h)
	}
	for _, f := range []string{`"addr"`, `"id"`, `"inbound"`, `"version"`, `"user_agent"`, `"services"`, `"height"`, `"ping_ms"`, `"caps"`, `"transport"`} {
		if !bytes.Contains(body, []byte(f)) {
			t.Errorf("peers JSON lacks %s: %s", f, body)
		}
	}
	_, _, body = e.call(t, "GET", "/api/v1/mempool", "", "", nil)
	if !bytes.Contains(body, []byte(`"txids":[]`)) {
		t.Errorf("empty mempool should list [] txids: %s", body)
	}
	code, _, body = e.call(t, "HEAD", "/api/v1/chain", "", "", nil)
	if code != 200 || len(body) != 0 {
		t.Errorf("HEAD chain: %d %q", code, body)
	}
	code, h, _ = e.call(t, "HEAD", "/api/v1/topics/news", "", "", nil)
	if code != 200 || h.Get("Content-Type") != "text/event-stream" || e.b.Subscribers("news") != 0 {
		t.Errorf("HEAD topic: %d %v", code, h)
	}
}

func TestNotReady(t *testing.T) {
	e := newEnv(t, 2, api.Config{})
	e.b.SetReady(false)
	code, h, body := e.call(t, "GET", "/api/v1/node", "", "", nil)
	var eb api.ErrorBody
	if code != 503 || json.Unmarshal(body, &eb) != nil || eb.Code != 503 || h.Get("Retry-After") == "" {
		t.Fatalf("not ready: %d %s %v", code, body, h)
	}
	if _, err := e.c.Chain(context.Background()); !errors.Is(err, api.ErrNotReady) {
		t.Errorf("client error %v, want ErrNotReady", err)
	}
}

func TestErrors(t *testing.T) {
	e := newEnv(t, 4, api.Config{})
	bearer := "Bearer " + testToken
	js := "application/json"
	big := bytes.Repeat([]byte("a"), 3<<20)
	overPayload, _ := json.Marshal(api.PayloadRequest{Data: make([]byte, api.MaxPayload+1)})
	tests := []struct {
		name          string
		method, path  string
		ctype, auth   string
		body          string
		code          int
		allow, errSub string
	}{
		{"unknown endpoint", "GET", "/api/v1/nope", "", "", "", 404, "", "no such endpoint"},
		{"unknown version", "GET", "/api/v2/node", "", "", "", 404, "", "no such endpoint"},
		{"post to a GET", "POST", "/api/v1/node", js, bearer, "{}", 405, "GET, HEAD", "not allowed"},
		{"get a POST", "GET", "/api/v1/transactions", "", "", "", 405, "POST", "not allowed"},
		{"put a topic", "PUT", "/api/v1/topics/news", js, bearer, "{}", 405, "GET, HEAD, POST", "not allowed"},
		{"get admin peer", "GET", "/api/v1/admin/peers/x", "", "", "", 405, "DELETE", "not allowed"},
		{"post dashboard", "POST", "/", js, "", "{}", 405, "GET, HEAD", "not allowed"},
		{"missing token", "POST", "/api/v1/broadcast", js, "", `{"text":"hi"}`, 401, "", "missing bearer token"},
		{"not bearer", "POST", "/api/v1/broadcast", js, "Basic " + testToken, `{"text":"hi"}`, 401, "", "missing bearer token"},
		{"wrong token", "POST", "/api/v1/broadcast", js, "Bearer " + strings.Repeat("0", 64), `{"text":"hi"}`, 401, "", "invalid bearer token"},
		{"short token", "POST", "/api/v1/broadcast", js, "Bearer 0123", `{"text":"hi"}`, 401, "", "invalid bearer token"},
		{"delete without token", "DELETE", "/api/v1/admin/peers/" + apitest.NodeID(1), "", "", "", 401, "", "missing bearer token"},
		{"bad JSON", "POST", "/api/v1/transactions", js, bearer, `{"hex":`, 400, "", "bad JSON"},
		{"empty body", "POST", "/api/v1/transactions", js, bearer, ``, 400, "", "empty body"},
		{"not an object", "POST", "/api/v1/transactions", js, bearer, `[1]`, 400, "", "bad JSON"},
		{"unknown field", "POST", "/api/v1/transactions", js, bearer, `{"hex":"00","x":1}`, 400, "", "unknown field"},
		{"trailing data", "POST", "/api/v1/transactions", js, bearer, `{"hex":"00"} {}`, 400, "", "trailing data"},
		{"multipart body", "POST", "/api/v1/transactions", "multipart/form-data; boundary=x", bearer, `{"hex":"00"}`, 415, "", "must be JSON"},
		{"malformed content type", "POST", "/api/v1/transactions", "application/", bearer, `{"hex":"00"}`, 415, "", "must be JSON"},
		{"text/plain is read as JSON", "POST", "/api/v1/transactions", "text/plain", bearer, `{"hex":"0001"}`, 400, "", "invalid request"},
		{"no content type is read as JSON", "POST", "/api/v1/transactions", "", bearer, `{"hex":"0001"}`, 400, "", "invalid request"},
		{"curl -d's form type is read as JSON", "POST", "/api/v1/transactions", "application/x-www-form-urlencoded", bearer, `{"hex":"0001"}`, 400, "", "invalid request"},
		{"oversized body", "POST", "/api/v1/transactions", js, bearer, `{"hex":"` + string(big) + `"}`, 413, "", "request body over"},
		{"oversized payload", "POST", "/api/v1/broadcast", js, bearer, string(overPayload), 413, "", "payload of"},
		{"bad hex", "POST", "/api/v1/transactions", js, bearer, `{"hex":"zz"}`, 400, "", "hex"},
		{"empty hex", "POST", "/api/v1/transactions", js, bearer, `{"hex":""}`, 400, "", "hex"},
		{"invalid tx", "POST", "/api/v1/transactions", js, bearer, `{"hex":"0001"}`, 400, "", "invalid request"},
		{"empty addr", "POST", "/api/v1/admin/peers", js, bearer, `{"addr":" "}`, 400, "", "addr"},
		{"bad addr", "POST", "/api/v1/admin/peers", js, bearer, `{"addr":"nowhere"}`, 400, "", "invalid request"},
		{"unknown peer", "DELETE", "/api/v1/admin/peers/1.2.3.4:5", "", bearer, ``, 404, "", "not found"},
		{"send to bad id", "POST", "/api/v1/send/abc", js, bearer, `{"text":"hi"}`, 400, "", "64 hex digits"},
		{"send to non-hex id", "POST", "/api/v1/send/" + strings.Repeat("g", 64), js, bearer, `{"text":"hi"}`, 400, "", "64 hex digits"},
		{"send to unknown node", "POST", "/api/v1/send/" + strings.Repeat("ab", 32), js, bearer, `{"text":"hi"}`, 404, "", "not found"},
		{"empty payload", "POST", "/api/v1/send/" + apitest.NodeID(1), js, bearer, `{}`, 400, "", "empty payload"},
		{"text and data", "POST", "/api/v1/broadcast", js, bearer, `{"text":"a","data":"YQ=="}`, 400, "", "not both"},
		{"bad base64", "POST", "/api/v1/broadcast", js, bearer, `{"data":"!!"}`, 400, "", "bad JSON"},
		{"long topic", "POST", "/api/v1/topics/" + strings.Repeat("t", 129), js, bearer, `{"text":"hi"}`, 400, "", "topic"},
		{"subscribe long topic", "GET", "/api/v1/topics/" + strings.Repeat("t", 129), "", "", "", 400, "", "topic"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, h, body := e.call(t, tc.method, tc.path, tc.ctype, tc.auth, []byte(tc.body))
			if code != tc.code {
				t.Fatalf("status %d, want %d: %s", code, tc.code, body)
			}
			var eb api.ErrorBody
			if err := json.Unmarshal(body, &eb); err != nil || eb.Code != tc.code {
				t.Fatalf("error body %q: %v", body, err)
			}
			if !strings.Contains(eb.Error, tc.errSub) {
				t.Errorf("error %q lacks %q", eb.Error, tc.errSub)
			}
			if got := h.Get("Allow"); got != tc.allow {
				t.Errorf("Allow %q, want %q", got, tc.allow)
			}
			if tc.code == 401 && h.Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
	if d := e.b.Deliveries(); len(d) != 0 {
		t.Errorf("failed calls reached the backend: %+v", d)
	}
}

func TestNoTokenConfigured(t *testing.T) {
	b := apitest.New(2)
	srv := api.New(b, api.Config{})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	c := api.NewClient(ts.URL, testToken, ts.Client())
	err := c.Broadcast(context.Background(), []byte("x"))
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Code != 401 || !strings.Contains(ae.Message, "disabled") {
		t.Fatalf("got %v, want 401 disabled", err)
	}
}

func TestHostCheck(t *testing.T) {
	e := newEnv(t, 2, api.Config{AllowedHosts: []string{"node.example"}})
	for host, want := range map[string]int{
		"evil.example":         403,
		"evil.example:8645":    403,
		"localhost:8645":       200,
		"node.example":         200,
		"NODE.example:1":       200,
		"127.0.0.1:8645":       200,
		"[::1]:8645":           200,
		"192.0.2.7":            200,
		"127.0.0.1.nip.io:123": 403,
	} {
		req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/chain", nil)
		req.Host = host
		resp, err := e.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %s: %d, want %d", host, resp.StatusCode, want)
		}
	}
}

func TestMutatingCalls(t *testing.T) {
	e := newEnv(t, 4, api.Config{})
	ctx := context.Background()

	raw := []byte("a fake transaction")
	txid, err := e.c.SubmitTx(ctx, raw)
	if err != nil || len(txid) != 64 {
		t.Fatalf("submit: %q %v", txid, err)
	}
	if _, err := e.c.SubmitTx(ctx, raw); !errors.Is(err, api.ErrDuplicate) {
		t.Errorf("second submit: %v, want ErrDuplicate (409)", err)
	}
	mp, _ := e.c.Mempool(ctx)
	if mp.Count != 1 || mp.TxIDs[0] != txid || mp.Bytes != int64(len(raw)) {
		t.Errorf("mempool %+v", mp)
	}

	if err := e.c.AddPeer(ctx, "enode://abcd@127.0.0.1:30303"); err != nil {
		t.Fatal(err)
	}
	if err := e.c.AddPeer(ctx, "127.0.0.1:8333"); err != nil {
		t.Fatal(err)
	}
	if err := e.c.AddPeer(ctx, "127.0.0.1:8333"); !errors.Is(err, api.ErrDuplicate) {
		t.Errorf("duplicate addpeer: %v", err)
	}
	if err := e.c.RemovePeer(ctx, "enode://abcd@127.0.0.1:30303"); err != nil {
		t.Errorf("remove by enode URL: %v", err)
	}
	if err := e.c.RemovePeer(ctx, "[::1]:8333"); !errors.Is(err, api.ErrNotFound) {
		t.Errorf("remove unknown: %v", err)
	}
	if got := e.b.StaticPeers(); len(got) != 1 || got[0] != "127.0.0.1:8333" {
		t.Errorf("static peers %v", got)
	}
	if err := e.c.RemovePeer(ctx, apitest.NodeID(1)); err != nil {
		t.Errorf("remove by ID: %v", err)
	}
	if err := e.c.RemovePeer(ctx, "127.0.0.1:30303"); err != nil { // node 3, by address
		t.Errorf("remove by address: %v", err)
	}
	if peers, _ := e.c.Peers(ctx); len(peers) != 0 {
		t.Errorf("peers after removing both: %+v", peers)
	}

	bin := []byte{0xff, 0x00, 0xfe}
	if err := e.c.Send(ctx, strings.ToUpper(apitest.NodeID(2)), []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if err := e.c.Send(ctx, apitest.NodeID(3), bin); err != nil {
		t.Fatal(err)
	}
	if err := e.c.Publish(ctx, "news/β", []byte("extra")); err != nil {
		t.Fatal(err)
	}
	if err := e.c.Broadcast(ctx, []byte("to all")); err != nil {
		t.Fatal(err)
	}
	want := []apitest.Delivery{
		{Kind: "send", To: apitest.NodeID(2), Payload: []byte("hello")},
		{Kind: "send", To: apitest.NodeID(3), Payload: bin},
		{Kind: "publish", To: "news/β", Payload: []byte("extra")},
		{Kind: "broadcast", Payload: []byte("to all")},
	}
	got := e.b.Deliveries()
	if len(got) != len(want) {
		t.Fatalf("deliveries %+v", got)
	}
	for i := range want {
		if got[i].Kind != want[i].Kind || got[i].To != want[i].To || !bytes.Equal(got[i].Payload, want[i].Payload) {
			t.Errorf("delivery %d: %+v, want %+v", i, got[i], want[i])
		}
	}

	// A payload of exactly MaxPayload bytes fits.
	if err := e.c.Broadcast(ctx, make([]byte, api.MaxPayload)); err != nil {
		t.Errorf("MaxPayload broadcast: %v", err)
	}
	// Status codes of successes.
	code, _, body := e.call(t, "POST", "/api/v1/broadcast", "application/json; charset=utf-8", "Bearer "+testToken, []byte(`{"text":"x"}`))
	if code != 202 || !bytes.Contains(body, []byte(`"accepted":true`)) {
		t.Errorf("broadcast: %d %s", code, body)
	}
}

func TestSubscribe(t *testing.T) {
	e := newEnv(t, 3, api.Config{KeepAlive: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	ready := make(chan struct{})
	msgs := make(chan api.Message, 4)
	done := make(chan error, 1)
	go func() {
		done <- e.c.Subscribe(ctx, "news", func() { close(ready) }, func(m api.Message) error {
			msgs <- m
			return nil
		})
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatal(err)
	}
	if n := e.b.Subscribers("news"); n != 1 {
		t.Fatalf("%d subscribers once ready", n)
	}
	time.Sleep(50 * time.Millisecond) // let keepalive comments flow between events
	if err := e.c.Publish(ctx, "news", []byte("hello, world")); err != nil {
		t.Fatal(err)
	}
	e.b.Deliver(apitest.NodeID(2), "news", []byte{0xff, 0xfe})
	e.b.Deliver(apitest.NodeID(2), "other", []byte("not for us"))
	m := <-msgs
	if m.Origin != apitest.NodeID(0) || m.Topic != "news" || string(m.Payload) != "hello, world" || m.Text != "hello, world" || m.Received.IsZero() {
		t.Errorf("message %+v", m)
	}
	m = <-msgs
	if m.Origin != apitest.NodeID(2) || !bytes.Equal(m.Payload, []byte{0xff, 0xfe}) || m.Text != "" {
		t.Errorf("binary message %+v", m)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("subscribe returned %v", err)
	}
	waitFor(t, func() bool { return e.b.Subscribers("news") == 0 }, "subscription cancelled after the client left")
}

func TestSubscribeWireFormat(t *testing.T) {
	e := newEnv(t, 2, api.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", e.ts.URL+"/api/v1/topics/"+url.PathEscape("a b"), nil)
	resp, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
	e.b.Deliver("origin", "a b", []byte("payload"))
	buf := make([]byte, 0, 1024)
	for !bytes.Contains(buf, []byte("\n\n")) || !bytes.Contains(buf, []byte("data:")) {
		var b [512]byte
		n, err := resp.Body.Read(b[:])
		if err != nil {
			t.Fatal(err)
		}
		buf = append(buf, b[:n]...)
	}
	i := bytes.Index(buf, []byte("data: "))
	line := buf[i+len("data: "):]
	line = line[:bytes.IndexByte(line, '\n')]
	var got map[string]any
	if err := json.Unmarshal(line, &got); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	if got["origin"] != "origin" || got["topic"] != "a b" || got["payload"] != base64.StdEncoding.EncodeToString([]byte("payload")) ||
		got["text"] != "payload" || got["received"] == nil {
		t.Errorf("event %s", line)
	}
}

// TestServerLifecycle runs a real listener: Shutdown ends open event streams.
func TestServerLifecycle(t *testing.T) {
	b := apitest.New(2)
	defer b.Close()
	srv := api.New(b, api.Config{Addr: "127.0.0.1:0", Token: testToken})
	if srv.Addr() != nil {
		t.Error("Addr before Start")
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err == nil {
		t.Error("second Start succeeded")
	}
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	c := api.NewClient(srv.Addr().String(), testToken, hc)
	if _, err := c.Node(context.Background()); err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- c.Subscribe(context.Background(), "t", func() { close(ready) }, func(api.Message) error { return nil })
	}()
	<-ready
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if err := <-done; !errors.Is(err, api.ErrStreamEnded) {
		t.Errorf("stream ended with %v", err)
	}
	if err := srv.Shutdown(ctx); err != nil {
		t.Errorf("second shutdown: %v", err)
	}
	if err := srv.Start(); err == nil {
		t.Error("Start after Shutdown succeeded")
	}
	if b.Subscribers("t") != 0 {
		t.Error("subscription left behind")
	}
}

func TestBackendClosesStream(t *testing.T) {
	e := newEnv(t, 2, api.Config{})
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- e.c.Subscribe(context.Background(), "t", func() { close(ready) }, func(api.Message) error { return nil })
	}()
	<-ready
	e.b.Close()
	if err := <-done; !errors.Is(err, api.ErrStreamEnded) {
		t.Errorf("stream ended with %v", err)
	}
}

func TestMetricsEndpoint(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "ledgernet_test_total", Help: "test"})
	reg.MustRegister(c)
	c.Add(3)
	e := newEnv(t, 2, api.Config{Metrics: reg})
	code, h, body := e.call(t, "GET", "/metrics", "", "", nil)
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") || !bytes.Contains(body, []byte("ledgernet_test_total 3")) {
		t.Fatalf("metrics: %d %v\n%s", code, h, body)
	}
	if code, _, _ := e.call(t, "POST", "/metrics", "", "", nil); code != 405 {
		t.Errorf("POST /metrics: %d", code)
	}
	// Without a registry there is no /metrics.
	e2 := newEnv(t, 2, api.Config{})
	if code, _, _ := e2.call(t, "GET", "/metrics", "", "", nil); code != 404 {
		t.Errorf("/metrics without registry: %d", code)
	}
}

func TestDashboardFiles(t *testing.T) {
	e := newEnv(t, 2, api.Config{})
	for path, ctype := range map[string]string{"/": "text/html", "/app.js": "text/javascript", "/style.css": "text/css"} {
		code, h, body := e.call(t, "GET", path, "", "", nil)
		if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), ctype) || len(body) == 0 {
			t.Errorf("%s: %d %v", path, code, h)
		}
		if !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("%s: CSP %q", path, h.Get("Content-Security-Policy"))
		}
		// Everything is local: no URL to another host.
		if bytes.Contains(body, []byte("http://")) && !bytes.Contains(body, []byte("http://www.w3.org/2000/svg")) || bytes.Contains(body, []byte("https://")) {
			t.Errorf("%s refers to another host", path)
		}
	}
	if code, _, _ := e.call(t, "GET", "/nope.js", "", "", nil); code != 404 {
		t.Errorf("missing file: %d", code)
	}
}

func TestLoadOrCreateToken(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, api.TokenFile)
	tok, err := api.LoadOrCreateToken(path)
	if err != nil || len(tok) != 64 {
		t.Fatalf("%q %v", tok, err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("token file mode %v %v", fi.Mode(), err)
	}
	again, err := api.LoadOrCreateToken(path)
	if err != nil || again != tok {
		t.Fatalf("second load %q %v, want %q", again, err, tok)
	}
	if other, _ := api.LoadOrCreateToken(filepath.Join(dir, "other")); other == tok {
		t.Error("two tokens alike")
	}
	for name, content := range map[string]string{"short": "abcd\n", "not hex": strings.Repeat("z", 64), "empty": ""} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		if _, err := api.LoadOrCreateToken(p); !errors.Is(err, api.ErrBadToken) {
			t.Errorf("%s: %v, want ErrBadToken", name, err)
		}
	}
	if _, err := api.LoadOrCreateToken(filepath.Join(dir, "no", "such", "dir", "t")); err == nil {
		t.Error("token in a missing directory")
	}
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
