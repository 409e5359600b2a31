package dial

import (
	"testing"
	"time"
)

func TestExpSet(t *testing.T) {
	now := time.Unix(1e9, 0)
	s := newExpSet[int](10*time.Second, 3)
	s.add(1, now)
	s.add(2, now.Add(time.Second))
	if !s.contains(1, now.Add(9*time.Second)) || s.contains(1, now.Add(10*time.Second)) {
		t.Error("member 1 should live exactly 10 s")
	}
	if !s.contains(2, now.Add(10*time.Second)) {
		t.Error("member 2 expired early")
	}
	// Renewal outlives the first entry.
	s.add(2, now.Add(5*time.Second))
	if !s.contains(2, now.Add(14*time.Second)) {
		t.Error("renewed member expired at its old time")
	}
	// Full: the oldest goes first.
	t0 := now.Add(time.Minute)
	for i := 10; i < 14; i++ {
		s.add(i, t0)
	}
	if s.len() != 3 || s.contains(10, t0) || !s.contains(13, t0) || s.evicted != 1 {
		t.Errorf("len %d evicted %d; want 3 members 11..13, 1 evicted", s.len(), s.evicted)
	}
	// The queue does not grow without bound.
	for i := range 10000 {
		s.add(i, t0.Add(time.Duration(i)*time.Millisecond))
	}
	if len(s.q)-s.head > 100 {
		t.Errorf("queue holds %d entries for %d members", len(s.q)-s.head, s.len())
	}
}
