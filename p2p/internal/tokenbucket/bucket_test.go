package tokenbucket

import (
	"testing"
	"time"
)

func TestBucket(t *testing.T) {
	t0 := time.Unix(1000, 0)
	b := New(10, 5, t0)
	for i := range 5 {
		if !b.Allow(t0, 1) {
			t.Fatalf("token %d of the burst refused", i)
		}
	}
	if b.Allow(t0, 1) {
		t.Fatal("empty bucket allowed a token")
	}
	if !b.Allow(t0.Add(100*time.Millisecond), 1) {
		t.Fatal("refill of one token after 100ms refused")
	}
	if b.Allow(t0.Add(100*time.Millisecond), 1) {
		t.Fatal("second token after 100ms allowed")
	}
	// Refill is capped at the burst.
	t1 := t0.Add(time.Hour)
	for i := range 5 {
		if !b.Allow(t1, 1) {
			t.Fatalf("token %d after an hour refused", i)
		}
	}
	if b.Allow(t1, 1) {
		t.Fatal("more than the burst after an hour")
	}
	// A request above the burst passes only from a full bucket.
	t2 := t1.Add(time.Hour)
	if !b.Allow(t2, 50) {
		t.Fatal("oversized request from a full bucket refused")
	}
	if b.Allow(t2, 1) {
		t.Fatal("oversized request did not empty the bucket")
	}
	if !New(0, 0, t0).Allow(t0, 1e9) {
		t.Fatal("unlimited bucket refused")
	}
}
