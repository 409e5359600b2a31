package interop

import (
	"context"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/interop/internal/tools"
	"github.com/ledgernet/ledgernet/p2p/devp2p"
	"github.com/ledgernet/ledgernet/p2p/enode"
)

// TestRLPxPingByDevp2p: go-ethereum's `devp2p rlpx ping` dials a devnet
// node (the real `ledgernet node --profile devnet` program, discovery off)
// on 127.0.0.1: EIP-8 handshake as initiator, then it reads one frame with
// snappy off and must find our Hello there, sent without waiting for its
// own (it never sends one). The enode URL comes from the node's API (GET
// /api/v1/node) and must match its "Devnet node listening" log record and
// the key in its data directory.
func TestRLPxPingByDevp2p(t *testing.T) {
	devp2pBin := tools.Require(t, tools.Devp2p)
	n := startNodeCmd(t, "devnet", "devnet", "--discovery", "off")
	info := n.info()
	node, err := enode.ParseV4(info.Enode)
	if err != nil {
		t.Fatalf("GET /api/v1/node enode %q: %v", info.Enode, err)
	}
	if node.ID().String() != info.ID {
		t.Errorf("enode ID %s, API id %s", node.ID(), info.ID)
	}
	logged := n.logRecords("Devnet node listening")
	if len(logged) != 1 || logged[0]["enode"] != info.Enode {
		t.Errorf("log records %v, want one with enode %s", logged, info.Enode)
	}
	key, err := enode.LoadNodeKey(filepath.Join(n.datadir, "nodekey"))
	if err != nil {
		t.Fatal(err)
	}
	id := devp2p.PubkeyID(key.PubKey())
	wantID := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(id[:])), " "), "[]")
	_, port, _ := net.SplitHostPort(n.listen)
	if fmt.Sprint(node.TCP()) != port || node.IP().String() != "127.0.0.1" {
		t.Errorf("enode %s, want 127.0.0.1:%s", node.URLv4(), port)
	}

	for i := range 2 { // twice: the node survives a client that leaves after Hello
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		out, err := exec.CommandContext(ctx, devp2pBin, "rlpx", "ping", node.URLv4()).CombinedOutput()
		cancel()
		t.Logf("devp2p rlpx ping #%d: %s", i+1, strings.TrimSpace(string(out)))
		if err != nil {
			t.Fatalf("devp2p rlpx ping: %v\n%s", err, out)
		}
		for _, want := range []string{"Version:5 ", "Name:ledgernet/v", "Caps:[chain/1 status/1 topic/1]", "ListenPort:" + port + " ", "ID:[" + wantID + "]"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("ping output lacks %q", want)
			}
		}
	}
}
