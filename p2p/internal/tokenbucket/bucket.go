// Package tokenbucket is the token bucket the protocols use to bound what
// each peer may send them.
package tokenbucket

import "time"

// Bucket holds up to Burst tokens and gains Rate tokens per second. It is
// not safe for concurrent use: each peer's reading goroutine owns its
// buckets.
type Bucket struct {
	rate, burst float64
	tokens      float64
	last        time.Time
}

// New returns a full bucket. A rate of zero or less means no limit.
func New(rate, burst float64, now time.Time) *Bucket {
	if burst < 1 {
		burst = 1
	}
	return &Bucket{rate: rate, burst: burst, tokens: burst, last: now}
}

// Allow takes n tokens if the bucket holds them and reports whether it
// did. A request larger than the burst is allowed when the bucket is full,
// so that one large message is never refused forever.
func (b *Bucket) Allow(now time.Time, n float64) bool {
	if b.rate <= 0 {
		return true
	}
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = min(b.burst, b.tokens+dt*b.rate)
		b.last = now
	}
	if n > b.burst && b.tokens >= b.burst {
		b.tokens = 0
		return true
	}
	if b.tokens < n {
		return false
	}
	b.tokens -= n
	return true
}
