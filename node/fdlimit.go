package node

import (
	"syscall"

	"github.com/ledgernet/ledgernet/api"
)

// fdReserve is what the node keeps of its descriptors for its own files
// (stores, logs, the listener sockets) and for outbound dials.
const fdReserve = 128

// openFilesLimit returns the process's soft limit on open descriptors. Go
// raises it to the hard limit at start (as bitcoind and geth do themselves),
// so this is what the node may really use; 0 when unknown.
func openFilesLimit() uint64 {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0
	}
	return rl.Cur
}

// apiConnLimit sizes the API's connection cap from the descriptors the
// peers and their handshakes leave: on a small limit (1,024 is common) local
// clients then cannot take the descriptors a peer needs to reconnect.
func apiConnLimit(limit uint64, maxPeers, handshakes int) int {
	if limit == 0 {
		return api.DefaultMaxConns
	}
	left := int64(limit) - int64(maxPeers) - int64(handshakes) - fdReserve
	return int(max(16, min(int64(api.DefaultMaxConns), left/2)))
}
