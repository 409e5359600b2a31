package topic

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/originsig"
)

var topologies = []struct {
	name  string
	n     int
	build func(*testNet)
}{
	{"line", 8, (*testNet).line},
	{"ring", 9, (*testNet).ring},
	{"random", 25, func(tn *testNet) { tn.random(3, 25) }},
}

// A topic message reaches exactly the subscribers, once each.
func TestMulticast(t *testing.T) {
	for _, tt := range topologies {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				tn := newTestNet(t, tt.n, netConfig{})
				tt.build(tn)
				subs := map[int]<-chan Delivery{}
				for i := 1; i < tt.n; i += 3 {
					ch, _, err := tn.nodes[i].topic.Subscribe("blocks")
					if err != nil {
						t.Fatal(err)
					}
					subs[i] = ch
				}
				// Another topic's subscribers must not get it.
				other, _, _ := tn.nodes[2].topic.Subscribe("tx")
				time.Sleep(3 * statusInterval) // the directory learns the topics
				src := tn.nodes[0].topic
				const msgs = 5
				for k := range msgs {
					if _, err := src.Publish("blocks", []byte{byte(k)}); err != nil {
						t.Fatal(err)
					}
				}
				synctest.Wait()
				for i, nd := range tn.nodes {
					got := drain(subs[i])
					if subs[i] == nil {
						if n := nd.topic.Stats().Multicast.Delivered; n != 0 {
							t.Errorf("node %d, not subscribed, delivered %d", i, n)
						}
						continue
					}
					if len(got) != msgs {
						t.Errorf("subscriber %d got %d messages, want %d", i, len(got), msgs)
						continue
					}
					// Copies take different paths: any order, each once.
					var seen [msgs]bool
					for _, d := range got {
						if d.Kind != Multicast || d.Topic != "blocks" || d.Origin != src.ID() || len(d.Payload) != 1 || d.Payload[0] >= msgs || seen[d.Payload[0]] {
							t.Errorf("subscriber %d: %+v", i, d)
							continue
						}
						seen[d.Payload[0]] = true
					}
				}
				if got := drain(other); len(got) != 0 {
					t.Errorf("subscriber of another topic got %d", len(got))
				}
				tot := tn.totals()
				t.Logf("%d nodes: %d copies relayed, %d duplicates suppressed", tt.n, tot.Multicast.Forwarded, tot.Multicast.Duplicates)
			})
		})
	}
}

// A broadcast reaches every node exactly once.
func TestBroadcast(t *testing.T) {
	for _, tt := range topologies {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				tn := newTestNet(t, tt.n, netConfig{noStatus: true})
				tt.build(tn)
				synctest.Wait()
				id, err := tn.nodes[3].topic.Broadcast([]byte("hello"))
				if err != nil {
					t.Fatal(err)
				}
				synctest.Wait()
				for i, nd := range tn.nodes {
					got := drain(nd.inbox)
					want := 1
					if i == 3 {
						want = 0 // the origin does not deliver to itself
					}
					if len(got) != want {
						t.Fatalf("node %d delivered %d copies, want %d", i, len(got), want)
					}
					if want == 1 && (got[0].ID != id || got[0].Kind != Broadcast || string(got[0].Payload) != "hello") {
						t.Fatalf("node %d: %+v", i, got[0])
					}
				}
				tot := tn.totals()
				if tot.Broadcast.Received != uint64(tt.n-1) || tot.Broadcast.Delivered != uint64(tt.n-1) {
					t.Fatalf("received %d, delivered %d, want %d", tot.Broadcast.Received, tot.Broadcast.Delivered, tt.n-1)
				}
				t.Logf("%d nodes, %d links: %d copies relayed, %d duplicates suppressed", tt.n, len(tn.links), tot.Broadcast.Forwarded, tot.Broadcast.Duplicates)
				// In a ring the two waves meet once: two duplicates, or one
				// when a wave overtakes the origin's other copy.
				if d := tot.Broadcast.Duplicates; tt.name == "ring" && (d < 1 || d > 2) {
					t.Fatalf("ring: %d duplicates, want 1 or 2", d)
				}
			})
		})
	}
}

// The hop limit bounds how far a message travels.
func TestHopLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tn := newTestNet(t, 7, netConfig{noStatus: true, topic: Config{HopLimit: 3}})
		tn.line()
		synctest.Wait()
		if _, err := tn.nodes[0].topic.Broadcast([]byte("x")); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		for i, nd := range tn.nodes[1:] {
			got, want := len(drain(nd.inbox)), 0
			if i+1 <= 3 {
				want = 1
			}
			if got != want {
				t.Fatalf("node %d: %d deliveries, want %d", i+1, got, want)
			}
		}
		if tot := tn.totals(); tot.HopLimit != 0 {
			t.Fatalf("%d messages sent with no hops left", tot.HopLimit)
		}
	})
}

// A unicast reaches its target only: directly, across hops, or
// ErrUnreachable for a node nobody knows.
func TestUnicast(t *testing.T) {
	for _, tt := range topologies {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				tn := newTestNet(t, tt.n, netConfig{})
				tt.build(tn)
				time.Sleep(3 * statusInterval)
				src := tn.nodes[0].topic
				for dst := 1; dst < tt.n; dst++ {
					if _, err := src.Send(tn.id(dst), []byte(fmt.Sprint(dst))); err != nil {
						t.Fatalf("Send to %d: %v", dst, err)
					}
				}
				synctest.Wait()
				for i, nd := range tn.nodes[1:] {
					got := drain(nd.inbox)
					if len(got) != 1 || string(got[0].Payload) != fmt.Sprint(i+1) || got[0].Kind != Unicast {
						t.Fatalf("node %d got %+v", i+1, got)
					}
				}
				if _, err := src.Send(enode.ID{0xde, 0xad}, nil); !errors.Is(err, ErrUnreachable) {
					t.Fatalf("Send to an unknown node: %v", err)
				}
				// To self: delivered locally.
				if _, err := src.Send(src.ID(), []byte("me")); err != nil {
					t.Fatal(err)
				}
				if got := drain(tn.nodes[0].inbox); len(got) != 1 || string(got[0].Payload) != "me" {
					t.Fatalf("to self: %+v", got)
				}
				tot := tn.totals()
				t.Logf("%d unicasts over %d nodes: %d copies relayed", tt.n-1, tt.n, tot.Unicast.Forwarded)
			})
		})
	}
}

func TestSendErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tn := newTestNet(t, 2, netConfig{topic: Config{MaxPayload: 100}})
		s := tn.nodes[0].topic
		if _, err := s.Broadcast(nil); !errors.Is(err, ErrNoPeers) {
			t.Fatalf("Broadcast without peers: %v", err)
		}
		if _, err := s.Send(tn.id(1), nil); !errors.Is(err, ErrUnreachable) {
			t.Fatalf("Send without peers: %v", err)
		}
		tn.connect(0, 1)
		time.Sleep(3 * statusInterval)
		if _, err := s.Publish("nobody", nil); !errors.Is(err, ErrNoSubscribers) {
			t.Fatalf("Publish to no one: %v", err)
		}
		if _, err := s.Publish("", nil); !errors.Is(err, ErrInvalidTopic) {
			t.Fatalf("Publish to the empty topic: %v", err)
		}
		if _, err := s.Broadcast(make([]byte, 101)); !errors.Is(err, ErrPayloadTooLarge) {
			t.Fatalf("oversized: %v", err)
		}
		if _, _, err := s.Subscribe(string(make([]byte, MaxTopicLen+1))); !errors.Is(err, ErrInvalidTopic) {
			t.Fatalf("Subscribe long topic: %v", err)
		}
		// A local subscriber is enough for Publish.
		ch, cancel, err := s.Subscribe("mine")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Publish("mine", []byte("x")); err != nil {
			t.Fatal(err)
		}
		if got := drain(ch); len(got) != 1 || got[0].From != (enode.ID{}) {
			t.Fatalf("local delivery %+v", got)
		}
		cancel()
		cancel()
		if _, ok := <-ch; ok {
			t.Fatal("channel open after cancel")
		}
	})
}

// Subscriptions become the node's topics in its status record.
func TestTopicsFollowSubscriptions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tn := newTestNet(t, 3, netConfig{})
		tn.line()
		s := tn.nodes[2].topic
		_, c1, _ := s.Subscribe("b")
		_, c2, _ := s.Subscribe("a")
		_, c3, _ := s.Subscribe("a")
		if got := s.Topics(); !slices.Equal(got, []string{"a", "b"}) {
			t.Fatalf("Topics %v", got)
		}
		time.Sleep(2 * statusInterval)
		if got := tn.nodes[0].status.Subscribers("a"); !slices.Equal(got, []enode.ID{tn.id(2)}) {
			t.Fatalf("node 0 sees subscribers of a: %v", got)
		}
		c2()
		c1()
		time.Sleep(2 * statusInterval)
		if got := tn.nodes[0].status.Subscribers("b"); len(got) != 0 {
			t.Fatalf("b still followed: %v", got)
		}
		if got := tn.nodes[0].status.Subscribers("a"); len(got) != 1 {
			t.Fatalf("a, still subscribed once, lost: %v", got)
		}
		c3()
		if got := s.Topics(); len(got) != 0 {
			t.Fatalf("Topics %v", got)
		}
	})
}

// A slow subscriber loses its oldest deliveries, counted.
func TestSubscriberDropsOldest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tn := newTestNet(t, 1, netConfig{noStatus: true, topic: Config{SubQueue: 4}})
		s := tn.nodes[0].topic
		ch, _, _ := s.Subscribe("t")
		for i := range 10 {
			if _, err := s.Publish("t", []byte{byte(i)}); err != nil {
				t.Fatal(err)
			}
		}
		got := drain(ch)
		if len(got) != 4 || got[0].Payload[0] != 6 || got[3].Payload[0] != 9 {
			t.Fatalf("got %d deliveries from %v", len(got), got)
		}
		if st := s.Stats(); st.SubscriberFull != 6 {
			t.Fatalf("SubscriberFull %d", st.SubscriberFull)
		}
	})
}

// message returns a valid signed message from a fresh key.
func message(t testing.TB, kind Kind, hops uint8, payload []byte) (*Message, originsig.Signer) {
	k, err := enode.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	signer := originsig.NewSecp256k1Signer(k)
	m := &Message{Kind: kind, Origin: signer.ID(), ID: MsgID{1, 2, 3}, Hops: hops, Payload: payload}
	if kind == Multicast {
		m.Topic = "t"
	}
	if m.Sig, err = signer.Sign(m.Digest()); err != nil {
		t.Fatal(err)
	}
	return m, signer
}

// Bad messages are dropped with a typed error; the peer is scored or cut.
func TestBadMessages(t *testing.T) {
	good, _ := message(t, Broadcast, 5, []byte("ok"))
	badSig := *good
	badSig.Payload = []byte("changed")
	unsigned := *good
	unsigned.Sig = nil
	unsigned.ID = MsgID{9}
	hop0 := *good
	hop0.Hops = 0
	big, _ := message(t, Broadcast, 5, make([]byte, 2000))
	tests := []struct {
		name  string
		msgs  [][]byte
		code  uint64
		want  error // Run's error; nil: peer kept
		count func(Stats) uint64
	}{
		{"malformed", [][]byte{{0xc1, 0x05}}, TopicMsg, ErrMalformed, func(s Stats) uint64 { return s.Malformed }},
		{"unknown code", [][]byte{good.encode()}, 1, ErrUnknownCode, func(s Stats) uint64 { return s.Malformed }},
		{"oversized message", [][]byte{make([]byte, 1000+maxOverhead+1)}, TopicMsg, ErrTooLarge, func(s Stats) uint64 { return s.Malformed }},
		{"oversized payload", [][]byte{big.encode()}, TopicMsg, ErrTooLarge, func(s Stats) uint64 { return s.Malformed }},
		{"bad signature", [][]byte{badSig.encode()}, TopicMsg, nil, func(s Stats) uint64 { return s.BadSignature }},
		{"bad signatures", [][]byte{badSig.encode(), badSig.encode()}, TopicMsg, ErrMisbehaving, func(s Stats) uint64 { return s.BadSignature }},
		{"unsigned", [][]byte{unsigned.encode()}, TopicMsg, nil, func(s Stats) uint64 { return s.Unsigned }},
		{"hop limit 0", [][]byte{hop0.encode()}, TopicMsg, nil, func(s Stats) uint64 { return s.HopLimit }},
		{"hop limit 0, ten times", slices.Repeat([][]byte{hop0.encode()}, 10), TopicMsg, ErrMisbehaving, func(s Stats) uint64 { return s.HopLimit }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				tn := newTestNet(t, 1, netConfig{noStatus: true, topic: Config{MaxPayload: 1000}})
				s := tn.nodes[0].topic
				rp := newRawPeer(s, enode.ID{1})
				for _, b := range tt.msgs {
					rp.end.WriteMsg(p2p.Msg{Code: tt.code, Payload: b})
				}
				synctest.Wait()
				if tt.want == nil {
					rp.end.Close()
				}
				err := rp.result(t)
				switch {
				case tt.want == nil && !errors.Is(err, errPipeClosed):
					t.Fatalf("Run: %v, want the peer kept", err)
				case tt.want != nil && !errors.Is(err, tt.want):
					t.Fatalf("Run: %v, want %v", err, tt.want)
				}
				if tt.count(s.Stats()) == 0 {
					t.Fatal("not counted")
				}
				if got := drain(tn.nodes[0].inbox); len(got) != 0 {
					t.Fatalf("bad message delivered: %+v", got)
				}
			})
		})
	}
	// The good message, after a forged copy, is still delivered.
	synctest.Test(t, func(t *testing.T) {
		tn := newTestNet(t, 1, netConfig{noStatus: true})
		s := tn.nodes[0].topic
		rp := newRawPeer(s, enode.ID{1})
		rp.send(t, badSig.encode())
		rp.send(t, good.encode())
		rp.send(t, good.encode())
		synctest.Wait()
		if got := drain(tn.nodes[0].inbox); len(got) != 1 || string(got[0].Payload) != "ok" {
			t.Fatalf("deliveries %+v", got)
		}
		if st := s.Stats(); st.Broadcast.Duplicates != 1 || st.BadSignature != 1 {
			t.Fatalf("stats %+v", st)
		}
		rp.end.Close()
		rp.result(t)
	})
}

// A flooding peer has its excess dropped, then is cut.
func TestRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tn := newTestNet(t, 1, netConfig{noStatus: true, topic: Config{RateMsgs: 10, RateDrops: 30}})
		s := tn.nodes[0].topic
		rp := newRawPeer(s, enode.ID{1})
		go func() {
			for i := range 1000 {
				m, _ := message(t, Broadcast, 3, []byte{byte(i)})
				if rp.end.WriteMsg(p2p.Msg{Code: TopicMsg, Payload: m.encode()}) != nil {
					return
				}
			}
		}()
		err := rp.result(t)
		if !errors.Is(err, ErrRateLimited) || p2p.DiscReasonOf(err) != p2p.DiscUselessPeer {
			t.Fatalf("Run: %v", err)
		}
		synctest.Wait() // the loop takes what the reader handed over
		st := s.Stats()
		if st.RateLimited != 30 || st.Broadcast.Received != 20 || st.Disconnects != 1 {
			t.Fatalf("stats %+v", st)
		}
		if got := drain(tn.nodes[0].inbox); len(got) != 20 {
			t.Fatalf("%d delivered, want the burst of 20", len(got))
		}
	})
}

// Over time the bucket refills: a steady peer under the rate keeps going.
func TestRateSteady(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tn := newTestNet(t, 1, netConfig{noStatus: true, topic: Config{RateMsgs: 10, RateDrops: 5}})
		s := tn.nodes[0].topic
		rp := newRawPeer(s, enode.ID{1})
		for i := range 100 {
			m, _ := message(t, Broadcast, 3, []byte{byte(i)})
			rp.send(t, m.encode())
			time.Sleep(110 * time.Millisecond)
		}
		synctest.Wait()
		if st := s.Stats(); st.RateLimited != 0 || st.Broadcast.Received != 100 {
			t.Fatalf("stats %+v", st)
		}
		rp.end.Close()
		rp.result(t)
	})
}

// Permissioned mode: unsigned messages flow.
func TestOptionalSignatures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tn := newTestNet(t, 5, netConfig{topic: Config{Signatures: originsig.Optional}})
		tn.ring()
		ch, _, _ := tn.nodes[2].topic.Subscribe("t")
		time.Sleep(3 * statusInterval)
		if _, err := tn.nodes[0].topic.Publish("t", []byte("x")); err != nil {
			t.Fatal(err)
		}
		if _, err := tn.nodes[0].topic.Broadcast([]byte("y")); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if got := drain(ch); len(got) != 1 {
			t.Fatalf("multicast: %d", len(got))
		}
		for i, nd := range tn.nodes[1:] {
			if got := drain(nd.inbox); len(got) != 1 {
				t.Fatalf("node %d broadcast: %d", i+1, len(got))
			}
		}
	})
}

// Close ends every Run with ErrClosed and closes the subscriptions.
func TestClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tn := newTestNet(t, 3, netConfig{noStatus: true})
		tn.line()
		synctest.Wait()
		ch, _, _ := tn.nodes[1].topic.Subscribe("t")
		tn.nodes[1].topic.Close()
		synctest.Wait()
		for _, k := range [][2]int{{0, 1}, {1, 2}} {
			errs := tn.links[k].topicErrs()
			if !errors.Is(errs[0], ErrClosed) && !errors.Is(errs[1], ErrClosed) {
				t.Fatalf("link %v: %v", k, errs)
			}
		}
		if _, ok := <-ch; ok {
			t.Fatal("subscription open after Close")
		}
		if _, err := tn.nodes[1].topic.Broadcast(nil); !errors.Is(err, ErrClosed) {
			t.Fatalf("Broadcast after Close: %v", err)
		}
		if _, _, err := tn.nodes[1].topic.Subscribe("t"); !errors.Is(err, ErrClosed) {
			t.Fatalf("Subscribe after Close: %v", err)
		}
	})
}

func TestDuplicatePeer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tn := newTestNet(t, 1, netConfig{noStatus: true})
		s := tn.nodes[0].topic
		a := newRawPeer(s, enode.ID{1})
		synctest.Wait()
		if err := newRawPeer(s, enode.ID{1}).result(t); !errors.Is(err, ErrDuplicatePeer) {
			t.Fatalf("second Run: %v", err)
		}
		if err := newRawPeer(s, s.ID()).result(t); !errors.Is(err, p2p.DiscSelf) {
			t.Fatalf("Run with self: %v", err)
		}
		a.end.Close()
		a.result(t)
	})
}

func TestConfig(t *testing.T) {
	k, _ := enode.GenerateKey(nil)
	signer := originsig.NewSecp256k1Signer(k)
	for i, c := range []Config{
		{},
		{Signatures: originsig.Optional},
		{Signer: signer, ID: enode.ID{1}},
		{Signer: signer, HopLimit: MaxHops + 1},
		{Signer: signer, MaxPayload: -1},
		{Signer: signer, Signatures: 9},
	} {
		if s, err := New(c); err == nil {
			s.Close()
			t.Errorf("config %d accepted", i)
		}
	}
}

// Unicasts follow the reverse path of the destination's earlier messages
// instead of flooding, and fall back to flooding when that path breaks.
func TestUnicastRoutes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 25
		tn := newTestNet(t, n, netConfig{noStatus: true})
		tn.random(3, 25)
		synctest.Wait()
		for i := 1; i < n; i++ {
			if _, err := tn.nodes[i].topic.Broadcast([]byte("hello")); err != nil {
				t.Fatal(err)
			}
		}
		synctest.Wait()
		before := tn.totals().Unicast.Forwarded
		for dst := 1; dst < n; dst++ {
			if _, err := tn.nodes[0].topic.Send(tn.id(dst), []byte("u")); err != nil {
				t.Fatal(err)
			}
		}
		synctest.Wait()
		for i, nd := range tn.nodes[1:] {
			var unicasts int
			for _, d := range drain(nd.inbox) {
				if d.Kind == Unicast {
					unicasts++
				}
			}
			if unicasts != 1 {
				t.Fatalf("node %d: %d unicasts", i+1, unicasts)
			}
		}
		relayed := tn.totals().Unicast.Forwarded - before
		t.Logf("%d routed unicasts: %d copies relayed", n-1, relayed)
		if relayed > 4*n {
			t.Fatalf("%d copies relayed for %d routed unicasts: flooded?", relayed, n-1)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		tn := newTestNet(t, 6, netConfig{noStatus: true})
		tn.ring()
		synctest.Wait()
		tn.nodes[3].topic.Broadcast(nil)
		synctest.Wait()
		drain(tn.nodes[0].inbox)
		// Node 0's route to node 3 goes through 1 or 5: see which relays.
		if _, err := tn.nodes[0].topic.Send(tn.id(3), []byte("before")); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if got := drain(tn.nodes[3].inbox); len(got) != 1 {
			t.Fatalf("before the cut: %+v", got)
		}
		via := 5
		if tn.nodes[1].topic.Stats().Unicast.Forwarded > 0 {
			via = 1
		}
		if tn.nodes[6-via].topic.Stats().Unicast.Forwarded > 0 {
			t.Fatal("the routed unicast went both ways")
		}
		tn.disconnect(0, via)
		synctest.Wait()
		if _, err := tn.nodes[0].topic.Send(tn.id(3), []byte("after")); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if got := drain(tn.nodes[3].inbox); len(got) != 1 || string(got[0].Payload) != "after" {
			t.Fatalf("after the cut: %+v", got)
		}
	})
}

// When every subscriber is a peer, the origin sends to them only and
// nothing is relayed.
func TestMulticastDirect(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tn := newTestNet(t, 5, netConfig{})
		tn.ring()
		a, _, _ := tn.nodes[1].topic.Subscribe("t")
		b, _, _ := tn.nodes[4].topic.Subscribe("t")
		time.Sleep(3 * statusInterval)
		if _, err := tn.nodes[0].topic.Publish("t", []byte("x")); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if len(drain(a)) != 1 || len(drain(b)) != 1 {
			t.Fatal("subscribers missed it")
		}
		if tot := tn.totals(); tot.Multicast.Forwarded != 0 || tot.Multicast.Received != 2 {
			t.Fatalf("stats %+v", tot.Multicast)
		}
	})
}

// The first copy to arrive may have come the long way with no hops left;
// a later copy with more hops is relayed again, so that every node within
// the hop limit (by the shortest path) gets the message.
func TestHopLimitShortestPath(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// 0 —slow— 1 — 2, and 0 — 3 — 4 — ... — 12 — 1: 1 is 11 hops
		// away along the chain. With a hop limit of 11 the chain's copy
		// reaches 1 with one hop left (delivered, not relayed); the direct
		// copy, 1 s later, has 11 and must carry the message on to 2.
		const limit = 11
		tn := newTestNet(t, 13, netConfig{noStatus: true, topic: Config{HopLimit: limit}})
		tn.connectSlow(0, 1, time.Second)
		tn.connect(1, 2)
		tn.connect(0, 3)
		for i := 3; i < 12; i++ {
			tn.connect(i, i+1)
		}
		tn.connect(12, 1)
		synctest.Wait()
		if _, err := tn.nodes[0].topic.Broadcast([]byte("x")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		for i, nd := range tn.nodes[1:] {
			if got := len(drain(nd.inbox)); got != 1 {
				t.Fatalf("node %d delivered %d copies", i+1, got)
			}
		}
		if st := tn.nodes[1].topic.Stats(); st.Broadcast.Improved != 1 {
			t.Fatalf("node 1: %+v", st.Broadcast)
		}
	})
}
