package interop

// A harness that runs the real `ledgernet node` program (built once per test
// binary by ledgernetBin) on 127.0.0.1 with its HTTP API on another loopback
// port and JSON logs on stderr, and reads its state through that API
// (GET /api/v1/node, /api/v1/chain, /api/v1/peers) and the command line
// client (`ledgernet chain --json`, `ledgernet admin addpeer`). Every node
// gets SIGINT, then SIGKILL, by its PID when its test ends.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// nodeCmd is one running `ledgernet node`.
type nodeCmd struct {
	t       testing.TB
	name    string
	datadir string
	listen  string // 127.0.0.1:port for peers
	api     string // 127.0.0.1:port of the HTTP API
	proc    *process
}

// nodeChain is GET /api/v1/chain.
type nodeChain struct {
	Height   int64   `json:"height"`
	Tip      string  `json:"tip"`
	Headers  int64   `json:"headers"`
	Syncing  bool    `json:"syncing"`
	Progress float64 `json:"progress"`
}

// nodePeer is one element of GET /api/v1/peers.
type nodePeer struct {
	Addr      string  `json:"addr"`
	ID        string  `json:"id"`
	Inbound   bool    `json:"inbound"`
	Version   uint32  `json:"version"`
	UserAgent string  `json:"user_agent"`
	Services  uint64  `json:"services"`
	Height    int64   `json:"height"`
	PingMS    float64 `json:"ping_ms"`
	Transport string  `json:"transport"`
}

// nodeInfo is GET /api/v1/node.
type nodeInfo struct {
	ID      string   `json:"id"`
	Enode   string   `json:"enode"`
	Listen  []string `json:"listen"`
	Profile string   `json:"profile"`
	Version string   `json:"version"`
}

var nodeHTTP = &http.Client{Timeout: time.Minute}

// startNodeCmd runs `ledgernet node --profile PROFILE` with a fresh data
// directory, a free peer port and a free API port, plus extra flags, and
// returns once its API answers.
func startNodeCmd(t testing.TB, name, profile string, extra ...string) *nodeCmd {
	t.Helper()
	n := &nodeCmd{
		t: t, name: name, datadir: filepath.Join(t.TempDir(), name),
		listen: btcdFreePort(t), api: btcdFreePort(t),
	}
	args := append([]string{
		"node", "--profile", profile, "--datadir", n.datadir,
		"--listen", n.listen, "--api", n.api, "--log-format", "json",
	}, extra...)
	n.proc = startProcess(t, ledgernetBin(t), args...)
	t.Cleanup(func() {
		if t.Failed() {
			lines := strings.Split(strings.TrimSpace(n.proc.log.String()), "\n")
			t.Logf("ledgernet node %s (pid %d) log tail:\n%s", name, n.proc.cmd.Process.Pid, strings.Join(lines[max(0, len(lines)-40):], "\n"))
		}
	})
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var info nodeInfo
		err := n.get("/api/v1/node", &info)
		if err == nil {
			break
		}
		select {
		case <-n.proc.done:
			t.Fatalf("ledgernet node %s exited: %v; output:\n%s", name, n.proc.cmd.ProcessState, n.proc.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("ledgernet node %s API not up: %v", name, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return n
}

// get reads GET path of the node's API as JSON into out.
func (n *nodeCmd) get(path string, out any) error {
	resp, err := nodeHTTP.Get("http://" + n.api + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error string `json:"error"`
		}
		json.NewDecoder(resp.Body).Decode(&e)
		return fmt.Errorf("GET %s: %s: %s", path, resp.Status, e.Error)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (n *nodeCmd) mustGet(path string, out any) {
	n.t.Helper()
	if err := n.get(path, out); err != nil {
		n.t.Fatalf("ledgernet node %s: %v", n.name, err)
	}
}

// chain returns GET /api/v1/chain, the zero value when the API does not
// answer (for polls).
func (n *nodeCmd) chain() nodeChain {
	var c nodeChain
	if err := n.get("/api/v1/chain", &c); err != nil {
		return nodeChain{}
	}
	return c
}

// tip returns the hash of the node's tip, "" when the API does not answer.
func (n *nodeCmd) tip() string { return n.chain().Tip }

// peers returns GET /api/v1/peers.
func (n *nodeCmd) peers() []nodePeer {
	n.t.Helper()
	var p []nodePeer
	n.mustGet("/api/v1/peers", &p)
	return p
}

// info returns GET /api/v1/node.
func (n *nodeCmd) info() nodeInfo {
	n.t.Helper()
	var i nodeInfo
	n.mustGet("/api/v1/node", &i)
	return i
}

// cli runs the ledgernet command line client against this node (--api and
// --datadir appended) and returns its stdout.
func (n *nodeCmd) cli(args ...string) string {
	n.t.Helper()
	cmd := exec.Command(ledgernetBin(n.t), append(args, "--api", n.api, "--datadir", n.datadir)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		n.t.Fatalf("ledgernet %s: %v: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// cliChain runs `ledgernet chain --json`.
func (n *nodeCmd) cliChain() nodeChain {
	n.t.Helper()
	var c nodeChain
	out := n.cli("chain", "--json")
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		n.t.Fatalf("ledgernet chain --json printed %q: %v", out, err)
	}
	return c
}

// addPeer runs `ledgernet admin addpeer ADDR`.
func (n *nodeCmd) addPeer(addr string) { n.t.Helper(); n.cli("admin", "addpeer", addr) }

// logRecords returns the node's JSON log records so far whose msg is one
// of msgs.
func (n *nodeCmd) logRecords(msgs ...string) []map[string]any {
	var out []map[string]any
	for _, line := range strings.Split(n.proc.log.String(), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil {
			continue
		}
		for _, m := range msgs {
			if rec["msg"] == m {
				out = append(out, rec)
				break
			}
		}
	}
	return out
}

// syncTrouble returns the log records of the events netsync counts as bad
// blocks and bad headers: an "invalid block" warning, and a "misbehaving"
// one for headers that are not a chain, do not connect, or are invalid.
func (n *nodeCmd) syncTrouble() []map[string]any {
	var out []map[string]any
	for _, rec := range n.logRecords("invalid block", "misbehaving") {
		reason, _ := rec["reason"].(string)
		if rec["msg"] == "invalid block" || reason == "headers are not a chain" ||
			reason == "headers do not connect" || strings.HasPrefix(reason, "invalid header:") {
			out = append(out, rec)
		}
	}
	return out
}

// stop interrupts the node and waits for it to exit.
func (n *nodeCmd) stop() { n.proc.stop(n.t) }

// metric returns the value of one series of /metrics, written as the
// exposition format writes it (name{labels in order}), or -1 if absent.
func (n *nodeCmd) metric(series string) float64 {
	n.t.Helper()
	resp, err := http.Get("http://" + n.api + "/metrics")
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		n.t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				n.t.Fatalf("/metrics: %q: %v", line, err)
			}
			return f
		}
	}
	return -1
}
