package p2ptest

import (
	"fmt"
	"slices"
	"sync"

	"github.com/ledgernet/ledgernet/p2p"
)

// Recorder is a p2p.Observer that records every event as a line of text
// ("connected true tls", "in hello hello 32", "dropped unknown command",
// …), for tests of the transports' and hosts' observer calls. The zero
// value is ready; it is safe for concurrent use.
type Recorder struct {
	mu     sync.Mutex // guards events
	events []string
}

var _ p2p.Observer = (*Recorder)(nil)

func (r *Recorder) add(format string, args ...any) {
	r.mu.Lock()
	r.events = append(r.events, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *Recorder) PeerConnected(inbound bool, tr string) { r.add("connected %v %s", inbound, tr) }
func (r *Recorder) PeerDisconnected(inbound bool, tr string) {
	r.add("disconnected %v %s", inbound, tr)
}
func (r *Recorder) HandshakeFailed(tr, reason string)  { r.add("handshake failed %s: %s", tr, reason) }
func (r *Recorder) MsgIn(proto, cmd string, size int)  { r.add("in %s %s %d", proto, cmd, size) }
func (r *Recorder) MsgOut(proto, cmd string, size int) { r.add("out %s %s %d", proto, cmd, size) }
func (r *Recorder) Dropped(queue string)               { r.add("dropped %s", queue) }
func (r *Recorder) Banned(reason string)               { r.add("banned %s", reason) }

// List returns the events so far, oldest first.
func (r *Recorder) List() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// Count returns how many times ev was recorded.
func (r *Recorder) Count(ev string) int {
	n := 0
	for _, e := range r.List() {
		if e == ev {
			n++
		}
	}
	return n
}

// HasAll reports whether every event of want was recorded.
func (r *Recorder) HasAll(want ...string) bool {
	got := r.List()
	for _, w := range want {
		if !slices.Contains(got, w) {
			return false
		}
	}
	return true
}
