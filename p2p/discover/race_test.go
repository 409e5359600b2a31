//go:build race

package discover

// raceEnabled: the race detector makes secp256k1 about 30 times slower, so
// the heavier tests shrink under it.
const raceEnabled = true
