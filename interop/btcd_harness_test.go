package interop

// A harness that runs real btcd regtest nodes (pinned v0.26.2, installed
// by internal/tools) on 127.0.0.1, each in its own temporary directory
// with an empty config file, RPC without TLS on loopback, and drives them
// with btcctl; ledgernet runs as the real `ledgernet node --profile
// regtest` program. Every process is killed by PID when its test ends.

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/interop/internal/tools"
	"github.com/ledgernet/ledgernet/wire"
)

// btcd is one running btcd process.
type btcd struct {
	t        testing.TB
	name     string
	dir      string
	p2p, rpc string // 127.0.0.1:port
	cmd      *exec.Cmd
	ctlPath  string
	started  time.Time
}

// freePort returns a loopback address with a port that was free a moment
// ago.
func btcdFreePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// regtestAddr returns a regtest P2PKH address (version 0x6f) for a key hash
// made from seed, for --miningaddr.
func regtestAddr(seed byte) string {
	payload := make([]byte, 21)
	payload[0] = 0x6f
	for i := 1; i < 21; i++ {
		payload[i] = seed + byte(i)
	}
	h1 := sha256.Sum256(payload)
	h2 := sha256.Sum256(h1[:])
	return base58(append(payload, h2[:4]...))
}

func base58(b []byte) string {
	const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	n := new(big.Int).SetBytes(b)
	var out []byte
	mod, base := new(big.Int), big.NewInt(58)
	for n.Sign() > 0 {
		n.DivMod(n, base, mod)
		out = append(out, alphabet[mod.Int64()])
	}
	for _, c := range b {
		if c != 0 {
			break
		}
		out = append(out, '1')
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return string(out)
}

// startBtcd starts a regtest btcd that mines to an address made from seed,
// with extra flags (--connect=..., --nocfilters).
func startBtcd(t testing.TB, name string, seed byte, extra ...string) *btcd {
	t.Helper()
	bin := tools.Require(t, tools.Btcd)
	b := &btcd{t: t, name: name, dir: t.TempDir(), p2p: btcdFreePort(t), rpc: btcdFreePort(t), ctlPath: tools.Require(t, tools.Btcctl)}
	conf := filepath.Join(b.dir, "btcd.conf")
	if err := os.WriteFile(conf, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(b.dir, "btcctl.conf"), nil, 0o600)
	args := append([]string{
		"-C", conf, "--regtest",
		"--datadir", filepath.Join(b.dir, "data"), "--logdir", filepath.Join(b.dir, "logs"),
		"--listen", b.p2p, "--rpclisten", b.rpc, "--rpcuser", "u", "--rpcpass", "p", "--notls",
		"--miningaddr", regtestAddr(seed), "--nodnsseed", "--debuglevel", "info",
	}, extra...)
	b.cmd = exec.Command(bin, args...)
	// btcd and btcctl create ~/.btcd and ~/.btcctl: keep them in the test's
	// directory.
	b.cmd.Env = append(os.Environ(), "HOME="+b.dir)
	b.started = time.Now()
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := b.cmd.Process.Pid
	t.Cleanup(func() {
		b.cmd.Process.Kill() // by PID
		b.cmd.Wait()
		if t.Failed() {
			raw, _ := os.ReadFile(filepath.Join(b.dir, "logs", "regtest", "btcd.log"))
			var keep []string
			for _, line := range strings.Split(string(raw), "\n") {
				if !strings.Contains(line, "MINR") {
					keep = append(keep, line)
				}
			}
			log := strings.Join(keep[max(0, len(keep)-40):], "\n")
			t.Logf("btcd %s (pid %d) log tail:\n%s", name, pid, log)
		}
	})
	deadline := time.Now().Add(3 * time.Minute)
	for {
		if _, err := b.ctl("getblockcount"); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("btcd %s RPC not up", name)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return b
}

// ctl runs btcctl against this node.
func (b *btcd) ctl(args ...string) (string, error) {
	all := append([]string{"-C", filepath.Join(b.dir, "btcctl.conf"), "--regtest", "--notls", "-s", b.rpc, "-u", "u", "-P", "p"}, args...)
	cmd := exec.Command(b.ctlPath, all...)
	cmd.Env = append(os.Environ(), "HOME="+b.dir)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("btcctl %v: %v: %s", args, err, errb.String())
	}
	return strings.TrimSpace(out.String()), nil
}

func (b *btcd) mustCtl(args ...string) string {
	b.t.Helper()
	s, err := b.ctl(args...)
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

// generate mines n blocks, 2,000 per call.
func (b *btcd) generate(n int) {
	b.t.Helper()
	for n > 0 {
		k := min(n, 2000)
		b.mustCtl("generate", strconv.Itoa(k))
		n -= k
	}
}

func (b *btcd) height() int {
	b.t.Helper()
	h, err := strconv.Atoi(b.mustCtl("getblockcount"))
	if err != nil {
		b.t.Fatal(err)
	}
	return h
}

func (b *btcd) bestHash() wire.Hash {
	b.t.Helper()
	h, err := wire.NewHashFromStr(b.mustCtl("getbestblockhash"))
	if err != nil {
		b.t.Fatal(err)
	}
	return h
}

// peers returns btcd's getpeerinfo addresses and user agents.
func (b *btcd) peers() []map[string]any {
	b.t.Helper()
	var out []map[string]any
	if err := json.Unmarshal([]byte(b.mustCtl("getpeerinfo")), &out); err != nil {
		b.t.Fatal(err)
	}
	return out
}

// startLedgernet runs `ledgernet node --profile regtest` on loopback (see
// node_cmd_test.go), with extra flags such as --connect.
func startLedgernet(t testing.TB, name string, extra ...string) *nodeCmd {
	t.Helper()
	return startNodeCmd(t, name, "regtest", extra...)
}

// waitFor polls cond until it holds, failing after timeout.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > timeout {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}
