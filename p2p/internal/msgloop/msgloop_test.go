package msgloop

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
)

type fakeRW struct {
	in      []p2p.Msg
	readErr error
	written []p2p.Msg
	wErr    error
}

func (f *fakeRW) ReadMsg() (p2p.Msg, error) {
	if len(f.in) == 0 {
		return p2p.Msg{}, f.readErr
	}
	m := f.in[0]
	f.in = f.in[1:]
	return m, nil
}

func (f *fakeRW) WriteMsg(m p2p.Msg) error {
	if f.wErr != nil {
		return f.wErr
	}
	f.written = append(f.written, m)
	return nil
}

func TestRead(t *testing.T) {
	eof, closed, bad := errors.New("eof"), errors.New("closed"), errors.New("bad message")
	quit := make(chan struct{})
	rw := &fakeRW{in: []p2p.Msg{{Code: 1}, {Code: 2}}, readErr: eof}
	var got []uint64
	handle := func(m p2p.Msg) error { got = append(got, m.Code); return nil }
	if err := Read(rw, quit, closed, handle, nil); err != eof || len(got) != 2 {
		t.Fatalf("Read = %v after %v, want the read error after both messages", err, got)
	}
	close(quit)
	if err := Read(&fakeRW{readErr: eof}, quit, closed, handle, nil); err != closed {
		t.Fatalf("after quit: %v, want closed", err)
	}
	rejects := 0
	err := Read(&fakeRW{in: []p2p.Msg{{Code: 3}}, readErr: eof}, make(chan struct{}), closed,
		func(p2p.Msg) error { return bad }, func() { rejects++ })
	if err != bad || rejects != 1 {
		t.Fatalf("refused message: %v, %d rejects", err, rejects)
	}
}

// Read hands each payload back to the transport once the handler is done.
func TestReadReleases(t *testing.T) {
	pool := p2p.NewBufferPool(1, 16, 64)
	buf := make([]byte, 32)
	rw := &fakeRW{in: []p2p.Msg{pool.Msg(1, buf, time.Time{})}, readErr: io.EOF}
	var inHandler []byte
	Read(rw, make(chan struct{}), nil, func(m p2p.Msg) error {
		inHandler = pool.Get(32) // not yet released
		return nil
	}, nil)
	if inHandler != nil {
		t.Fatal("payload released before the handler returned")
	}
	if b := pool.Get(32); b == nil || &b[0] != &buf[0] {
		t.Fatal("payload not released after the handler")
	}
}

func TestWrite(t *testing.T) {
	out, done := make(chan p2p.Msg, 2), make(chan struct{})
	out <- p2p.Msg{Code: 7}
	rw := &fakeRW{wErr: errors.New("broken")}
	var disc error
	Write(rw, out, done, func(err error) { disc = err })
	if disc == nil {
		t.Fatal("a failed write did not disconnect")
	}
	// Unbuffered: the send returns once Write has taken the message.
	ok, in, stop := &fakeRW{}, make(chan p2p.Msg), make(chan struct{})
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		Write(ok, in, stop, func(error) { t.Error("disconnect without a failure") })
	}()
	in <- p2p.Msg{Code: 8}
	close(stop)
	<-ended
	if len(ok.written) != 1 || ok.written[0].Code != 8 {
		t.Fatalf("written %v", ok.written)
	}
}
