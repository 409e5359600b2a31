//go:build race

package store_test

// raceEnabled shortens the longest tests under the race detector, which
// makes pure-Go secp256k1 some twenty times slower.
const raceEnabled = true
