package node

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/internal/boltfile"
)

// cutInHalf truncates a data file as a full disk or an interrupted copy
// would.
func cutInHalf(t *testing.T, path string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, st.Size()/2); err != nil {
		t.Fatal(err)
	}
}

// TestDamagedDataFiles: a truncated nodes.db (a cache) is moved aside and
// the node starts; a truncated chain.db is an error that names the file and
// the way out, never a crash; a data directory in use says so.
func TestDamagedDataFiles(t *testing.T) {
	cfg := devnetConfig(t)
	n := startNode(t, "first", cfg, Options{})
	n.Stop()

	cutInHalf(t, filepath.Join(cfg.DataDir, NodesFile))
	n = startNode(t, "nodes.db cut", cfg, Options{})
	aside, _ := filepath.Glob(filepath.Join(cfg.DataDir, NodesFile+".damaged-*"))
	if len(aside) != 1 {
		t.Fatalf("damaged nodes.db not moved aside: %v", aside)
	}

	// In use: a second node on the same data directory.
	second, err := New(cfg, Options{NoSync: true, Logger: testLogger(t, "second")})
	if err == nil {
		err = second.Start(context.Background())
		defer second.Stop()
	}
	if !errors.Is(err, boltfile.ErrLocked) || !strings.Contains(err.Error(), store.FileName) {
		t.Fatalf("second node on one data directory: %v", err)
	}
	n.Stop()

	cutInHalf(t, filepath.Join(cfg.DataDir, store.FileName))
	third, err := New(cfg, Options{NoSync: true, Logger: testLogger(t, "third")})
	if err == nil {
		err = third.Start(context.Background())
		defer third.Stop()
	}
	if !errors.Is(err, boltfile.ErrDamaged) || !strings.Contains(err.Error(), store.FileName) ||
		!strings.Contains(err.Error(), "db check") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("truncated chain.db: %v", err)
	}
}
