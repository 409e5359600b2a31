//go:build race

package node

// raceEnabled: the race detector makes signature checks and handshakes
// about ten times slower, so tests give discovery more time to answer.
const raceEnabled = true
