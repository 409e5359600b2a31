package node

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/config"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/topic"
)

const testStatusInterval = 500 * time.Millisecond

// messagingSize is the number of nodes in the messaging networks: the
// issue's 10-node permissioned network, and the same over RLPx.
const messagingSize = 10

// messagingNetwork starts messagingSize nodes of a transport, all connected.
func messagingNetwork(t *testing.T, transport string) []*Node {
	var nodes []*Node
	switch transport {
	case "rlpx":
		for i := range messagingSize {
			cfg := devnetConfig(t)
			cfg.StatusInterval = config.Duration(testStatusInterval)
			if i > 0 {
				cfg.Bootnodes = []string{nodes[0].Self().URLv4()}
			}
			nodes = append(nodes, startNode(t, fmt.Sprintf("n%d", i), cfg, Options{}))
		}
	case "tls":
		for i, cfg := range permissionedConfigs(t, messagingSize) {
			cfg.StatusInterval = config.Duration(testStatusInterval)
			for _, prev := range nodes {
				cfg.Peers = append(cfg.Peers, config.Peer{Address: prev.ListenAddr().String()})
			}
			nodes = append(nodes, startNode(t, fmt.Sprintf("p%d", i), cfg, Options{}))
		}
	}
	waitFor(t, 3*time.Minute, func() string { return heights(nodes) }, func() bool {
		for _, n := range nodes {
			if n.PeerCount() != len(nodes)-1 || len(n.StatusService().Known()) != len(nodes) {
				return false
			}
		}
		return true
	})
	return nodes
}

// received collects deliveries from a channel until the test ends.
type received struct {
	ch <-chan topic.Delivery
}

func (r received) expect(t *testing.T, what string, want int, within time.Duration) []topic.Delivery {
	t.Helper()
	var got []topic.Delivery
	timeout := time.After(within)
	for len(got) < want {
		select {
		case d := <-r.ch:
			got = append(got, d)
		case <-timeout:
			t.Fatalf("%s: got %d messages, want %d", what, len(got), want)
		}
	}
	return got
}

func (r received) none(t *testing.T, what string) {
	t.Helper()
	select {
	case d := <-r.ch:
		t.Fatalf("%s: unexpected message %q from %s", what, d.Payload, d.Origin.TerminalString())
	default:
	}
}

func TestMessaging(t *testing.T) {
	for _, transport := range []string{"rlpx", "tls"} {
		t.Run(transport, func(t *testing.T) { testMessaging(t, transport) })
	}
}

func testMessaging(t *testing.T, transport string) {
	nodes := messagingNetwork(t, transport)
	sub := func(i int, topicName string) received {
		ch, cancel, err := nodes[i].TopicService().Subscribe(topicName)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cancel)
		return received{ch}
	}
	inbox := func(i int) received {
		ch, cancel, err := nodes[i].TopicService().Inbox()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cancel)
		return received{ch}
	}
	a1, a2, b3 := sub(1, "a"), sub(2, "a"), sub(3, "b")
	var inboxes []received
	for i := range nodes {
		inboxes = append(inboxes, inbox(i))
	}
	ids := func(is ...int) []enode.ID {
		var out []enode.ID
		for _, i := range is {
			out = append(out, nodes[i].ID())
		}
		slices.SortFunc(out, compareIDs)
		return out
	}
	// Subscriptions reach every node's status table.
	waitFor(t, 2*testStatusInterval+time.Second, func() string { return "subscribers of a not known everywhere" }, func() bool {
		for _, n := range nodes {
			subs := n.StatusService().Subscribers("a")
			slices.SortFunc(subs, compareIDs)
			if !slices.Equal(subs, ids(1, 2)) || len(n.StatusService().Subscribers("b")) != 1 {
				return false
			}
		}
		return true
	})

	// Multicast reaches exactly the subscribers, once.
	if _, err := nodes[0].TopicService().Publish("a", []byte("to a")); err != nil {
		t.Fatal(err)
	}
	a1.expect(t, "node 1 on a", 1, time.Minute)
	a2.expect(t, "node 2 on a", 1, time.Minute)

	// Broadcast reaches everyone but the origin, once.
	if _, err := nodes[3].TopicService().Broadcast([]byte("all")); err != nil {
		t.Fatal(err)
	}
	for i := range nodes {
		if i == 3 {
			continue // the origin does not deliver to itself
		}
		got := inboxes[i].expect(t, fmt.Sprintf("broadcast at node %d", i), 1, time.Minute)
		if string(got[0].Payload) != "all" || got[0].Origin != nodes[3].ID() {
			t.Fatalf("node %d: %+v", i, got[0])
		}
	}

	// Unicast reaches its target only.
	if _, err := nodes[1].TopicService().Send(nodes[3].ID(), []byte("hi 3")); err != nil {
		t.Fatal(err)
	}
	got := inboxes[3].expect(t, "unicast at node 3", 1, time.Minute)
	if string(got[0].Payload) != "hi 3" {
		t.Fatalf("unicast: %q", got[0].Payload)
	}

	// Nothing more anywhere: no duplicate, no stray delivery.
	time.Sleep(300 * time.Millisecond)
	a1.none(t, "node 1 on a")
	a2.none(t, "node 2 on a")
	b3.none(t, "node 3 on b")
	for i, in := range inboxes {
		in.none(t, fmt.Sprintf("inbox %d", i))
	}

	// A status change (node 2 follows c) is known network-wide within two
	// intervals.
	start := time.Now()
	sub(2, "c")
	waitFor(t, 2*testStatusInterval, func() string { return "node 2's topic c not known everywhere" }, func() bool {
		for _, n := range nodes {
			r, ok := n.StatusService().Lookup(nodes[2].ID())
			if !ok || !slices.Contains(r.Topics, "c") {
				return false
			}
		}
		return true
	})
	t.Logf("status change known everywhere after %v", time.Since(start))
}
