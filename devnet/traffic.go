package devnet

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/topic"
	"github.com/ledgernet/ledgernet/wallet"
	"github.com/ledgernet/ledgernet/wire"
)

// Payments are between minPay and maxPay units, at feeRate per 1,000 bytes.
const (
	minPay  = 100_000
	maxPay  = 100_000_000
	feeRate = 1000
)

// traffic counts what the run sent and what arrived. run.mu guards it.
type traffic struct {
	// txs maps each transaction sent to whether node 0's chain holds it.
	txs       map[wire.Hash]bool
	txFailed  int // refused by the sender's own mempool
	txNoFunds int // ticks when no wallet could pay
	// msgs maps each topic message published to the deliveries it should
	// make and has made (subscribers other than its origin).
	msgs       map[topic.MsgID]*delivery
	msgFailed  int // Publish errors
	duplicates int // deliveries of a message a node had already delivered
}

type delivery struct {
	want map[enode.ID]bool // subscriber → delivered
	got  int
}

func newTraffic() traffic {
	return traffic{txs: map[wire.Hash]bool{}, msgs: map[topic.MsgID]*delivery{}}
}

// startTraffic starts the transaction and topic message generators, which
// end with gen, and the delivery counters, which end with count (later,
// so that messages still on their way when generation stops are counted).
// The returned channel is closed once the generators have stopped: no
// message is published after it.
func (r *run) startTraffic(gen, count context.Context, wg *sync.WaitGroup) <-chan struct{} {
	// One goroutine makes every random choice, so a seed gives the same
	// sequence of choices.
	generated := make(chan struct{})
	wg.Go(func() {
		defer close(generated)
		r.generate(gen)
	})
	for _, m := range r.members {
		for _, t := range m.topics {
			ch, cancel, err := m.n.TopicService().Subscribe(t)
			if err != nil {
				continue
			}
			self := m.n.ID()
			wg.Go(func() {
				defer cancel()
				for {
					select {
					case d, ok := <-ch:
						if !ok {
							return
						}
						if d.Origin != self {
							r.delivered(d.ID, self)
						}
					case <-count.Done():
						return
					}
				}
			})
		}
	}
	return generated
}

// delivered counts a delivery of message id at node at.
func (r *run) delivered(id topic.MsgID, at enode.ID) {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := r.stats.msgs[id]
	if d == nil {
		return // not ours, or published before it was recorded
	}
	done, want := d.want[at]
	switch {
	case !want:
	case done:
		r.stats.duplicates++
	default:
		d.want[at] = true
		d.got++
	}
}

// generate sends transactions and topic messages at their rates until ctx
// ends.
func (r *run) generate(ctx context.Context) {
	next := func(rate float64) time.Time {
		if rate <= 0 {
			return time.Time{}
		}
		return time.Now().Add(time.Duration(float64(time.Second) / rate))
	}
	nextTx, nextMsg := next(r.cfg.TxRate), next(r.cfg.MsgRate)
	topicsKnown := false
	for {
		wait := time.Second
		now := time.Now()
		for _, t := range []time.Time{nextTx, nextMsg} {
			if !t.IsZero() {
				wait = min(wait, t.Sub(now))
			}
		}
		timer := time.NewTimer(max(wait, 0))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		now = time.Now()
		if !nextTx.IsZero() && !now.Before(nextTx) {
			r.sendTx()
			nextTx = next(r.cfg.TxRate)
		}
		if !nextMsg.IsZero() && !now.Before(nextMsg) {
			if !topicsKnown {
				topicsKnown = r.topicsKnown()
			}
			if topicsKnown {
				r.publish()
			}
			nextMsg = next(r.cfg.MsgRate)
		}
	}
}

// topicsKnown reports whether every node knows every node's status record,
// so that a multicast reaches all the subscribers.
func (r *run) topicsKnown() bool {
	for _, m := range r.members {
		if len(m.n.StatusService().Known()) < len(r.members) {
			return false
		}
	}
	return true
}

// sendTx has a random node with spendable coins pay another node's wallet.
func (r *run) sendTx() {
	ms := r.members
	if len(ms) < 2 {
		return
	}
	order := r.rng.Perm(len(ms))
	for _, i := range order {
		from := ms[i]
		to := ms[(i+1+r.rng.IntN(len(ms)-1))%len(ms)]
		amount := minPay + r.rng.Int64N(maxPay-minPay)
		w := from.n.Wallet()
		tx, _, err := w.Pay(from.n.Store(), from.n.Pool(), to.n.Wallet().Address(), amount, feeRate)
		if errors.Is(err, wallet.ErrInsufficientFunds) {
			continue
		}
		if err != nil {
			r.mu.Lock()
			r.stats.txFailed++
			r.mu.Unlock()
			return
		}
		h := tx.TxHash()
		r.mu.Lock()
		r.stats.txs[h] = false // before the submission: a block may take it at once
		r.mu.Unlock()
		if err := from.n.SubmitMsgTx(tx); err != nil {
			r.mu.Lock()
			delete(r.stats.txs, h)
			r.stats.txFailed++
			r.mu.Unlock()
		}
		return
	}
	r.mu.Lock()
	r.stats.txNoFunds++
	r.mu.Unlock()
}

// publish has a random node publish to a random topic.
func (r *run) publish() {
	ms := r.members
	from := ms[r.rng.IntN(len(ms))]
	t := Topics[r.rng.IntN(len(Topics))]
	want := map[enode.ID]bool{}
	for _, m := range ms {
		if m != from && contains(m.topics, t) {
			want[m.n.ID()] = false
		}
	}
	if len(want) == 0 || from.n.PeerCount() == 0 {
		return
	}
	r.mu.Lock()
	seq := len(r.stats.msgs) + r.stats.msgFailed + 1
	r.mu.Unlock()
	payload := fmt.Appendf(nil, "message %d from %s on %s", seq, from.name, t)
	// The ID is known only once Publish returns, and deliveries may come
	// before that: hold the lock across the call, so that delivered waits.
	// Publish does not wait for any delivery of ours.
	r.mu.Lock()
	defer r.mu.Unlock()
	id, err := from.n.TopicService().Publish(t, payload)
	if err != nil {
		r.stats.msgFailed++
		return
	}
	r.stats.msgs[id] = &delivery{want: want}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
