package btcnode

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/netsync"
)

// The re-executed test binary runs a syncing node when childEnv is set.
const (
	childEnv     = "BTCNODE_TEST_CHILD"
	childDirEnv  = "BTCNODE_TEST_CHILD_DIR"
	childPeerEnv = "BTCNODE_TEST_CHILD_PEER"
)

// childSync is the child's sync tuning: a small window and pipeline, so
// that the parent can kill it half way.
var childSync = netsync.Config{Window: 128, MaxInFlightLocal: 8}

// runChild syncs from the peer in childPeerEnv into childDirEnv with fsync
// on, printing each new height, until it is killed.
func runChild() int {
	cfg := Config{
		Params:    chain.RegTestParams(),
		DataDir:   os.Getenv(childDirEnv),
		Connect:   []string{os.Getenv(childPeerEnv)},
		NoDNSSeed: true,
		Sync:      childSync,
	}
	n, err := New(cfg)
	if err == nil {
		err = n.Start()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	n.Chain().Subscribe(func(ev store.Event) {
		if ev.Kind == store.EventTipChanged {
			fmt.Printf("height %d\n", ev.Height)
		}
	})
	time.Sleep(2 * time.Minute) // the parent kills it long before
	return 2
}

// A node killed with SIGKILL in the middle of a sync (fsync on) reopens a
// consistent database and resumes: the blocks it had stored are not
// downloaded again.
func TestKillRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	blocks := testChain(6000)
	a := startNode(t, testConfig(t, "a"), blocks)
	dir := filepath.Join(t.TempDir(), "child")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", childDirEnv+"="+dir, childPeerEnv+"="+a.addr())
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	t.Cleanup(func() {
		if !killed {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	sc := bufio.NewScanner(out)
	last := 0
	for sc.Scan() {
		if h, err := strconv.Atoi(strings.TrimPrefix(sc.Text(), "height ")); err == nil {
			last = h
		}
		if last >= 2000 {
			break
		}
	}
	if last < 2000 {
		t.Fatalf("child stopped at height %d", last)
	}
	cmd.Process.Kill() // SIGKILL: no deferred code, no flush
	cmd.Wait()
	killed = true
	// a may still be sending blocks the child asked for: count what it
	// served once it has let the dead peer go (its handler has ended).
	eventually(t, time.Minute, "a to drop the killed child", func() bool { return len(a.PeersInfo()) == 0 })
	served := a.Sync().Stats().BlocksServed

	// The database opens, consistent, at or above the last height printed.
	st, err := store.Open(filepath.Join(dir, store.FileName), chain.RegTestParams(), store.Config{})
	if err != nil {
		t.Fatalf("database after kill -9: %v", err)
	}
	stored := countStored(st, blocks)
	tip := st.Tip().Height
	st.Close()
	if int(tip) < last {
		t.Errorf("tip %d after kill, the child had printed %d", tip, last)
	}

	cfg := testConfig(t, "b")
	cfg.DataDir = dir
	cfg.Connect = []string{a.addr()}
	cfg.Sync = childSync
	b := startNode(t, cfg, nil)
	waitTip(t, b, tipOf(blocks), 3*time.Minute)
	again := b.Sync().Stats().BlocksRequested
	t.Logf("killed at height %d (tip %d, %d blocks stored, %d served); restart requested %d", last, tip, stored, served, again)
	if int(again) != len(blocks)-stored {
		t.Errorf("restart requested %d blocks, want %d: every block not stored, once", again, len(blocks)-stored)
	}
	if total := a.Sync().Stats().BlocksServed; int(total-served) != len(blocks)-stored {
		t.Errorf("a served %d blocks after the restart, want %d", total-served, len(blocks)-stored)
	}
}
