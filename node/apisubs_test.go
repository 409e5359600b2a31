package node

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/api"
)

// TestAPIStreamBudgets is issue 17's first attack in small: 30 event
// streams that never read and a publisher of 70 one-MiB messages. The
// queued bytes stay within the node's budget and each stream's, the
// streams lose their oldest messages (counted), a stream that reads gets
// the newest messages in order, and a subscription past the cap is
// refused with ErrBusy.
func TestAPIStreamBudgets(t *testing.T) {
	cfg := devnetConfig(t)
	cfg.Topics = []string{"big"}
	limits := APIStreamLimits{MaxStreams: 31, StreamBytes: 4 << 20, BudgetBytes: 64 << 20}
	n := startNode(t, "n", cfg, Options{APIStreams: limits})
	ctx := context.Background()
	var cancels []func()
	defer func() {
		for _, c := range cancels {
			c()
		}
	}()
	for range 30 {
		_, cancel, err := n.Subscribe(ctx, "big")
		if err != nil {
			t.Fatal(err)
		}
		cancels = append(cancels, cancel)
	}
	reader, cancel, err := n.Subscribe(ctx, "big")
	if err != nil {
		t.Fatal(err)
	}
	cancels = append(cancels, cancel)
	if _, _, err := n.Subscribe(ctx, "big"); !errors.Is(err, api.ErrBusy) {
		t.Fatalf("subscription past the cap: %v", err)
	}

	const msgs = 70
	payload := make([]byte, 1<<20)
	peak := int64(0)
	got := 0
	for i := range msgs {
		payload[0] = byte(i)
		if _, err := n.TopicService().Publish("big", append([]byte(nil), payload...)); err != nil {
			t.Fatal(err)
		}
		peak = max(peak, n.apiSubs.queuedBytes())
		// The reader takes every other message as it comes.
		if i%2 == 0 {
			select {
			case m := <-reader:
				if int(m.Payload[0]) < got {
					t.Fatalf("message %d after %d: out of order", m.Payload[0], got)
				}
				got = int(m.Payload[0])
			case <-time.After(time.Minute):
				t.Fatal("the reading stream got nothing")
			}
		}
	}
	// The fan-out runs beside us: wait until it has queued the last one.
	waitFor(t, time.Minute, func() string { return fmt.Sprintf("dropped %d", n.TopicDropped()) }, func() bool {
		return n.TopicDropped() >= uint64(30*(msgs-4))
	})
	peak = max(peak, n.apiSubs.queuedBytes())
	if peak > limits.BudgetBytes {
		t.Fatalf("queued %d bytes, over the budget of %d", peak, limits.BudgetBytes)
	}
	n.apiSubs.mu.Lock()
	for _, tp := range n.apiSubs.topics {
		for s := range tp.subs {
			s.mu.Lock()
			b := s.bytes
			s.mu.Unlock()
			if b > limits.StreamBytes {
				t.Errorf("a stream holds %d bytes, over its %d", b, limits.StreamBytes)
			}
		}
	}
	n.apiSubs.mu.Unlock()
	// Cancelling every stream gives the whole budget back.
	for _, c := range cancels {
		c()
	}
	cancels = nil
	waitFor(t, time.Minute, func() string { return fmt.Sprintf("%d bytes queued", n.apiSubs.queuedBytes()) }, func() bool {
		return n.apiSubs.queuedBytes() == 0
	})
}
