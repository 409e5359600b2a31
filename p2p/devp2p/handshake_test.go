package devp2p

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"testing"
	"testing/synctest"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/rlpx"
)

func TestSetup(t *testing.T) {
	keyI, keyR := newKey(t), newKey(t)
	hI := Hello{Name: "init", Caps: []Cap{{"a", 1}, {"b", 2}}, ListenPort: 7}
	hR := Hello{Name: "resp", Caps: []Cap{{"a", 2}}}
	ri, rr := setupPair(t, true, keyI, keyR, hI, hR)
	if ri.err != nil || rr.err != nil {
		t.Fatalf("setup: %v / %v", ri.err, rr.err)
	}
	defer ri.c.Close(nil)
	defer rr.c.Close(nil)
	wantR := &Hello{Version: Version, Name: "resp", Caps: []Cap{{"a", 2}}, ID: PubkeyID(keyR.PubKey())}
	wantI := &Hello{Version: Version, Name: "init", Caps: hI.Caps, ListenPort: 7, ID: PubkeyID(keyI.PubKey())}
	if !reflect.DeepEqual(ri.hello, wantR) {
		t.Errorf("initiator saw %+v, want %+v", ri.hello, wantR)
	}
	if !reflect.DeepEqual(rr.hello, wantI) {
		t.Errorf("recipient saw %+v, want %+v", rr.hello, wantI)
	}
}

// peerScript is what a hand-driven peer does after the RLPx handshake.
type peerScript func(t *testing.T, raw *rlpx.Conn, them *secp256k1.PrivateKey)

func helloFrom(key *secp256k1.PrivateKey, version uint64) []byte {
	return AppendHello(nil, &Hello{Version: version, Name: "raw", ID: PubkeyID(key.PubKey())})
}

// runAgainstRaw runs Setup as initiator against a raw RLPx recipient that
// follows script, and returns Setup's result and the frames the raw peer
// read after the script (until EOF).
func runAgainstRaw(t *testing.T, script peerScript) (*Conn, *Hello, []string, error) {
	t.Helper()
	keyI, keyR := newKey(t), newKey(t)
	fdI, fdR := netPair(t, true)
	raw := rlpx.NewConn(fdR, nil)
	defer raw.Close()
	frames := make(chan []string, 1)
	go func() {
		if _, err := raw.Handshake(keyR); err != nil {
			frames <- []string{"handshake: " + err.Error()}
			return
		}
		script(t, raw, keyR)
		var got []string
		for {
			code, data, err := readRaw(t, raw)
			if err != nil {
				break
			}
			got = append(got, fmt.Sprintf("%d:%x", code, data))
		}
		frames <- got
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, h, err := Setup(ctx, fdI, keyI, keyR.PubKey(), Hello{Name: "us"}, nil)
	if c != nil {
		c.Close(nil)
	}
	return c, h, <-frames, err
}

func TestSetupPeerBehaviour(t *testing.T) {
	other := newKey(t)
	tests := []struct {
		name   string
		script peerScript
		err    error    // Setup's error, nil for success
		sent   []string // frames the peer reads after its script
	}{
		{
			name: "hello with another node's ID",
			script: func(t *testing.T, raw *rlpx.Conn, _ *secp256k1.PrivateKey) {
				readRaw(t, raw) // our Hello
				raw.WriteMsg(HelloMsg, helloFrom(other, 5))
			},
			err:  p2p.DiscUnexpectedIdentity,
			sent: []string{"1:c109"},
		},
		{
			name: "disconnect instead of hello",
			script: func(t *testing.T, raw *rlpx.Conn, _ *secp256k1.PrivateKey) {
				readRaw(t, raw)
				raw.WriteMsg(DisconnectMsg, []byte{0xc1, 0x04})
			},
			err: p2p.DiscTooManyPeers,
		},
		{
			name: "bare disconnect instead of hello",
			script: func(t *testing.T, raw *rlpx.Conn, _ *secp256k1.PrivateKey) {
				readRaw(t, raw)
				raw.WriteMsg(DisconnectMsg, []byte{0x05})
			},
			err: p2p.DiscAlreadyConnected,
		},
		{
			name: "malformed hello",
			script: func(t *testing.T, raw *rlpx.Conn, _ *secp256k1.PrivateKey) {
				readRaw(t, raw)
				raw.WriteMsg(HelloMsg, []byte{0xc3, 0x01, 0x02, 0x03})
			},
			err:  p2p.DiscProtocolError,
			sent: []string{"1:c102"},
		},
		{
			name: "zero node ID",
			script: func(t *testing.T, raw *rlpx.Conn, _ *secp256k1.PrivateKey) {
				readRaw(t, raw)
				raw.WriteMsg(HelloMsg, AppendHello(nil, &Hello{Version: 5}))
			},
			err:  p2p.DiscInvalidIdentity,
			sent: []string{"1:c107"},
		},
		{
			name: "hello over 2 KiB",
			script: func(t *testing.T, raw *rlpx.Conn, key *secp256k1.PrivateKey) {
				readRaw(t, raw)
				h := &Hello{Version: 5, Name: string(make([]byte, MaxHelloSize)), ID: PubkeyID(key.PubKey())}
				raw.WriteMsg(HelloMsg, AppendHello(nil, h))
			},
			err:  ErrHelloTooLarge,
			sent: []string{"1:c102"},
		},
		{
			name: "another message first",
			script: func(t *testing.T, raw *rlpx.Conn, _ *secp256k1.PrivateKey) {
				readRaw(t, raw)
				raw.WriteMsg(PingMsg, emptyList)
			},
			err:  p2p.DiscProtocolError,
			sent: []string{"1:c102"},
		},
		{
			name: "closes after reading our hello (devp2p rlpx ping)",
			script: func(t *testing.T, raw *rlpx.Conn, _ *secp256k1.PrivateKey) {
				readRaw(t, raw)
				raw.Close()
			},
			err: errAny,
		},
		{
			name: "version 4: no snappy",
			script: func(t *testing.T, raw *rlpx.Conn, key *secp256k1.PrivateKey) {
				readRaw(t, raw)
				raw.WriteMsg(HelloMsg, helloFrom(key, 4))
				raw.WriteMsg(17, []byte("plain")) // uncompressed, so our side must not expect snappy
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, h, sent, err := runAgainstRaw(t, tt.script)
			switch {
			case tt.err == nil && err != nil:
				t.Fatalf("Setup: %v", err)
			case tt.err == errAny && err == nil, tt.err != nil && tt.err != errAny && !errors.Is(err, tt.err):
				t.Fatalf("Setup: got %v, want %v", err, tt.err)
			}
			if tt.err == nil && (c == nil || h == nil) {
				t.Fatal("no conn")
			}
			want := tt.sent
			if tt.err == nil {
				// Close(nil) sends nothing; a message the script sent
				// after its Hello was readable (checked below).
				want = nil
			}
			if !reflect.DeepEqual(sent, want) {
				t.Fatalf("peer read %q after its script, want %q", sent, want)
			}
		})
	}
}

var errAny = errors.New("any error")

// TestSetupVersion4NoSnappy: with a version-4 peer the session is not
// compressed in either direction.
func TestSetupVersion4NoSnappy(t *testing.T) {
	keyI, keyR := newKey(t), newKey(t)
	fdI, fdR := netPair(t, true)
	raw := rlpx.NewConn(fdR, nil)
	defer raw.Close()
	done := make(chan error, 1)
	go func() {
		if _, err := raw.Handshake(keyR); err != nil {
			done <- err
			return
		}
		readRaw(t, raw)
		raw.WriteMsg(HelloMsg, helloFrom(keyR, 4))
		raw.WriteMsg(16+3, []byte("plain text"))
		code, data, err := readRaw(t, raw)
		if err == nil && (code != 16+1 || string(data) != "reply") {
			err = fmt.Errorf("got %d %q", code, data)
		}
		done <- err
	}()
	c, h, err := Setup(context.Background(), fdI, keyI, keyR.PubKey(), Hello{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(nil)
	if h.Version != 4 {
		t.Fatalf("version %d", h.Version)
	}
	msg, err := c.ReadMsg()
	if err != nil || msg.Code != 3 || string(msg.Payload) != "plain text" {
		t.Fatalf("read %+v %v", msg, err)
	}
	if err := c.WriteMsg(p2p.Msg{Code: 1, Payload: []byte("reply")}); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestSetupStall: a peer that accepts the connection and then says
// nothing, or stops halfway, is cut at the handshake deadline and leaves no
// goroutine behind (goleak in TestMain).
func TestSetupStall(t *testing.T) {
	for _, initiator := range []bool{true, false} {
		t.Run(fmt.Sprintf("initiator=%v", initiator), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				keyI, keyR := newKey(t), newKey(t)
				fdI, fdR := netPair(t, false)
				defer fdR.Close()
				go func() { // the peer reads whatever comes, never answers
					buf := make([]byte, 4096)
					for {
						if _, err := fdR.Read(buf); err != nil {
							return
						}
					}
				}()
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				var remote *secp256k1.PublicKey
				if initiator {
					remote = keyR.PubKey()
				}
				start := time.Now()
				_, _, err := Setup(ctx, fdI, keyI, remote, Hello{}, nil)
				if !errors.Is(err, os.ErrDeadlineExceeded) {
					t.Fatalf("Setup: %v, want a deadline error", err)
				}
				if d := time.Since(start); d != 5*time.Second {
					t.Fatalf("gave up after %v, want 5 s", d)
				}
			})
		})
	}
}

// TestSetupStallAfterRLPx: the RLPx handshake completes and the peer never
// sends Hello; the same deadline covers the Hello exchange.
func TestSetupStallAfterRLPx(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		keyI, keyR := newKey(t), newKey(t)
		fdI, fdR := netPair(t, false)
		raw := rlpx.NewConn(fdR, nil)
		defer raw.Close()
		go func() {
			if _, err := raw.Handshake(keyR); err != nil {
				return
			}
			for { // read our Hello and whatever follows, send nothing
				if _, _, _, err := raw.ReadMsg(); err != nil {
					return
				}
			}
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		start := time.Now()
		_, _, err := Setup(ctx, fdI, keyI, keyR.PubKey(), Hello{}, nil)
		if !errors.Is(err, os.ErrDeadlineExceeded) || time.Since(start) != 5*time.Second {
			t.Fatalf("Setup: %v after %v, want a deadline error after 5 s", err, time.Since(start))
		}
	})
}

// TestSetupGarbage: bytes that are not an EIP-8 auth packet end the
// recipient's handshake at once, without waiting for the deadline.
func TestSetupGarbage(t *testing.T) {
	for _, garbage := range [][]byte{
		[]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
		make([]byte, 400), // size prefix 0: too small for ECIES
		append([]byte{0x01, 0x30}, make([]byte, 304)...), // a well-sized packet of zeros
	} {
		synctest.Test(t, func(t *testing.T) {
			fdI, fdR := netPair(t, false)
			go func() {
				fdI.Write(garbage)
				fdI.Close()
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			start := time.Now()
			_, _, err := Setup(ctx, fdR, newKey(t), nil, Hello{}, nil)
			if err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("Setup: %v, want a prompt handshake error", err)
			}
			if !errors.Is(err, rlpx.ErrBadAuth) && !errors.Is(err, rlpx.ErrHandshakeTooLarge) && !errors.Is(err, rlpx.ErrECIES) {
				t.Errorf("Setup: %v, want an auth error", err)
			}
			if time.Since(start) != 0 {
				t.Errorf("took %v", time.Since(start))
			}
		})
	}
}

// TestSetupCancel: cancelling the context aborts a stalled handshake.
func TestSetupCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fdI, fdR := netPair(t, false)
		defer fdR.Close()
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(time.Second, cancel)
		_, _, err := Setup(ctx, fdI, newKey(t), nil, Hello{}, nil)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Setup: %v, want context.Canceled", err)
		}
	})
}
