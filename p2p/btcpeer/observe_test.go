package btcpeer

import (
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/ledgernet/ledgernet/p2p/p2ptest"
	"github.com/ledgernet/ledgernet/wire"
)

// recorder records observer events (p2ptest.Recorder).
type recorder = p2ptest.Recorder

// TestObserver: messages in and out are reported by command with their
// payload size, and a send refused by the full data queue as dropped.
func TestObserver(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		obs := &recorder{}
		n := newNode(func(c *Config) { c.DataQueueSize = 1; c.Observer = obs })
		ca, cb := pipe()
		p := n.start(t, ca, false)
		p.Send(&wire.MsgGetAddr{})
		if err := p.Send(&wire.MsgMemPool{}); err == nil {
			t.Fatal("second send fit in a queue of one")
		}
		r := newRaw(t, cb, true, 0)
		r.handshake(true)
		r.expect(wire.CmdGetAddr)
		inv := &wire.MsgInv{InvList: []wire.InvVect{{Type: wire.InvTypeBlock, Hash: wire.Hash{1}}}}
		r.send(inv)
		if m := <-n.received; m.Command() != wire.CmdInv {
			t.Fatalf("handler got %s", m.Command())
		}
		p.Disconnect(nil)
		<-p.Done()

		got := obs.List()
		for _, want := range []string{
			"dropped btcpeer send",
			"out chain getaddr 0",
			"in chain inv 37", // count, then type and hash
			"in chain verack 0",
			"out chain verack 0",
		} {
			if !slices.Contains(got, want) {
				t.Errorf("no %q in %q", want, got)
			}
		}
		for _, prefix := range []string{"out chain version ", "in chain version "} {
			if !slices.ContainsFunc(got, func(e string) bool { return strings.HasPrefix(e, prefix) }) {
				t.Errorf("no %q… in %q", prefix, got)
			}
		}
	})
}
