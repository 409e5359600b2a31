package node

import (
	"bufio"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/p2p/p2ptest"
)

// The attacks of issue 17 at full size, with their figures printed for
// docs/reliability.md. They take a minute and a lot of sockets, so they run
// only when asked:
//
//	LEDGERNET_ATTACKS=1 go test -run TestAttack -v -timeout 20m ./node
//	LEDGERNET_ATTACKS=1 go test -run TestAttack -v ./p2p/tlsconn
func attacksOn(t *testing.T) {
	if os.Getenv("LEDGERNET_ATTACKS") == "" {
		t.Skip("set LEDGERNET_ATTACKS=1 to run the attacks")
	}
}

// TestAttackStalledSubscribers: 30 event streams whose clients never read,
// and a peer publishing 70 one-MiB topic messages, while the node mines and
// its peer follows. Prints the process's peak heap (both nodes and the
// test: an upper bound on the attacked node's).
func TestAttackStalledSubscribers(t *testing.T) {
	attacksOn(t)
	ca, cb := devnetConfig(t), devnetConfig(t)
	ca.API, ca.Mine, ca.Topics = "127.0.0.1:0", true, []string{"news"}
	a := startNode(t, "a", ca, Options{Pacing: Pacing{MinInterval: 200 * time.Millisecond}})
	cb.AddPeer = []string{a.Self().URLv4()}
	b := startNode(t, "b", cb, Options{})
	waitFor(t, 3*time.Minute, func() string { return "peers" }, func() bool { return a.PeerCount() == 1 && b.PeerCount() == 1 })
	waitFor(t, 3*time.Minute, func() string { return "b knows a follows news" }, func() bool {
		return len(b.StatusService().Subscribers("news")) > 0
	})

	// 30 clients that subscribe and never read: their TCP buffers fill,
	// then the node's queues would.
	for range 30 {
		c, err := net.Dial("tcp", a.APIAddr())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		fmt.Fprintf(c, "GET /api/v1/topics/news HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
		if _, err := bufio.NewReader(c).ReadString('\n'); err != nil { // the status line: subscribed
			t.Fatal(err)
		}
	}
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	startHeight := b.Store().Tip().Height
	start := time.Now()
	payload := make([]byte, 1<<20)
	for i := range 70 {
		payload[0] = byte(i)
		if _, err := b.TopicService().Publish("news", append([]byte(nil), payload...)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 3*time.Minute, func() string { return fmt.Sprintf("dropped %d", a.TopicDropped()) }, func() bool {
		return a.TopicDropped() > 0 && a.apiSubs.queuedBytes() > 0
	})
	// The honest peer keeps syncing during the attack.
	waitFor(t, 3*time.Minute, func() string { return "b follows a" }, func() bool {
		return b.Store().Tip().Height >= startHeight+5
	})
	close(stop)
	<-sampled
	t.Logf("attack 1: 30 stalled streams, 70 x 1 MiB: peak heap in use %d MiB (both nodes), queued for the streams %d MiB (budget %d MiB), %d deliveries dropped; the peer synced %d blocks meanwhile (%v)",
		peak.Load()>>20, a.apiSubs.queuedBytes()>>20, DefaultAPIStreamBudget>>20, a.TopicDropped(), b.Store().Tip().Height-startHeight, time.Since(start).Round(time.Millisecond))
	if peak.Load() > 512<<20 {
		t.Errorf("peak heap %d MiB, over 512 MiB", peak.Load()>>20)
	}
}

// TestAttackSilentConnections: 2,000 silent connections from eight
// addresses of 127.0.0.0/24 against a devnet node; a devnet node dialling
// from 127.0.1.1 must get in. Prints how long it took.
func TestAttackSilentConnections(t *testing.T) {
	attacksOn(t)
	a := startNode(t, "a", devnetConfig(t), Options{})
	var srcs []netip.Addr
	for i := range 8 {
		srcs = append(srcs, netip.AddrFrom4([4]byte{127, 0, 0, byte(1 + i)}))
	}
	start := time.Now()
	p2ptest.Flood(t, a.ListenAddr().String(), srcs, 2000)
	flooded := time.Since(start)

	cb := devnetConfig(t)
	cb.AddPeer = []string{a.Self().URLv4()}
	opts := Options{}
	opts.Server.Dialer = &net.Dialer{LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr("127.0.1.1"), 0))}
	start = time.Now()
	b := startNode(t, "b", cb, opts)
	waitFor(t, 3*time.Minute, func() string { return "b in" }, func() bool { return b.PeerCount() == 1 })
	t.Logf("attack 4: 2,000 silent connections from 8 addresses of one /24 (opened in %v); a node from another network got in after %v",
		flooded.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("the honest node got in after %v, over 30 s", d)
	}
}
