package store

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
	"github.com/ledgernet/ledgernet/wire"
)

// crashDirEnv names the database directory of the crash child.
const crashDirEnv = "LEDGERNET_STORE_CRASH_DIR"

// TestCrashKill really kills a writer: a child process (this test binary,
// re-executed) mines and connects devnet blocks with transactions into a
// database with fsync on; the parent kills it with SIGKILL at some point
// of its work, reopens the database and checks that it is consistent (the
// coin set is exactly the replay of the connected chain, undo records
// match), then lets another child resume from there.
func TestCrashKill(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	dir := t.TempDir()
	p := chain.DevNetParams()
	last := int32(0)
	for round, lines := range []int{7, 23, 41} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		seen := 0
		for seen < lines && sc.Scan() {
			if strings.HasPrefix(sc.Text(), "connected ") {
				seen++
			}
		}
		// SIGKILL: no deferred code, no bbolt close, maybe mid-commit.
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if seen < lines {
			t.Fatalf("round %d: child printed %d blocks before exiting", round, seen)
		}
		s, err := Open(filepath.Join(dir, FileName), p, Config{Now: testNow})
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		if err := verifyState(s); err != nil {
			t.Fatalf("round %d: inconsistent after kill: %v", round, err)
		}
		h := s.Tip().Height
		if h < last {
			t.Fatalf("round %d: tip went back from %d to %d", round, last, h)
		}
		last = h
		t.Logf("round %d: killed after %d blocks printed, reopened at height %d", round, seen, h)
		s.Close()
	}
	if last < 40 {
		t.Fatalf("only reached height %d", last)
	}
}

// TestCrashChild is the child of TestCrashKill; it does nothing unless
// started by it. It mines until killed (or for a minute at most).
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("only run by TestCrashKill")
	}
	p := chain.DevNetParams()
	// Fsync on, small batches: the kill should find commits in flight.
	s, err := Open(filepath.Join(dir, FileName), p, Config{Now: testNow, ConnectBatch: 2})
	if err != nil {
		t.Fatal(err)
	}
	key := testKey(1)
	script := keyScript(key)
	deadline := time.Now().Add(time.Minute)
	for i := 0; time.Now().Before(deadline); i++ {
		// 1 to 3 blocks per call, so some commits hold several.
		n := 1 + i%3
		tip := s.Tip()
		coins, _, err := s.CoinsByScript(script)
		if err != nil {
			t.Fatal(err)
		}
		var blocks []*wire.MsgBlock
		prev, height := tip.Hash, tip.Height
		used := make(map[wire.OutPoint]bool)
		for range n {
			height++
			var txs []*wire.MsgTx
			var fees int64
			for _, c := range coins {
				if len(txs) == 3 {
					break
				}
				if used[c.OutPoint] || c.Coin.Value < 10_000 ||
					c.Coin.Coinbase && height-c.Coin.Height < p.CoinbaseMaturity {
					continue
				}
				used[c.OutPoint] = true
				half := c.Coin.Value / 2
				txs = append(txs, spend(t, key, []wire.OutPoint{c.OutPoint},
					&wire.TxOut{Value: half, PkScript: script},
					&wire.TxOut{Value: c.Coin.Value - half - testFee, PkScript: script}))
				fees += testFee
			}
			blk := makeBlock(t, p, blockSpec{prev: prev, height: height, tag: byte(i), payTo: script, txs: txs, fees: fees})
			blocks = append(blocks, blk)
			prev = blk.BlockHash()
		}
		if err := s.ProcessBlocks(blocks); err != nil {
			t.Fatal(err)
		}
		fmt.Println("connected " + strconv.Itoa(int(s.Tip().Height)))
	}
}
