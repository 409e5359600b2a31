package tlsconn

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/ledgernet/ledgernet/wire"
)

// FuzzReadFrames feeds arbitrary bytes to the envelope reader the way the
// Conn's reader uses it: it must never panic, never return a payload of
// another length than its header's, and never hold more than the header's
// claim (capped) in memory.
func FuzzReadFrames(f *testing.F) {
	var seed []byte
	seed = appendFrame(seed, PermissionedNet, wire.CmdVersion, []byte("v"), true)
	seed = appendFrame(seed, PermissionedNet, "c1", make([]byte, 100), false)
	seed = appendFrame(seed, PermissionedNet, CmdDisconnect, []byte{4}, true)
	f.Add(seed, true)
	f.Add(appendFrame(nil, wire.MainNet, "ping", make([]byte, 8), true), false)
	f.Fuzz(func(t *testing.T, data []byte, check bool) {
		fr := &frameReader{r: bufio.NewReaderSize(bytes.NewReader(data), readBufferSize), net: PermissionedNet, maxSize: 1 << 16}
		for {
			h, err := fr.readHeader()
			if err != nil {
				return
			}
			if h.length > fr.maxSize {
				t.Fatalf("header of %d bytes passed the %d cap", h.length, fr.maxSize)
			}
			if h.cmd == "skip" {
				if err := fr.discard(h, check); err != nil {
					return
				}
				continue
			}
			p, err := fr.readPayload(h, check)
			if err != nil {
				return
			}
			if len(p) != int(h.length) {
				t.Fatalf("payload %d bytes, header %d", len(p), h.length)
			}
			if cap(p) > int(h.length) {
				t.Fatalf("payload capacity %d for %d bytes", cap(p), h.length)
			}
		}
	})
}
