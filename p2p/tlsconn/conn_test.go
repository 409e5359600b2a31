package tlsconn

import (
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
