package p2ptest

import (
	"errors"
	"sync"

	"github.com/ledgernet/ledgernet/p2p"
)

// ErrPipeClosed is what a closed PipeEnd returns.
var ErrPipeClosed = errors.New("p2ptest: pipe closed")

// PipeEnd is one end of an in-memory message pipe, a p2p.MsgReadWriter like
// the ones the transports give protocols, for protocol tests without a
// network.
type PipeEnd struct {
	in     <-chan p2p.Msg
	out    chan<- p2p.Msg
	closed chan struct{}
	once   *sync.Once
}

// MsgPipe returns two connected ends; each direction buffers size
// messages. Closing either end closes both.
func MsgPipe(size int) (*PipeEnd, *PipeEnd) {
	ab, ba := make(chan p2p.Msg, size), make(chan p2p.Msg, size)
	closed, once := make(chan struct{}), new(sync.Once)
	return &PipeEnd{in: ba, out: ab, closed: closed, once: once},
		&PipeEnd{in: ab, out: ba, closed: closed, once: once}
}

// ReadMsg returns the next message, or ErrPipeClosed once either end is
// closed.
func (e *PipeEnd) ReadMsg() (p2p.Msg, error) {
	select {
	case <-e.closed:
		return p2p.Msg{}, ErrPipeClosed
	default:
	}
	select {
	case m := <-e.in:
		return m, nil
	case <-e.closed:
		return p2p.Msg{}, ErrPipeClosed
	}
}

// WriteMsg sends a copy of m, as a transport would (the sender may reuse
// its buffer); it blocks while the other end's buffer is full.
func (e *PipeEnd) WriteMsg(m p2p.Msg) error {
	m.Payload = append([]byte(nil), m.Payload...)
	select {
	case e.out <- m:
		return nil
	case <-e.closed:
		return ErrPipeClosed
	}
}

// C returns the incoming messages, for a test that waits on one in a
// select (with a timeout); ReadMsg takes from the same channel.
func (e *PipeEnd) C() <-chan p2p.Msg { return e.in }

// Close closes both ends.
func (e *PipeEnd) Close() { e.once.Do(func() { close(e.closed) }) }
