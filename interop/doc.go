// Package interop holds ledgernet's tests and benchmarks against other
// implementations: btcd's wire package and a real btcd node, go-ethereum's
// devp2p tool, its rlpx package and a real geth node.
//
// It is a separate module so that the main module never depends on btcd or
// go-ethereum. Programs are installed at pinned versions with `go install`
// into a cache directory (internal/tools), once, and run on 127.0.0.1 only.
package interop
