package discover

import (
	"context"
	"errors"

	"github.com/ledgernet/ledgernet/p2p/discover/v4wire"
	"github.com/ledgernet/ledgernet/p2p/enode"
)

// Lookup finds the bucketSize (16) nodes closest to the ID of target, a
// public key (keccak256(target) is the ID; it need not be a point on the
// curve). It waits for the table to be seeded if it is empty.
func (t *UDPv4) Lookup(ctx context.Context, target v4wire.Pubkey) []*enode.Node {
	ctx, cancel := t.withClose(ctx)
	defer cancel()
	return t.lookup(ctx, target, true)
}

// LookupRandom looks up a random target: the nodes it returns are a random
// sample of the network.
func (t *UDPv4) LookupRandom(ctx context.Context) []*enode.Node {
	return t.Lookup(ctx, randomTarget())
}

type queryResult struct {
	n       *enode.Node
	nodes   []*enode.Node
	noReply bool
}

// lookup is the iterative Kademlia search: start from the closest nodes of
// the table, keep alpha findnode queries in flight to the closest nodes
// not asked yet, merge their answers into the result (the bucketSize
// closest nodes seen), and stop when every node in the result has been
// asked. Nodes that do not answer leave the result. Every node learned is
// offered to the table.
func (t *UDPv4) lookup(ctx context.Context, target v4wire.Pubkey, waitForTable bool) []*enode.Node {
	if waitForTable && t.tab.len() == 0 {
		// All nodes were dropped or none were added yet: seed again.
		select {
		case <-t.tab.refresh():
		case <-ctx.Done():
			return nil
		}
	}
	targetID := target.ID()
	result := nodesByDistance{target: targetID}
	for _, n := range t.tab.closest(targetID, bucketSize, false) {
		result.push(n, bucketSize)
	}
	var (
		asked   = map[enode.ID]bool{t.selfID: true}
		seen    = map[enode.ID]bool{t.selfID: true}
		replies = make(chan queryResult, alpha) // room for every query in flight
		pending = 0
	)
	for _, n := range result.entries {
		seen[n.ID()] = true
	}
	for {
		for i := 0; i < len(result.entries) && pending < alpha; i++ {
			n := result.entries[i]
			if asked[n.ID()] {
				continue
			}
			asked[n.ID()] = true
			if t.spawn(func() { replies <- t.query(ctx, n, target) }) {
				pending++
			}
		}
		if pending == 0 {
			return result.entries
		}
		select {
		case r := <-replies:
			pending--
			if r.noReply {
				result.remove(r.n.ID())
			}
			for _, n := range r.nodes {
				if !seen[n.ID()] {
					seen[n.ID()] = true
					result.push(n, bucketSize)
				}
			}
		case <-ctx.Done():
			// The queries in flight finish on their own (their replies
			// fit the buffer).
			return result.entries
		}
	}
}

// query sends one findnode of a lookup and keeps the failure count that
// drops unresponsive nodes from the table.
func (t *UDPv4) query(ctx context.Context, n *enode.Node, target v4wire.Pubkey) queryResult {
	nodes, err := t.findnode(ctx, n, target)
	r := queryResult{n: n, nodes: nodes, noReply: err != nil}
	if ctx.Err() != nil || errors.Is(err, ErrClosed) {
		return r // our failure, not the node's
	}
	ip := n.IP()
	fails := t.db.FindFails(n.ID(), ip)
	if err != nil {
		fails++
		t.db.UpdateFindFails(n.ID(), ip, fails)
		if fails >= maxFindnodeFailures {
			t.log.Debug("Too many findnode failures, dropping", "id", n.ID().TerminalString(), "fails", fails)
			t.tab.deleteNode(n)
		}
	} else if fails > 0 {
		t.db.UpdateFindFails(n.ID(), ip, 0)
	}
	// Unverified, like every node from a Neighbors packet: revalidation
	// checks them before they are offered to anyone else as live.
	for _, rn := range nodes {
		t.tab.addFoundNode(rn)
	}
	return r
}
