package btcpeer

import (
	"sync"
	"time"

	"github.com/ledgernet/ledgernet/wire"
)

// outMsg is a message waiting for the writer.
type outMsg struct {
	msg  wire.Message
	code uint64
	done chan<- error
	// control messages (handshake, ping, pong) go first and are encoded
	// without witness data.
	control bool
	// expect, when not nil, is armed as a request deadline just before the
	// message is written.
	expect *expectation
}

// finish reports the outcome to the sender without ever blocking the writer.
func (m *outMsg) finish(err error) {
	if m.done == nil {
		return
	}
	select {
	case m.done <- err:
	default:
	}
}

// expectation is the response a request waits for.
type expectation struct {
	cmds    []string      // any of these answers
	count   int           // responses expected (getdata: one per item)
	timeout time.Duration // from the write, and again after each response
}

// fifo is a bounded first-in first-out list.
type fifo struct {
	items []*outMsg
	max   int
}

func (f *fifo) push(m *outMsg) bool {
	if len(f.items) >= f.max {
		return false
	}
	f.items = append(f.items, m)
	return true
}

func (f *fifo) pop() *outMsg {
	m := f.items[0]
	f.items[0] = nil
	f.items = f.items[1:]
	if len(f.items) == 0 {
		f.items = nil // let the backing array go
	}
	return m
}

// sendQueue holds the two send queues. Senders on any goroutine push; the
// writer pops, control first. A mutex rather than the peer's loop guards it
// so that Send never waits for the loop and can be called from callbacks the
// loop runs.
type sendQueue struct {
	mu       sync.Mutex // guards control, data, dataOpen, closed, dropped
	control  fifo
	data     fifo
	dataOpen bool  // the handshake is done: data may be written
	closed   error // set once the peer is closing
	dropped  uint64
	wake     chan struct{} // capacity 1: something changed
}

func newSendQueue(controlSize, dataSize int) *sendQueue {
	return &sendQueue{
		control: fifo{max: controlSize},
		data:    fifo{max: dataSize},
		wake:    make(chan struct{}, 1),
	}
}

func (q *sendQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// push queues m on the control or data queue. It reports ErrPeerClosed after
// close, and ErrControlQueueFull or ErrSendQueueFull when the queue is full.
func (q *sendQueue) push(m *outMsg, control bool) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed != nil {
		return ErrPeerClosed
	}
	if control {
		if !q.control.push(m) {
			return ErrControlQueueFull
		}
	} else if !q.data.push(m) {
		q.dropped++
		return ErrSendQueueFull
	}
	q.signal()
	return nil
}

// openData lets the writer take data messages (after the handshake).
func (q *sendQueue) openData() {
	q.mu.Lock()
	q.dataOpen = true
	q.mu.Unlock()
	q.signal()
}

// next returns the next message to write, control first, or nil once the
// queue is closed.
func (q *sendQueue) next() *outMsg {
	for {
		q.mu.Lock()
		switch {
		case q.closed != nil:
			q.mu.Unlock()
			return nil
		case len(q.control.items) > 0:
			m := q.control.pop()
			q.mu.Unlock()
			return m
		case q.dataOpen && len(q.data.items) > 0:
			m := q.data.pop()
			q.mu.Unlock()
			return m
		}
		q.mu.Unlock()
		<-q.wake
	}
}

// close fails every queued message with ErrPeerClosed and wakes the writer.
func (q *sendQueue) close() {
	q.mu.Lock()
	if q.closed == nil {
		q.closed = ErrPeerClosed
	}
	pending := append(q.control.items, q.data.items...)
	q.control.items, q.data.items = nil, nil
	q.mu.Unlock()
	for _, m := range pending {
		m.finish(ErrPeerClosed)
	}
	q.signal()
}

func (q *sendQueue) droppedCount() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.dropped
}
