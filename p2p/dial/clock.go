package dial

import "github.com/ledgernet/ledgernet/p2p"

// Clock is the scheduler's source of time: p2p.Clock, so that one virtual
// clock can drive the scheduler and every other component of a simulated
// node. The zero Config uses SystemClock.
type Clock = p2p.Clock

// Timer is a one-shot timer made by a Clock.
type Timer = p2p.Timer

// SystemClock is the Clock backed by the time package.
type SystemClock = p2p.SystemClock
