package interop

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/interop/internal/tools"
	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/devp2p"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/server"
)

// startGeth runs a real geth offline on loopback: fresh data directory, a
// node key we wrote (so we know its enode), no discovery, no NAT, no IPC, no
// HTTP, peers only from 127.0.0.0/8.
func startGeth(t *testing.T) (*enode.Node, *process) {
	t.Helper()
	bin := tools.Require(t, tools.Geth)
	dir := t.TempDir()
	key, err := enode.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "geth"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := enode.SaveNodeKey(filepath.Join(dir, "geth", "nodekey"), key); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	p := startProcess(t, bin,
		"--datadir", dir,
		"--nodiscover", "--discovery.dns", "", "--nat", "none", "--netrestrict", "127.0.0.0/8",
		"--ipcdisable", "--port", strconv.Itoa(port),
		"--authrpc.addr", "127.0.0.1", "--authrpc.port", strconv.Itoa(freePort(t)),
		"--maxpeers", "5", "--cache", "128", "--verbosity", "4",
	)
	waitListening(t, fmt.Sprintf("127.0.0.1:%d", port), 3*time.Minute, p.done)
	return enode.NewV4(key.PubKey(), netip.MustParseAddr("127.0.0.1"), uint16(port), 0), p
}

// TestDialGeth: ledgernet dials a real geth, completes the RLPx handshake,
// reads geth's Hello and capabilities, and leaves as a useless peer (it
// offers only a ledgernet capability): first by hand with devp2p.Setup,
// then through a Server with geth as a static node.
func TestDialGeth(t *testing.T) {
	gethNode, geth := startGeth(t)
	key, err := enode.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	addr, _ := gethNode.TCPEndpoint()

	// By hand.
	fd, err := net.Dial("tcp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, hello, err := devp2p.Setup(ctx, fd, key, gethNode.Pubkey(), devp2p.Hello{Name: "ledgernet-interop", Caps: []devp2p.Cap{{Name: "lnecho", Version: 1}}}, nil)
	if err != nil {
		t.Fatalf("Setup with geth: %v\ngeth log:\n%s", err, geth.log.String())
	}
	t.Logf("geth's Hello: version %d, name %q, caps %v, listen port %d", hello.Version, hello.Name, hello.Caps, hello.ListenPort)
	if hello.Version != devp2p.Version || !strings.HasPrefix(hello.Name, "Geth/v1.17.5") || hello.ID != devp2p.PubkeyID(gethNode.Pubkey()) {
		t.Errorf("unexpected Hello %+v", hello)
	}
	hasCap := func(name string) bool {
		return slices.ContainsFunc(hello.Caps, func(c devp2p.Cap) bool { return c.Name == name })
	}
	if !hasCap("eth") || !hasCap("snap") {
		t.Errorf("geth offers %v, want eth and snap", hello.Caps)
	}
	// No capability in common: geth says so first, or we do.
	c.SetReadDeadline(time.Now().Add(time.Minute))
	_, rerr := c.ReadMsg()
	t.Logf("after Hello geth sent: %v", rerr)
	c.Close(p2p.DiscUselessPeer)

	// Through a Server.
	var logs lockedBuffer
	srv, err := server.New(server.Config{
		PrivateKey:  key,
		Protocols:   []server.Protocol{{Name: "lnecho", Version: 1, Length: 2, Run: func(*server.Peer, p2p.MsgReadWriter) error { return nil }}},
		StaticNodes: []*enode.Node{gethNode},
		Logger:      slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Minute)
	for srv.Stats().UselessPeers == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("server never completed a handshake with geth: %+v\n%s", srv.Stats(), logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	st := srv.Stats()
	srv.Stop()
	if st.PeersAdded != 0 {
		t.Errorf("geth was added as a peer: %+v", st)
	}
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "no capability in common") {
			t.Logf("server: %s", l)
			break
		}
	}
	// geth is still up and accepting.
	select {
	case <-geth.done:
		t.Fatalf("geth exited:\n%s", geth.log.String())
	default:
	}
	waitListening(t, addr.String(), 3*time.Minute, geth.done)
	for _, l := range strings.Split(geth.log.String(), "\n") {
		if strings.Contains(strings.ToLower(l), "peer") && strings.Contains(l, enode.PubkeyToID(key.PubKey()).String()[:8]) {
			t.Logf("geth: %s", l)
		}
	}
}
