package topic

import (
	"fmt"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/p2p/originsig"
)

// benchNet is a network of n nodes with avg degree about 6, no rate
// limits, signed (secp256k1, Require) or not (Optional, no signer).
func benchNet(b *testing.B, n int, signed, withStatus bool) *testNet {
	cfg := Config{RateMsgs: -1, RateBytes: -1, PeerQueue: 1024, SubQueue: 1024}
	if !signed {
		cfg.Signatures = originsig.Optional
	}
	tn := newTestNet(b, n, netConfig{topic: cfg, noStatus: !withStatus})
	tn.random(11, 2*n)
	// Wait until every Run has registered with its service.
	degree := make([]int, n)
	for k := range tn.links {
		degree[k[0]]++
		degree[k[1]]++
	}
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(5 * time.Millisecond) {
		ready := true
		for i, nd := range tn.nodes {
			ready = ready && nd.topic.Stats().Peers == degree[i]
		}
		if ready {
			return tn
		}
		if time.Now().After(deadline) {
			b.Fatal("network not connected")
		}
	}
}

// far returns k nodes at the largest hop distances from node src.
func (tn *testNet) far(src, k int) []int {
	adj := make([][]int, len(tn.nodes))
	for l := range tn.links {
		adj[l[0]] = append(adj[l[0]], l[1])
		adj[l[1]] = append(adj[l[1]], l[0])
	}
	dist := make([]int, len(tn.nodes))
	for i := range dist {
		dist[i] = -1
	}
	dist[src] = 0
	order := []int{src}
	for q := 0; q < len(order); q++ {
		for _, j := range adj[order[q]] {
			if dist[j] < 0 {
				dist[j] = dist[order[q]] + 1
				order = append(order, j)
			}
		}
	}
	return order[len(order)-k:] // BFS order: the last are the farthest
}

func recv(b *testing.B, ch <-chan Delivery) Delivery {
	select {
	case d := <-ch:
		return d
	case <-time.After(time.Minute):
		b.Fatal("delivery timed out")
		return Delivery{}
	}
}

// BenchmarkBroadcast50 measures the time until every node of a 50-node
// network has delivered one broadcast, and the copies each node received.
func BenchmarkBroadcast50(b *testing.B) {
	for _, signed := range []bool{true, false} {
		name := map[bool]string{true: "signed", false: "unsigned"}[signed]
		b.Run(name, func(b *testing.B) {
			const n = 50
			tn := benchNet(b, n, signed, false)
			payload := make([]byte, 256)
			var i int
			cpu0 := cpuTime()
			for b.Loop() {
				src := i % n
				i++
				if _, err := tn.nodes[src].topic.Broadcast(payload); err != nil {
					b.Fatal(err)
				}
				for j, nd := range tn.nodes {
					if j != src {
						recv(b, nd.inbox)
					}
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(i), "cpu-µs/op")
			tot := tn.totals()
			copies := float64(tot.Broadcast.Received+tot.Broadcast.Duplicates+tot.Broadcast.Improved) / float64(i*(n-1))
			b.ReportMetric(copies, "copies/node")
			b.ReportMetric(float64(tot.Broadcast.Improved)/float64(i*(n-1)), "improved/node")
			b.ReportMetric(float64(len(tn.links)), "links")
			if tot.PeerQueueFull > 0 {
				b.Fatalf("%d messages dropped on full queues", tot.PeerQueueFull)
			}
		})
	}
}

// BenchmarkPublish measures topic messages per second through a 20-node
// network to the 3 nodes farthest from the publisher (windows of 64
// messages in flight), every message relayed network-wide.
func BenchmarkPublish(b *testing.B) {
	for _, signed := range []bool{true, false} {
		for _, size := range []int{100, 10 << 10} {
			name := fmt.Sprintf("%s/%dB", map[bool]string{true: "signed", false: "unsigned"}[signed], size)
			b.Run(name, func(b *testing.B) {
				const n = 20
				tn := benchNet(b, n, signed, true)
				var subs []<-chan Delivery
				for _, i := range tn.far(0, 3) {
					ch, _, err := tn.nodes[i].topic.Subscribe("bench")
					if err != nil {
						b.Fatal(err)
					}
					subs = append(subs, ch)
				}
				// Wait for the directory to know the subscribers.
				for deadline := time.Now().Add(time.Minute); len(tn.nodes[0].status.Subscribers("bench")) < 3; {
					if time.Now().After(deadline) {
						b.Fatal("subscribers not known")
					}
					time.Sleep(10 * time.Millisecond)
				}
				payload := make([]byte, size)
				src := tn.nodes[0].topic
				const window = 64
				b.SetBytes(int64(size))
				start, cpu0 := time.Now(), cpuTime()
				sent := 0
				for b.Loop() {
					if _, err := src.Publish("bench", payload); err != nil {
						b.Fatal(err)
					}
					if sent++; sent%window == 0 {
						for _, ch := range subs {
							for range window {
								recv(b, ch)
							}
						}
					}
				}
				for _, ch := range subs {
					for range sent % window {
						recv(b, ch)
					}
				}
				b.ReportMetric(float64(sent)/time.Since(start).Seconds(), "msgs/s")
				b.ReportMetric(float64(sent)/(cpuTime()-cpu0).Seconds(), "msgs/cpu-s")
				tot := tn.totals()
				b.ReportMetric(float64(tot.Multicast.Improved)/float64(tot.Multicast.Received), "improved/recv")
				if tot := tn.totals(); tot.PeerQueueFull > 0 {
					b.Fatalf("%d messages dropped on full queues", tot.PeerQueueFull)
				}
			})
		}
	}
}
