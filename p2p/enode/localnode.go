package enode

import (
	"net/netip"
	"sync"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ledgernet/ledgernet/p2p/enr"
)

// LocalNode keeps this node's own record. Entries are set as the node learns
// its endpoint and protocols; Node returns the record signed, re-signing with
// seq+1 after any change. It is safe for concurrent use.
type LocalNode struct {
	key *secp256k1.PrivateKey
	id  ID

	mu  sync.Mutex  // guards the fields below
	rec *enr.Record // current entries, unsigned
	seq uint64      // seq of the last signed record
	cur *Node       // signed node for rec; nil after a change
}

// NewLocalNode returns a LocalNode for key. seq is the sequence number of the
// last record this node published; the first signed record has seq+1. To
// never reuse a sequence number across restarts, pass the value persisted by
// the previous run, or the current time in milliseconds as go-ethereum does
// without a database.
func NewLocalNode(key *secp256k1.PrivateKey, seq uint64) *LocalNode {
	rec := new(enr.Record)
	rec.Set(enr.ID(enr.SchemeV4))
	rec.Set(enr.Secp256k1(*key.PubKey()))
	return &LocalNode{key: key, id: PubkeyToID(key.PubKey()), rec: rec, seq: seq}
}

// ID returns the node's ID.
func (ln *LocalNode) ID() ID { return ln.id }

// Seq returns the sequence number of the last signed record.
func (ln *LocalNode) Seq() uint64 {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	return ln.seq
}

// Set adds or replaces an entry. Setting an entry to its current value
// changes nothing. It returns enr.ErrTooBig, and changes nothing, if the
// signed record would exceed enr.SizeLimit.
func (ln *LocalNode) Set(e enr.Entry) error {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	if old, ok := ln.rec.Get(e.ENRKey()); ok && string(old) == string(e.AppendRLP(nil)) {
		return nil
	}
	next := ln.rec.Clone()
	next.Set(e)
	if next.SignedSize() > enr.SizeLimit {
		return enr.ErrTooBig
	}
	ln.rec, ln.cur = next, nil
	return nil
}

// Delete removes an entry.
func (ln *LocalNode) Delete(key string) {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	if ln.rec.Delete(key) {
		ln.cur = nil
	}
}

// SetIP sets the "ip" or "ip6" entry, whichever fits the address.
func (ln *LocalNode) SetIP(ip netip.Addr) error {
	ip = ip.Unmap()
	if ip.Is4() {
		return ln.Set(enr.IPv4(ip))
	}
	return ln.Set(enr.IPv6(ip))
}

// Node returns the node with its current record, signing the record first
// if an entry changed since the last call.
func (ln *LocalNode) Node() *Node {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	if ln.cur != nil {
		return ln.cur
	}
	rec := ln.rec.Clone()
	rec.SetSeq(ln.seq + 1)
	// Sign cannot fail: Set keeps the record within the size limit.
	if err := rec.Sign(ln.key); err != nil {
		return ln.cur
	}
	n, err := newNode(rec)
	if err != nil {
		return ln.cur
	}
	ln.seq++
	ln.cur = n
	return n
}
