package nat

import "testing"

// FuzzCheckReply feeds arbitrary datagrams to the NAT-PMP reply check: it
// must never panic and never return a reply shorter than asked for.
func FuzzCheckReply(f *testing.F) {
	f.Add([]byte{0, 128, 0, 0, 0, 0, 0, 1, 203, 0, 113, 7}, byte(0), 12)
	f.Add([]byte{0, 130, 0, 3}, byte(2), 16)
	f.Add([]byte{0, 129, 0, 0, 0, 0, 0, 1, 0x1f, 0x90, 0x1f, 0x90, 0, 0, 0x0e, 0x10}, byte(1), 16)
	f.Fuzz(func(t *testing.T, b []byte, op byte, respLen int) {
		if respLen < 4 || respLen > 64 {
			return
		}
		resp, ok, err := checkReply(b, op, respLen)
		if ok && err == nil && len(resp) != respLen {
			t.Fatalf("reply of %d bytes, asked for %d", len(resp), respLen)
		}
		if !ok && (err != nil || resp != nil) {
			t.Fatal("ignored datagram with a result")
		}
	})
}
