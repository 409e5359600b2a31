package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/api"
	"github.com/ledgernet/ledgernet/api/apitest"
)

// TestStreamCap: over MaxStreams a subscription is answered 503 with a
// JSON error; when a stream ends, its place is free again.
func TestStreamCap(t *testing.T) {
	e := newEnv(t, 3, api.Config{MaxStreams: 1})
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- e.c.Subscribe(ctx, "news", func() { close(ready) }, func(api.Message) error { return nil })
	}()
	<-ready
	code, _, body := e.call(t, "GET", "/api/v1/topics/news", "", "", nil)
	if code != http.StatusServiceUnavailable || !strings.Contains(string(body), "too many event streams") {
		t.Fatalf("second stream: %d %s", code, body)
	}
	cancel()
	<-done
	// The first stream's handler returns after its client went away.
	for deadline := time.Now().Add(time.Minute); e.b.Subscribers("news") != 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("first stream not ended")
		}
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	ready2 := make(chan struct{})
	done2 := make(chan error, 1)
	go func() {
		done2 <- e.c.Subscribe(ctx2, "news", func() { close(ready2) }, func(api.Message) error { return nil })
	}()
	select {
	case <-ready2:
	case err := <-done2:
		t.Fatalf("a stream after the first ended: %v", err)
	}
	cancel2()
	<-done2
}

// TestConnCap: a server with MaxConns 2 and two connections held open
// answers a third 503 with a JSON error, at once; when one closes, calls
// are served again.
func TestConnCap(t *testing.T) {
	b := apitest.New(1)
	defer b.Close()
	srv := api.New(b, api.Config{Addr: "127.0.0.1:0", MaxConns: 2})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	addr := srv.Addr().String()
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held = append(held, c)
	}
	get := func() (*http.Response, error) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return nil, err
		}
		defer c.Close()
		c.Write([]byte("GET /api/v1/node HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"))
		return http.ReadResponse(bufio.NewReader(c), nil)
	}
	// The two held connections are accepted (and counted) once the server
	// has taken them from the backlog; wait for the refusal that proves it.
	var resp *http.Response
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		r, err := get()
		if err != nil {
			t.Fatal(err)
		}
		if r.StatusCode == http.StatusServiceUnavailable {
			resp = r
			break
		}
		r.Body.Close()
		if time.Now().After(deadline) {
			t.Fatalf("a third connection is still served: %s", r.Status)
		}
	}
	var e struct {
		Error string `json:"error"`
		Code  int    `json:"code"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || e.Code != 503 || !strings.Contains(e.Error, "too many API connections") {
		t.Fatalf("refusal body: %+v, %v", e, err)
	}
	held[0].Close()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		r, err := get()
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not served after a connection closed: %s", r.Status)
		}
	}
}
