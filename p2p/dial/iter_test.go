package dial

import (
	"net/netip"
	"testing"
	"testing/synctest"
	"time"
)

func collect(it Iterator, n int) []Candidate {
	var out []Candidate
	for len(out) < n && it.Next() {
		out = append(out, it.Candidate())
	}
	return out
}

func TestSliceIter(t *testing.T) {
	cs := []Candidate{cand("192.0.2.1:1"), cand("192.0.2.2:1"), cand("192.0.2.3:1")}
	if got := collect(NewSliceIter(cs), 10); len(got) != 3 || got[2] != cs[2] {
		t.Errorf("got %v, want %v", got, cs)
	}
	it := NewSliceIter(cs)
	it.Next()
	it.Close()
	it.Close()
	if it.Next() {
		t.Error("Next after Close returned true")
	}
}

func TestFilter(t *testing.T) {
	cs := []Candidate{cand("192.0.2.1:1"), cand("198.51.100.1:1"), cand("192.0.2.3:1")}
	prefix := netip.MustParsePrefix("192.0.2.0/24")
	it := Filter(NewSliceIter(cs), func(c Candidate) bool { return prefix.Contains(c.Addr.Addr()) })
	got := collect(it, 10)
	if len(got) != 2 || got[0] != cs[0] || got[1] != cs[2] {
		t.Errorf("got %v", got)
	}
	it.Close()
}

func TestChanIter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := make(chan Candidate, 1)
		it := NewChanIter(ch)
		ch <- cand("192.0.2.1:1")
		if !it.Next() || it.Candidate() != cand("192.0.2.1:1") {
			t.Fatal("no candidate from channel")
		}
		done := make(chan bool)
		go func() { done <- it.Next() }()
		synctest.Wait()
		it.Close()
		if <-done {
			t.Error("Next returned true after Close")
		}
		close(ch)
		if NewChanIter(ch).Next() {
			t.Error("Next on a closed channel returned true")
		}
	})
}

// Two sources that always have candidates get equal shares.
func TestFairMixFair(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := NewFairMix(0, nil)
		defer m.Close()
		a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("198.51.100.1")
		m.AddSource(newGenIter(a.String()))
		m.AddSource(newGenIter(b.String()))
		n := map[netip.Addr]int{}
		for _, c := range collect(m, 1000) {
			n[c.Addr.Addr()]++
		}
		if n[a] < 450 || n[b] < 450 {
			t.Errorf("shares %d and %d of 1000; want about half each", n[a], n[b])
		}
	})
}

// A source that never delivers costs at most its shrinking timeout, and does
// not stop the others.
func TestFairMixBlockedSource(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := NewFairMix(100*time.Millisecond, nil)
		defer m.Close()
		m.AddSource(NewChanIter(make(chan Candidate))) // never delivers
		m.AddSource(newGenIter("192.0.2.1"))
		start := time.Now()
		got := collect(m, 100)
		if len(got) != 100 {
			t.Fatalf("%d candidates, want 100", len(got))
		}
		// 100 + 50 + 25 + ... < 200 ms in all.
		if d := time.Since(start); d >= 200*time.Millisecond {
			t.Errorf("100 candidates took %v; the blocked source's timeout did not shrink", d)
		}
	})
}

// A slow source still gets its turn against a fast one.
func TestFairMixSlowSourceNotStarved(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := NewFairMix(100*time.Millisecond, nil)
		defer m.Close()
		slow := make(chan Candidate)
		m.AddSource(NewChanIter(slow))
		m.AddSource(newGenIter("192.0.2.1"))
		stop := make(chan struct{})
		go func() {
			for i := range 50 {
				select {
				case <-time.After(10 * time.Millisecond):
				case <-stop:
					return
				}
				select {
				case slow <- Candidate{Addr: netip.AddrPortFrom(netip.MustParseAddr("198.51.100.1"), uint16(i+1))}:
				case <-stop:
					return
				}
			}
		}()
		fromSlow := 0
		for fromSlow < 50 && m.Next() {
			if m.Candidate().Addr.Addr() == netip.MustParseAddr("198.51.100.1") {
				fromSlow++
			}
		}
		close(stop)
		if fromSlow != 50 {
			t.Errorf("%d of 50 slow candidates delivered", fromSlow)
		}
	})
}

func TestFairMixExhaustedAndClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m := NewFairMix(0, nil)
		cs := []Candidate{cand("192.0.2.1:1"), cand("192.0.2.2:1")}
		m.AddSource(NewSliceIter(cs))
		m.AddSource(NewSliceIter(cs[:1]))
		if got := collect(m, 3); len(got) != 3 {
			t.Fatalf("%d candidates, want 3", len(got))
		}
		// All sources exhausted: Next waits for more, until a source is added
		// or the mix is closed.
		done := make(chan bool)
		go func() { done <- m.Next() }()
		synctest.Wait()
		m.AddSource(NewSliceIter(cs[1:]))
		if !<-done || m.Candidate() != cs[1] {
			t.Fatal("candidate from a source added later not delivered")
		}
		blocked := NewChanIter(make(chan Candidate))
		m.AddSource(blocked)
		go func() { done <- m.Next() }()
		synctest.Wait()
		m.Close()
		if <-done {
			t.Error("Next returned true after Close")
		}
		if blocked.Next() {
			t.Error("source not closed by Close")
		}
		late := NewChanIter(make(chan Candidate))
		m.AddSource(late)
		if late.Next() {
			t.Error("source added after Close not closed")
		}
		m.Close()
	})
}
