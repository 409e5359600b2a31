package devp2p

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/p2ptest"
)

// TestConnConformance runs the p2p.Conn suite on Conn: bare after the RLPx
// handshake, over net.Pipe and TCP, and after Setup (Hello exchanged, snappy
// on) over TCP.
func TestConnConformance(t *testing.T) {
	for _, tcp := range []bool{false, true} {
		t.Run(fmt.Sprintf("bare/tcp=%v", tcp), func(t *testing.T) {
			p2ptest.TestConn(t, func(t *testing.T) (p2p.Conn, p2p.Conn) {
				i, r := rlpxPair(t, tcp, newKey(t), newKey(t))
				// The suite's cleanup closes both ends while neither
				// reads: on a pipe each Close waits this long for
				// its Disconnect to be taken.
				cfg := &Config{DisconnectTimeout: 20 * time.Millisecond}
				return NewConn(i, cfg), NewConn(r, cfg)
			}, DefaultMaxMessageSize)
		})
	}
	t.Run("setup/snappy", func(t *testing.T) {
		p2ptest.TestConn(t, func(t *testing.T) (p2p.Conn, p2p.Conn) {
			ri, rr := setupPair(t, true, newKey(t), newKey(t), Hello{Name: "i"}, Hello{Name: "r"})
			if ri.err != nil || rr.err != nil {
				t.Fatalf("setup: %v / %v", ri.err, rr.err)
			}
			return ri.c, rr.c
		}, DefaultMaxMessageSize)
	})
}

// TestConnBaseProtocol drives a Conn from a bare RLPx peer that sees the
// wire codes.
func TestConnBaseProtocol(t *testing.T) {
	raw, rc := rlpxPair(t, true, newKey(t), newKey(t))
	c := NewConn(rc, nil)
	defer c.Close(nil)
	defer raw.Close()

	// Our code 2 travels as 18.
	if err := c.WriteMsg(p2p.Msg{Code: 2, Payload: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if code, data, err := readRaw(t, raw); err != nil || code != 18 || string(data) != "x" {
		t.Fatalf("raw read: code %d %q %v, want 18", code, data, err)
	}
	// Base messages are handled or skipped; capability codes come out
	// shifted down by 16.
	for _, m := range []struct {
		code uint64
		data string
	}{{PongMsg, "\xc0"}, {HelloMsg, "junk"}, {7, ""}, {15, "x"}, {PingMsg, "\xc0"}, {PingMsg, "\xc0"}, {21, "five"}} {
		if _, err := raw.WriteMsg(m.code, []byte(m.data)); err != nil {
			t.Fatal(err)
		}
	}
	msg, err := c.ReadMsg()
	if err != nil || msg.Code != 5 || string(msg.Payload) != "five" {
		t.Fatalf("ReadMsg: %+v %v, want code 5", msg, err)
	}
	// Two Pings, one pending Pong.
	select {
	case <-c.PingReceived():
	default:
		t.Fatal("Ping not signalled")
	}
	select {
	case <-c.PingReceived():
		t.Fatal("two Pings signalled twice; they should coalesce")
	default:
	}
	if err := c.SendPong(); err != nil {
		t.Fatal(err)
	}
	if code, data, err := readRaw(t, raw); err != nil || code != PongMsg || !bytes.Equal(data, []byte{0xc0}) {
		t.Fatalf("pong: %d %x %v", code, data, err)
	}
	if err := c.SendPing(); err != nil {
		t.Fatal(err)
	}
	if code, data, err := readRaw(t, raw); err != nil || code != PingMsg || !bytes.Equal(data, []byte{0xc0}) {
		t.Fatalf("ping: %d %x %v", code, data, err)
	}

	// A Disconnect ends the read side with the reason, in both encodings.
	raw.WriteMsg(DisconnectMsg, []byte{0x04})
	_, err = c.ReadMsg()
	var de *DisconnectError
	if !errors.As(err, &de) || de.Reason != p2p.DiscTooManyPeers || !errors.Is(err, p2p.DiscTooManyPeers) {
		t.Fatalf("after Disconnect: %v", err)
	}
	if _, err2 := c.ReadMsg(); err2 != err {
		t.Fatalf("read error not sticky: %v", err2)
	}
	// Having been told to go, we send no Disconnect back.
	c.Close(p2p.DiscQuitting)
	if code, data, err := readRaw(t, raw); err == nil {
		t.Fatalf("read %d %x after the peer's Disconnect, want EOF", code, data)
	}
}

func TestConnCloseSendsDisconnect(t *testing.T) {
	tests := []struct {
		reason error
		want   string // hex payload, "" for no Disconnect
	}{
		{p2p.DiscQuitting, "c108"},
		{p2p.DiscRequested, "c180"},
		{fmt.Errorf("wrapped: %w", p2p.DiscSubprotocolError), "c110"},
		{p2p.DiscNetworkError, ""},
		{errors.New("no reason"), ""},
		{nil, ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.reason), func(t *testing.T) {
			raw, rc := rlpxPair(t, true, newKey(t), newKey(t))
			defer raw.Close()
			c := NewConn(rc, nil)
			c.Close(tt.reason)
			code, data, err := readRaw(t, raw)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("got code %d %x, want EOF", code, data)
				}
				return
			}
			if err != nil || code != DisconnectMsg || fmt.Sprintf("%x", data) != tt.want {
				t.Fatalf("got %d %x %v, want Disconnect %s", code, data, err, tt.want)
			}
			if err := c.WriteMsg(p2p.Msg{}); !errors.Is(err, ErrClosed) {
				t.Fatalf("write after Close: %v", err)
			}
		})
	}
}

// TestConnIdleTimeout: with the idle timeout, the peer's Pings keep the read
// alive; when they stop, the read times out one timeout later.
func TestConnIdleTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		raw, rc := rlpxPair(t, false, newKey(t), newKey(t))
		c := NewConn(rc, nil)
		defer c.Close(nil)
		defer raw.Close()
		c.SetIdleTimeout(30 * time.Second)
		go func() {
			for range 8 { // 2 minutes of Pings, then silence
				time.Sleep(15 * time.Second)
				if _, err := raw.WriteMsg(PingMsg, emptyList); err != nil {
					return
				}
			}
		}()
		start := time.Now()
		_, err := c.ReadMsg()
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("ReadMsg: %v, want a timeout", err)
		}
		if d := time.Since(start); d != 150*time.Second {
			t.Fatalf("timed out after %v, want 120 s of pings + 30 s", d)
		}
	})
}
