package p2p

import "time"

// Clock is a component's source of time. Every component that keeps
// deadlines takes one in its config, so that a simulation running many nodes
// in one process can drive them all from one virtual clock. Tests usually
// pass SystemClock and run inside a testing/synctest bubble, where time.Now
// and timers follow the bubble's virtual time.
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
