// Package tools installs the external programs the interop tests run, at
// pinned versions, with `go install` into a cache directory, once.
//
// The cache is $LEDGERNET_INTEROP_CACHE, or the user cache directory's
// ledgernet-interop folder. Each tool and version gets its own GOBIN, so a
// version bump never reuses an old binary. Concurrent test binaries serialise
// installs with a lock file.
package tools

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Tool is a program installable with `go install pkg@version`.
type Tool struct {
	Name    string // binary name
	Package string // import path of the main package
	Version string // module version, pinned
}

// Pinned versions. btcd is the release the research notes measured; geth is
// v1.17.5 because v1.17.10's dependencies cannot be installed here.
var (
	Btcd   = Tool{Name: "btcd", Package: "github.com/btcsuite/btcd", Version: "v0.26.2"}
	Btcctl = Tool{Name: "btcctl", Package: "github.com/btcsuite/btcd/cmd/btcctl", Version: "v0.26.2"}
	Devp2p = Tool{Name: "devp2p", Package: "github.com/ethereum/go-ethereum/cmd/devp2p", Version: "v1.17.5"}
	Geth   = Tool{Name: "geth", Package: "github.com/ethereum/go-ethereum/cmd/geth", Version: "v1.17.5"}
)

// CacheDir returns the directory that holds installed tools.
func CacheDir() (string, error) {
	if d := os.Getenv("LEDGERNET_INTEROP_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "ledgernet-interop"), nil
}

// Path installs t if it is not installed yet and returns its binary's path.
func (t Tool) Path(ctx context.Context) (string, error) {
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "bin", t.Name+"-"+t.Version)
	bin := filepath.Join(dir, t.Name)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	lock, err := os.OpenFile(filepath.Join(cache, "install.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil // installed by another process while we waited
	}
	cmd := exec.CommandContext(ctx, "go", "install", t.Package+"@"+t.Version)
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=-buildvcs=false")
	cmd.Dir = os.TempDir() // outside any module, so the pinned version is used as is
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go install %s@%s: %v\n%s", t.Package, t.Version, err, strings.TrimSpace(string(out)))
	}
	return bin, nil
}

// Require installs t for a test, failing the test when that is impossible.
// The install can take minutes the first time; later runs reuse the binary.
func Require(tb testing.TB, t Tool) string {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	p, err := t.Path(ctx)
	if err != nil {
		tb.Fatalf("cannot install %s %s: %v", t.Name, t.Version, err)
	}
	return p
}
