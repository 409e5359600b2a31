package interop

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/interop/internal/tools"
	"github.com/ledgernet/ledgernet/p2p/enode"
)

// Interop of ledgernet's discv4 (p2p/discover, run by the hidden
// `ledgernet discv4 serve` command) with go-ethereum's devp2p tool: its
// discv4 conformance suite, its record decoder, its discovery node, and
// its crawler. Everything listens on 127.0.0.x only.

// discNode is a running `ledgernet discv4 serve`.
type discNode struct {
	*process
	url   string      // enode URL, first line of stdout
	enr   string      // record, second line
	n     *enode.Node // parsed record
	table map[enode.ID]bool
}

func startDiscNode(t *testing.T, args ...string) *discNode {
	t.Helper()
	port := freeUDPPort(t)
	args = append([]string{"discv4", "serve", "--listen", fmt.Sprintf("127.0.0.1:%d", port)}, args...)
	p := startProcess(t, ledgernetBin(t), args...)
	d := &discNode{process: p, table: make(map[enode.ID]bool)}
	d.url = p.nextLine(t, 3*time.Minute)
	d.enr = p.nextLine(t, time.Minute)
	n, err := enode.Parse(d.enr)
	if err != nil {
		t.Fatalf("serve printed record %q: %v", d.enr, err)
	}
	d.n = n
	return d
}

// waitTable reads the node's "table <n> <enode>" lines until one names id.
func (d *discNode) waitTable(t *testing.T, id enode.ID, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !d.table[id] {
		left := time.Until(deadline)
		if left <= 0 {
			t.Fatalf("node %s never had %s in its table; output:\n%s", d.n.ID().TerminalString(), id.TerminalString(), d.log.String())
		}
		line := d.nextLine(t, left)
		f := strings.Fields(line)
		if len(f) == 3 && f[0] == "table" {
			if n, err := enode.ParseV4(f[2]); err == nil {
				d.table[n.ID()] = true
			}
		}
	}
}

// freeUDPPort returns a UDP port on 127.0.0.1 that was free a moment ago.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

func runDevp2p(t *testing.T, timeout time.Duration, args ...string) string {
	t.Helper()
	bin := tools.Require(t, tools.Devp2p)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("devp2p %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestDiscv4Devp2pSuite runs go-ethereum's discv4 conformance suite (15
// tests: ping, endpoint proof, expiration, unsolicited replies,
// amplification) against a ledgernet node. The second tester address,
// 127.0.0.2, is loopback on Linux.
func TestDiscv4Devp2pSuite(t *testing.T) {
	tools.Require(t, tools.Devp2p)
	d := startDiscNode(t, "--verbosity", "2")
	out := runDevp2p(t, 2*time.Minute, "discv4", "test", "--remote", d.url, "--listen1", "127.0.0.1", "--listen2", "127.0.0.2")
	t.Logf("devp2p discv4 test:\n%s", out)
	if !strings.Contains(out, "15/15 tests passed.") {
		t.Fatalf("suite failed; node log:\n%s", d.log.String())
	}
}

// TestDiscv4ENRDump has devp2p decode our record: signature, ID, endpoint
// and the network entry.
func TestDiscv4ENRDump(t *testing.T) {
	tools.Require(t, tools.Devp2p)
	d := startDiscNode(t, "--network", "devnet")
	out := runDevp2p(t, time.Minute, "enrdump", d.enr)
	t.Logf("devp2p enrdump:\n%s", out)
	udp, _ := d.n.UDPEndpoint()
	for _, want := range []string{
		"Node ID: " + d.n.ID().String(),
		"URLv4:   " + d.url,
		fmt.Sprintf("sequence number %d", d.n.Seq()),
		`"ip"        127.0.0.1`,
		fmt.Sprintf(`"udp"       %d`, udp.Port()),
		`"ledgernet" c7866465766e6574`, // ["devnet"]
	} {
		if !strings.Contains(out, want) {
			t.Errorf("enrdump output lacks %q", want)
		}
	}
}

// TestDiscv4Devp2pListen bootstraps a ledgernet node from go-ethereum's
// discovery node (`devp2p discv4 listen`): each must end up in the other's
// table. The devp2p side is read through its RPC (discv4_buckets).
func TestDiscv4Devp2pListen(t *testing.T) {
	bin := tools.Require(t, tools.Devp2p)
	keyBytes := make([]byte, 32)
	rand.Read(keyBytes)
	key, err := enode.PrivateKeyFromBytes(keyBytes)
	if err != nil {
		t.Fatal(err)
	}
	gethID := enode.PubkeyToID(key.PubKey())
	rpcAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	listen := startProcess(t, bin, "discv4", "listen",
		"--addr", fmt.Sprintf("127.0.0.1:%d", freeUDPPort(t)),
		"--nodekey", hex.EncodeToString(keyBytes),
		"--bootnodes", "", // no mainnet bootnodes
		"--rpc", rpcAddr)
	// devp2p listen waits for no signal: SIGTERM ends it (SIGINT would
	// wait out the helper's 10 s).
	defer listen.cmd.Process.Signal(syscall.SIGTERM)
	var gethENR string
	for gethENR == "" {
		if l := listen.nextLine(t, 3*time.Minute); strings.HasPrefix(l, "enr:") {
			gethENR = l
		}
	}
	waitListening(t, rpcAddr, 3*time.Minute, listen.done)

	d := startDiscNode(t, "--bootnodes", gethENR)
	d.waitTable(t, gethID, 3*time.Minute)

	// devp2p adds us when we bond (as an enode, from our ping), and fetches
	// our record when its revalidation sees our sequence number in a pong.
	deadline := time.Now().Add(3 * time.Minute)
	var added bool
	for {
		var resp struct {
			Result [][]struct {
				Node string `json:"node"`
				Live bool   `json:"live"`
			} `json:"result"`
		}
		rpcCall(t, rpcAddr, "discv4_buckets", &resp)
		for _, b := range resp.Result {
			for _, e := range b {
				n, err := enode.Parse(e.Node)
				if err != nil || n.ID() != d.n.ID() {
					continue
				}
				if !added {
					t.Logf("devp2p listen added our node: %s", e.Node)
					added = true
				}
				if nw, _ := n.Network(); nw == "devnet" && e.Live {
					t.Logf("devp2p listen holds our record, live: %s", e.Node)
					return
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("devp2p listen never held our live record (added: %v); its buckets: %+v\nour log:\n%s", added, resp.Result, d.log.String())
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func rpcCall(t *testing.T, addr, method string, result any) {
	t.Helper()
	body := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":%q,"params":[]}`, method)
	resp, err := http.Post("http://"+addr+"/", "application/json", bytes.NewBufferString(body))
	if err != nil {
		t.Fatalf("rpc %s: %v", method, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(result); err != nil {
		t.Fatalf("rpc %s: %v", method, err)
	}
}

// TestDiscv4Crawl lets go-ethereum's crawler loose on a small ledgernet
// network: starting from one node it must find every node and fetch each
// record.
func TestDiscv4Crawl(t *testing.T) {
	tools.Require(t, tools.Devp2p)
	boot := startDiscNode(t)
	nodes := []*discNode{boot}
	for range 4 {
		nodes = append(nodes, startDiscNode(t, "--bootnodes", boot.url))
	}
	// Wait until the bootnode knows everyone: the crawler starts there.
	for _, n := range nodes[1:] {
		boot.waitTable(t, n.n.ID(), 3*time.Minute)
	}
	out := filepath.Join(t.TempDir(), "nodes.json")
	log := runDevp2p(t, 2*time.Minute, "discv4", "crawl", "--addr", "127.0.0.1:0", "--bootnodes", boot.url, "--timeout", "10s", out)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("crawler wrote no output: %v\n%s", err, log)
	}
	var found map[string]struct {
		Seq    uint64 `json:"seq"`
		Record string `json:"record"`
	}
	if err := json.Unmarshal(data, &found); err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		e, ok := found[n.n.ID().String()]
		if !ok {
			t.Errorf("crawler missed node %s", n.n.ID().TerminalString())
			continue
		}
		if e.Record != n.enr || e.Seq != n.n.Seq() {
			t.Errorf("crawler has record %s seq %d, node has %s seq %d", e.Record, e.Seq, n.enr, n.n.Seq())
		}
	}
	t.Logf("crawler found %d nodes (of %d)", len(found), len(nodes))
}
