package tlsconn

import (
	"bytes"
	"testing"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/certs"
	"github.com/ledgernet/ledgernet/p2p/p2ptest"
	"github.com/ledgernet/ledgernet/wire"
)

func TestConformance(t *testing.T) {
	ca := newTestCA(t)
	na, _ := ca.node(t, certs.Options{})
	nb, _ := ca.node(t, certs.Options{})
	for _, checksums := range []bool{false, true} {
		name := "NoChecksums"
		if checksums {
			name = "Checksums"
		}
		t.Run(name, func(t *testing.T) {
			mod := func(c *Config) { c.Checksums = checksums }
			a, b := newTransport(t, na, mod), newTransport(t, nb, mod)
			p2ptest.TestConn(t, func(t *testing.T) (p2p.Conn, p2p.Conn) {
				ca, cb := connPair(t, a, b)
				if ca.Checksums() != checksums || cb.Checksums() != checksums {
					t.Errorf("checksums: %v/%v, want %v", ca.Checksums(), cb.Checksums(), checksums)
				}
				return ca, cb
			}, wire.MaxProtocolMessageLength)
		})
	}
}

// A payload handed back with Release is filled by a later message of a size
// it can hold, and that message arrives intact.
func TestReleasedPayloadReused(t *testing.T) {
	ca := newTestCA(t)
	na, _ := ca.node(t, certs.Options{})
	nb, _ := ca.node(t, certs.Options{})
	a, b := connPair(t, newTransport(t, na, nil), newTransport(t, nb, nil))
	defer a.Close(nil)
	defer b.Close(nil)
	payload := func(n int, fill byte) []byte {
		p := make([]byte, n)
		for i := range p {
			p[i] = fill + byte(i)
		}
		return p
	}
	send := func(n int, fill byte) p2p.Msg {
		t.Helper()
		if err := a.WriteMsg(p2p.Msg{Code: 0, Payload: payload(n, fill)}); err != nil {
			t.Fatal(err)
		}
		m, err := b.ReadMsg()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(m.Payload, payload(n, fill)) {
			t.Fatalf("payload of %d bytes differs", n)
		}
		return m
	}
	m1 := send(64<<10, 1)
	first := &m1.Payload[0]
	m1.Release()
	m2 := send(40<<10, 7) // fits the released buffer
	if &m2.Payload[0] != first {
		t.Error("released buffer not reused")
	}
	m3 := send(64<<10, 9) // nothing released since: a new buffer
	if &m3.Payload[0] == first {
		t.Error("a buffer still in use was given to another message")
	}
	if !bytes.Equal(m2.Payload, payload(40<<10, 7)) {
		t.Error("an unreleased payload was overwritten")
	}
}
