package btcpeer

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/wire"
)

// recorder is a p2p.Observer that records every event as a line of text.
type recorder struct {
	mu     sync.Mutex // guards events
	events []string
}

var _ p2p.Observer = (*recorder)(nil)

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	r.events = append(r.events, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *recorder) PeerConnected(inbound bool, tr string) { r.add("connected %v %s", inbound, tr) }
func (r *recorder) PeerDisconnected(inbound bool, tr string) {
	r.add("disconnected %v %s", inbound, tr)
}
func (r *recorder) HandshakeFailed(tr, reason string)  { r.add("handshake failed %s: %s", tr, reason) }
func (r *recorder) MsgIn(proto, cmd string, size int)  { r.add("in %s %s %d", proto, cmd, size) }
func (r *recorder) MsgOut(proto, cmd string, size int) { r.add("out %s %s %d", proto, cmd, size) }
func (r *recorder) Dropped(queue string)               { r.add("dropped %s", queue) }
func (r *recorder) Banned(reason string)               { r.add("banned %s", reason) }

func (r *recorder) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

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

		got := obs.list()
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
