package interop

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/interop/internal/tools"
	"github.com/ledgernet/ledgernet/p2p/devp2p"
	"github.com/ledgernet/ledgernet/p2p/enode"
)

// TestRLPxPingByDevp2p: go-ethereum's `devp2p rlpx ping` dials a ledgernet
// server (the `ledgernet p2p serve` program) on 127.0.0.1: EIP-8 handshake
// as initiator, then it reads one frame with snappy off and must find our
// Hello there, sent without waiting for its own (it never sends one).
func TestRLPxPingByDevp2p(t *testing.T) {
	devp2pBin := tools.Require(t, tools.Devp2p)
	bin := ledgernetBin(t)
	keyPath := filepath.Join(t.TempDir(), "nodekey")
	port := freePort(t)
	srv := startProcess(t, bin, "p2p", "serve", "--listen", fmt.Sprintf("127.0.0.1:%d", port), "--nodekey", keyPath)
	url := srv.nextLine(t, 30*time.Second)
	node, err := enode.ParseV4(url)
	if err != nil {
		t.Fatalf("serve printed %q: %v", url, err)
	}
	key, err := enode.LoadNodeKey(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	id := devp2p.PubkeyID(key.PubKey())
	wantID := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(id[:])), " "), "[]")

	for i := range 2 { // twice: the server survives a client that leaves after Hello
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		out, err := exec.CommandContext(ctx, devp2pBin, "rlpx", "ping", node.URLv4()).CombinedOutput()
		cancel()
		t.Logf("devp2p rlpx ping #%d: %s", i+1, strings.TrimSpace(string(out)))
		if err != nil {
			t.Fatalf("devp2p rlpx ping: %v\n%s\nserver log:\n%s", err, out, srv.log.String())
		}
		for _, want := range []string{"Version:5 ", "Name:ledgernet/v", "Caps:[lnecho/1]", fmt.Sprintf("ListenPort:%d", port), "ID:[" + wantID + "]"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("ping output lacks %q", want)
			}
		}
	}
}
