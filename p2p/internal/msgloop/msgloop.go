// Package msgloop runs the two halves of a protocol's session with one peer,
// as the status and topic protocols both need them: a writer that drains the
// peer's bounded send queue onto the connection, and a reader that hands
// every received message to the protocol's handler.
//
// The caller owns both goroutines: it runs Read on its own goroutine and
// Write on one it starts and waits for.
package msgloop

import "github.com/ledgernet/ledgernet/p2p"

// Write writes the messages queued on out to w until done is closed or a
// write fails; a failed write calls disconnect with the error, so the
// connection (and with it Read) ends too.
func Write(w p2p.MsgWriter, out <-chan p2p.Msg, done <-chan struct{}, disconnect func(error)) {
	for {
		select {
		case m := <-out:
			if err := w.WriteMsg(m); err != nil {
				disconnect(err)
				return
			}
		case <-done:
			return
		}
	}
}

// Read reads messages from r and hands each to handle, until a read fails
// or handle returns an error, which Read returns. handle must not keep the
// payload, or slices of it, once it returns: Read then hands the payload
// back to the transport (p2p.Msg.Release) for a later message. A read that fails after
// quit was closed — the service's Close ended the connection — returns
// closed instead of the transport's error. rejected, when not nil, runs
// each time handle refuses a message (for a counter).
func Read(r p2p.MsgReader, quit <-chan struct{}, closed error, handle func(p2p.Msg) error, rejected func()) error {
	for {
		msg, err := r.ReadMsg()
		if err != nil {
			select {
			case <-quit:
				return closed
			default:
				return err
			}
		}
		err = handle(msg)
		msg.Release()
		if err != nil {
			if rejected != nil {
				rejected()
			}
			return err
		}
	}
}
