package discover

import (
	"net/netip"
	"time"
)

// ipLimiter keeps a token bucket per source IP. It is owned by the read
// loop and needs no lock.
//
// An attacker who spoofs many source addresses could grow the map without
// bound, so it holds at most maxTracked IPs; when full, idle buckets (those
// refilled to the brim) are dropped, and if that frees nothing, untracked
// IPs share one overflow bucket, so spoofing buys no extra budget.
type ipLimiter struct {
	rate, burst float64
	max         int
	buckets     map[netip.Addr]*tokenBucket
	overflow    tokenBucket
}

type tokenBucket struct {
	tokens float64
	last   time.Time
}

const maxTrackedIPs = 4096

func newIPLimiter(rate, burst float64) *ipLimiter {
	return &ipLimiter{
		rate:     rate,
		burst:    burst,
		max:      maxTrackedIPs,
		buckets:  make(map[netip.Addr]*tokenBucket),
		overflow: tokenBucket{tokens: burst},
	}
}

// allow takes a token for ip, reporting false when its bucket is empty.
// Loopback is exempt: a peer on this host can do worse than flood us, and
// local test networks put every node on 127.0.0.1.
func (l *ipLimiter) allow(ip netip.Addr, now time.Time) bool {
	if l.rate < 0 || ip.IsLoopback() {
		return true
	}
	ip = ip.Unmap()
	b := l.buckets[ip]
	if b == nil {
		if len(l.buckets) >= l.max {
			l.prune(now)
		}
		if len(l.buckets) >= l.max {
			return l.take(&l.overflow, now)
		}
		b = &tokenBucket{tokens: l.burst, last: now}
		l.buckets[ip] = b
	}
	return l.take(b, now)
}

func (l *ipLimiter) take(b *tokenBucket, now time.Time) bool {
	l.refill(b, now)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (l *ipLimiter) refill(b *tokenBucket, now time.Time) {
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = min(l.burst, b.tokens+dt*l.rate)
	}
	b.last = now
}

func (l *ipLimiter) prune(now time.Time) {
	for ip, b := range l.buckets {
		l.refill(b, now)
		if b.tokens >= l.burst {
			delete(l.buckets, ip)
		}
	}
}
