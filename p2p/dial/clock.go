package dial

import "time"

// Clock is the scheduler's source of time. The zero Config uses SystemClock.
//
// Tests in this package use SystemClock inside a testing/synctest bubble,
// where time.Now and timers follow virtual time; the interface exists so that
// a simulation running outside a test (many nodes in one process on a shared
// simulated clock) can drive the scheduler too.
type Clock interface {
	Now() time.Time
	// NewTimer returns a timer that sends on its channel once, d from now.
	NewTimer(d time.Duration) Timer
}

// Timer is a one-shot timer made by a Clock.
type Timer interface {
	C() <-chan time.Time
	// Stop prevents the timer from firing; it reports whether it was still
	// pending.
	Stop() bool
}

// SystemClock is the Clock backed by the time package.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// NewTimer returns a time.Timer.
func (SystemClock) NewTimer(d time.Duration) Timer { return sysTimer{time.NewTimer(d)} }

type sysTimer struct{ t *time.Timer }

func (t sysTimer) C() <-chan time.Time { return t.t.C }
func (t sysTimer) Stop() bool          { return t.t.Stop() }
