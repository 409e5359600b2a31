package tlsconn

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/certs"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/wire"
)

// rawPeer is a hand-driven peer: a valid certificate and TLS session, then
// whatever envelopes a test script writes, so that the handshake and the
// reader can be fed deliberately wrong input.
type rawPeer struct {
	t  testing.TB
	tc *tls.Conn
	fr *frameReader
}

func (rp *rawPeer) send(net wire.BitcoinNet, cmd string, payload []byte) {
	if _, err := rp.tc.Write(appendFrame(nil, net, cmd, payload, true)); err != nil {
		rp.t.Logf("raw peer write: %v", err)
	}
}

func (rp *rawPeer) sendRaw(b []byte) {
	if _, err := rp.tc.Write(b); err != nil {
		rp.t.Logf("raw peer write: %v", err)
	}
}

// read reads the next envelope, checking its checksum when it has one.
func (rp *rawPeer) read() (string, []byte, error) {
	h, err := rp.fr.readHeader()
	if err != nil {
		return "", nil, err
	}
	p, err := rp.fr.readPayload(h, h.sum != [4]byte{})
	return h.cmd, p, err
}

func versionPayload(t testing.TB, pver int32, nonce uint64) []byte {
	v := &wire.MsgVersion{ProtocolVersion: pver, Nonce: nonce, UserAgent: "/raw:1/", StartHeight: 42, Relay: true}
	b, err := v.Encode(nil, wire.ProtocolVersion, wire.BaseEncoding)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func capsPayload(t testing.TB, m capsMsg) []byte {
	b, err := appendCaps(nil, m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// handshake plays a correct listening side: version, then our version,
// verack and caps, then the dialler's verack and caps.
func (rp *rawPeer) handshake(caps capsMsg) error {
	for i, want := range []string{wire.CmdVersion, wire.CmdVerAck, CmdCaps} {
		cmd, _, err := rp.read()
		if err != nil {
			return err
		}
		if cmd != want {
			return errors.New("raw peer: got " + cmd + ", want " + want)
		}
		if i == 0 {
			rp.send(PermissionedNet, wire.CmdVersion, versionPayload(rp.t, int32(wire.ProtocolVersion), 99))
			rp.send(PermissionedNet, wire.CmdVerAck, nil)
			rp.send(PermissionedNet, CmdCaps, capsPayload(rp.t, caps))
		}
	}
	return nil
}

// withRawPeer runs script as the listening side of a connection that tr
// dials, and returns what Dial returned. script runs until it returns; the
// raw peer's connection is then closed.
func withRawPeer(t *testing.T, tr *Transport, peer *certs.Node, script func(rp *rawPeer)) (*Conn, error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	v, err := certs.NewVerifier(certs.VerifierConfig{Roots: peer.Roots})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		raw, err := ln.Accept()
		if err != nil {
			return
		}
		defer raw.Close()
		tc := tls.Server(raw, certs.ServerConfig(peer.Certificate, v))
		raw.SetDeadline(time.Now().Add(10 * time.Second))
		if err := tc.Handshake(); err != nil {
			t.Logf("raw peer TLS: %v", err)
			return
		}
		script(&rawPeer{t: t, tc: tc, fr: &frameReader{r: bufio.NewReader(tc), net: PermissionedNet, maxSize: wire.MaxProtocolMessageLength}})
	}()
	c, err := tr.Dial(context.Background(), ln.Addr().String(), nil)
	<-done
	return c, err
}

// TestHandshakeHostile feeds the handshake wrong input from a peer with a
// valid certificate: each case must fail at once with its typed error,
// counted under its reason, and the peer is told why when it can be.
func TestHandshakeHostile(t *testing.T) {
	ca := newTestCA(t)
	na, _ := ca.node(t, certs.Options{})
	nb, _ := ca.node(t, certs.Options{})

	cases := []struct {
		name   string
		script func(rp *rawPeer)
		err    error
		reason Reason
		// disc is the reason the raw peer must receive, when set.
		disc p2p.DiscReason
	}{
		{name: "version echoed back (self)", err: ErrSelf, reason: ReasonSelf, disc: p2p.DiscSelf,
			script: func(rp *rawPeer) {
				_, p, err := rp.read()
				if err == nil {
					rp.send(PermissionedNet, wire.CmdVersion, p)
				}
			}},
		{name: "old protocol version", err: ErrIncompatibleVersion, reason: ReasonIncompatibleVersion, disc: p2p.DiscIncompatibleVersion,
			script: func(rp *rawPeer) { rp.send(PermissionedNet, wire.CmdVersion, versionPayload(rp.t, 60000, 1)) }},
		{name: "verack first", err: ErrProtocol, reason: ReasonProtocol, disc: p2p.DiscProtocolError,
			script: func(rp *rawPeer) { rp.send(PermissionedNet, wire.CmdVerAck, nil) }},
		{name: "unknown command", err: ErrProtocol, reason: ReasonProtocol,
			script: func(rp *rawPeer) { rp.send(PermissionedNet, "hello", []byte("x")) }},
		{name: "version claims too much", err: ErrProtocol, reason: ReasonProtocol,
			script: func(rp *rawPeer) {
				// Header only: the claim is refused before the payload is awaited.
				b := appendFrame(nil, PermissionedNet, wire.CmdVersion, nil, true)
				binary.LittleEndian.PutUint32(b[16:20], 5000)
				rp.sendRaw(b)
			}},
		{name: "envelope over the cap", err: p2p.ErrMsgTooLarge, reason: ReasonProtocol,
			script: func(rp *rawPeer) {
				b := appendFrame(nil, PermissionedNet, wire.CmdVersion, nil, true)
				binary.LittleEndian.PutUint32(b[16:20], wire.MaxProtocolMessageLength+1)
				rp.sendRaw(b)
			}},
		{name: "wrong network", err: wire.ErrWrongNetwork, reason: ReasonWrongNetwork,
			script: func(rp *rawPeer) { rp.send(wire.MainNet, wire.CmdVersion, versionPayload(rp.t, 70016, 1)) }},
		{name: "bad checksum", err: wire.ErrBadChecksum, reason: ReasonProtocol,
			script: func(rp *rawPeer) {
				b := appendFrame(nil, PermissionedNet, wire.CmdVersion, versionPayload(rp.t, 70016, 1), true)
				b[20] ^= 1
				rp.sendRaw(b)
			}},
		{name: "malformed version", err: ErrProtocol, reason: ReasonProtocol,
			script: func(rp *rawPeer) { rp.send(PermissionedNet, wire.CmdVersion, []byte{1, 2, 3}) }},
		{name: "bad caps", err: ErrBadCaps, reason: ReasonProtocol, disc: p2p.DiscProtocolError,
			script: func(rp *rawPeer) {
				rp.send(PermissionedNet, wire.CmdVersion, versionPayload(rp.t, 70016, 1))
				rp.send(PermissionedNet, wire.CmdVerAck, nil)
				rp.send(PermissionedNet, CmdCaps, []byte{0, 0, 0, 0, 1})
			}},
		{name: "no shared protocol", err: ErrNoSharedProtocol, reason: ReasonNoSharedProtocol, disc: p2p.DiscUselessPeer,
			script: func(rp *rawPeer) {
				rp.handshake(capsMsg{Caps: []Cap{{Name: "other", Version: 1}, {Name: "test", Version: 2}}})
			}},
		{name: "refused with disconnect", err: ErrRemoteRefused, reason: ReasonRemoteRefused,
			script: func(rp *rawPeer) { rp.send(PermissionedNet, CmdDisconnect, []byte{byte(p2p.DiscTooManyPeers)}) }},
		{name: "bad disconnect", err: ErrProtocol, reason: ReasonProtocol,
			script: func(rp *rawPeer) { rp.send(PermissionedNet, CmdDisconnect, []byte{1, 2}) }},
		{name: "silent peer", err: ErrHandshakeTimeout, reason: ReasonHandshakeTimeout,
			script: func(rp *rawPeer) { rp.read(); rp.read() }},
		{name: "closed after TLS", reason: ReasonNetwork, script: func(rp *rawPeer) {}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			timeout := 5 * time.Second
			if tc.reason == ReasonHandshakeTimeout {
				timeout = 300 * time.Millisecond
			}
			tr := newTransport(t, na, func(c *Config) { c.HandshakeTimeout = timeout })
			var gotDisc p2p.DiscReason = 255
			start := time.Now()
			c, err := withRawPeer(t, tr, nb, func(rp *rawPeer) {
				tc.script(rp)
				if tc.disc != 0 {
					rp.tc.SetReadDeadline(time.Now().Add(2 * time.Second))
					for {
						cmd, p, err := rp.read()
						if err != nil {
							return
						}
						if cmd == CmdDisconnect && len(p) == 1 {
							gotDisc = p2p.DiscReason(p[0])
							return
						}
					}
				}
			})
			if c != nil {
				c.Close(nil)
				t.Fatal("handshake succeeded")
			}
			if tc.err != nil && !errors.Is(err, tc.err) {
				t.Errorf("error %v, want %v", err, tc.err)
			}
			if r := ReasonOf(err); r != tc.reason {
				t.Errorf("reason %v, want %v (err %v)", r, tc.reason, err)
			}
			if st := tr.Stats().Refused[tc.reason]; st.Outbound != 1 {
				t.Errorf("refusals counted: %+v", tr.Stats().Refused)
			}
			if tc.disc != 0 && gotDisc != tc.disc {
				t.Errorf("peer was told %v, want %v", gotDisc, tc.disc)
			}
			if tc.reason != ReasonHandshakeTimeout && time.Since(start) > 3*time.Second {
				t.Errorf("took %v: the refusal waited for the timeout", time.Since(start))
			}
			if tc.name == "refused with disconnect" && !errors.Is(err, p2p.DiscTooManyPeers) {
				t.Errorf("peer's reason lost: %v", err)
			}
		})
	}
}

// TestHandshakeCerts: certificate refusals at the transport, in both
// directions, with the refusing side's typed reason.
func TestHandshakeCerts(t *testing.T) {
	ca := newTestCA(t)
	good, goodDir := ca.node(t, certs.Options{})
	_, revokedDir := ca.node(t, certs.Options{})
	ca.revoke(t, revokedDir, goodDir)
	revoked, err := certs.LoadNode(revokedDir)
	if err != nil {
		t.Fatal(err)
	}
	expired, _ := ca.node(t, certs.Options{NotBefore: time.Now().Add(-2 * time.Hour), NotAfter: time.Now().Add(-time.Hour)})
	other, _ := newTestCA(t).node(t, certs.Options{})
	other.Roots = good.Roots // an intruder holding our ca.crt
	self, err := certs.LoadNode(selfSignedNode(t, ca))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		bad      *certs.Node
		reason   Reason
		sentinel error
	}{
		{"other CA", other, ReasonUnknownCA, certs.ErrUnknownCA},
		{"self-signed", self, ReasonUnknownCA, certs.ErrUnknownCA},
		{"revoked", revoked, ReasonRevoked, certs.ErrRevoked},
		{"expired", expired, ReasonExpired, certs.ErrExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, b := newTransport(t, good, nil), newTransport(t, tc.bad, nil)
			// The bad node dials.
			_, _, errb, errg := handshakePair(t, b, g, nil)
			if !errors.Is(errg, tc.sentinel) || !errors.Is(errb, ErrRemoteRefused) && ReasonOf(errb) != ReasonRemoteRefused {
				t.Errorf("bad dials: honest %v, bad %v", errg, errb)
			}
			// The honest node dials.
			_, _, errg, errb = handshakePair(t, g, b, nil)
			if !errors.Is(errg, tc.sentinel) || ReasonOf(errb) != ReasonRemoteRefused {
				t.Errorf("honest dials: honest %v, bad %v", errg, errb)
			}
			st := g.Stats().Refused[tc.reason]
			if st.Inbound != 1 || st.Outbound != 1 {
				t.Errorf("honest node counted %+v", g.Stats().Refused)
			}
		})
	}
	t.Run("unexpected ID", func(t *testing.T) {
		a := newTransport(t, good, nil)
		_, peer := ca.node(t, certs.Options{})
		pn, _ := certs.LoadNode(peer)
		b := newTransport(t, pn, nil)
		wrong := enode.ID{1}
		_, _, erra, errb := handshakePair(t, a, b, &wrong)
		if !errors.Is(erra, certs.ErrUnexpectedID) || ReasonOf(errb) != ReasonRemoteRefused {
			t.Errorf("dialler %v, listener %v", erra, errb)
		}
		id := pn.ID
		ca, cb := connPair2(t, a, b, &id)
		ca.Close(nil)
		cb.Close(nil)
	})
	t.Run("self", func(t *testing.T) {
		a := newTransport(t, good, nil)
		_, _, erra, errb := handshakePair(t, a, a, nil)
		if !errors.Is(erra, ErrSelf) || !errors.Is(errb, ErrSelf) {
			t.Errorf("dialler %v, listener %v", erra, errb)
		}
	})
}

func connPair2(t *testing.T, a, b *Transport, expected *enode.ID) (*Conn, *Conn) {
	ca, cb, erra, errb := handshakePair(t, a, b, expected)
	if erra != nil || errb != nil {
		t.Fatalf("dialler %v, listener %v", erra, errb)
	}
	return ca, cb
}

// TestHandshakeContents: version fields, caps matching, the code space,
// checksum negotiation.
func TestHandshakeContents(t *testing.T) {
	ca := newTestCA(t)
	na, _ := ca.node(t, certs.Options{})
	nb, _ := ca.node(t, certs.Options{})
	chain := ProtocolSpec{Name: "chain", Version: 1, Commands: []string{"version", "verack", "ping", "pong", "block", "tx"}}
	topic1 := ProtocolSpec{Name: "topic", Version: 1, Commands: []string{"topic"}}
	topic2 := ProtocolSpec{Name: "topic", Version: 2, Commands: []string{"topic", "sub"}}
	a := newTransport(t, na, func(c *Config) {
		c.Protocols = []ProtocolSpec{topic1, topic2, chain}
		c.UserAgent = "/a:1/"
		c.Services = 5
		c.BestHeight = func() int32 { return 1234 }
	})
	b := newTransport(t, nb, func(c *Config) {
		c.Protocols = []ProtocolSpec{chain, topic2, testProto}
		c.Checksums = true
	})
	ca2, cb := connPair(t, a, b)
	defer ca2.Close(nil)
	defer cb.Close(nil)
	v := cb.RemoteVersion()
	if v.UserAgent != "/a:1/" || v.Services != 5 || v.StartHeight != 1234 || v.ProtocolVersion != int32(wire.ProtocolVersion) {
		t.Errorf("version seen by b: %+v", v)
	}
	if cb.ID() != na.ID || ca2.ID() != nb.ID || !cb.Inbound() || ca2.Inbound() {
		t.Error("identities or directions wrong")
	}
	for _, c := range []*Conn{ca2, cb} {
		sh := c.Shared()
		if len(sh) != 2 || sh[0].Cap() != chain.Cap() || sh[1].Cap() != topic2.Cap() || sh[1].Offset != 6 {
			t.Fatalf("shared %+v", sh)
		}
		if !c.Checksums() {
			t.Error("checksums dropped although b keeps them")
		}
		if c.Command(7) != "sub" || c.Command(8) != "" {
			t.Error("code space")
		}
		// Reserved commands cannot be written.
		if err := c.WriteMsg(p2p.Msg{Code: 2}); !errors.Is(err, ErrUnknownCode) {
			t.Errorf("writing ping: %v", err)
		}
		if err := c.WriteMsg(p2p.Msg{Code: 8}); !errors.Is(err, ErrUnknownCode) {
			t.Errorf("writing code 8: %v", err)
		}
	}
	if err := ca2.WriteMsg(p2p.Msg{Code: 7, Payload: []byte("s")}); err != nil {
		t.Fatal(err)
	}
	if m, err := cb.ReadMsg(); err != nil || m.Code != 7 || string(m.Payload) != "s" {
		t.Fatalf("read %+v, %v", m, err)
	}
}

// TestConnHostileAfterHandshake: unknown commands are skipped and counted,
// a second version is a protocol error, and the peer's disconnect reason
// reaches ReadMsg after the messages sent before it.
func TestConnHostileAfterHandshake(t *testing.T) {
	ca := newTestCA(t)
	na, _ := ca.node(t, certs.Options{})
	nb, _ := ca.node(t, certs.Options{})
	tr := newTransport(t, na, nil)
	caps := capsMsg{Flags: capsNoChecksum, Caps: []Cap{testProto.Cap()}}

	// run connects to a raw peer that completes the handshake, then runs
	// script and closes; the Conn reads what the script sent, then EOF.
	run := func(script func(rp *rawPeer)) *Conn {
		t.Helper()
		c, err := withRawPeer(t, tr, nb, func(rp *rawPeer) {
			if err := rp.handshake(caps); err != nil {
				t.Error(err)
				return
			}
			script(rp)
		})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	c := run(func(rp *rawPeer) {
		zero := func(cmd string, p []byte) { rp.sendRaw(appendFrame(nil, PermissionedNet, cmd, p, false)) }
		zero("unknown", []byte("skipped"))
		zero("c1", []byte("one"))
		zero(CmdDisconnect, []byte{byte(p2p.DiscTooManyPeers)})
	})
	m, err := c.ReadMsg()
	if err != nil || m.Code != 1 || string(m.Payload) != "one" {
		t.Fatalf("read %+v, %v", m, err)
	}
	if _, err := c.ReadMsg(); !errors.Is(err, ErrRemoteDisconnect) || !errors.Is(err, p2p.DiscTooManyPeers) {
		t.Fatalf("after disconnect: %v", err)
	}
	if st := c.Stats(); st.UnknownMessages != 1 || st.UnknownBytes != 7+24 {
		t.Errorf("stats %+v", st)
	}
	c.Close(nil)

	c = run(func(rp *rawPeer) {
		rp.sendRaw(appendFrame(nil, PermissionedNet, wire.CmdVersion, versionPayload(t, 70016, 5), false))
	})
	if _, err := c.ReadMsg(); !errors.Is(err, ErrProtocol) {
		t.Fatalf("second version: %v", err)
	}
	c.Close(nil)
}

func TestReasonLabels(t *testing.T) {
	// The certificate reasons carry certs.Reason's labels, so that a
	// dashboard shows one vocabulary.
	for _, e := range []error{certs.ErrUnknownCA, certs.ErrRevoked, certs.ErrExpired, certs.ErrUnexpectedID} {
		if got, want := ReasonOf(e).String(), certs.Reason(e); got != want {
			t.Errorf("%v: %q, want %q", e, got, want)
		}
	}
	seen := map[string]bool{}
	for _, r := range Reasons() {
		if seen[r.String()] {
			t.Errorf("label %q twice", r)
		}
		seen[r.String()] = true
	}
}
