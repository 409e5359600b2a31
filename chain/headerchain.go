package chain

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ledgernet/ledgernet/wire"
)

// Header rule failures. A failed header comes back as a *RuleError whose Err
// wraps one of these; test with errors.Is. Each carries Bitcoin Core's
// reject reason in its text and in RuleError.Rule.
var (
	// ErrPrevNotFound means the header's parent is not in the index.
	ErrPrevNotFound = errors.New("chain: prev-blk-not-found: parent header unknown")
	// ErrGenesisMismatch means a header with no parent is not this
	// network's genesis.
	ErrGenesisMismatch = errors.New("chain: bad-genesis: header has no parent and is not the genesis block")
	// ErrUnexpectedDifficulty means the bits differ from the required next
	// work.
	ErrUnexpectedDifficulty = errors.New("chain: bad-diffbits: incorrect proof of work bits")
	// ErrBadMinDifficulty means a block claims the minimum difficulty
	// without being more than MinDiffReductionTime after its parent. It
	// also matches ErrUnexpectedDifficulty.
	ErrBadMinDifficulty = fmt.Errorf("%w: minimum difficulty outside the allowed window", ErrUnexpectedDifficulty)
	// ErrTimeTooOld means the timestamp is not after the median time past.
	ErrTimeTooOld = errors.New("chain: time-too-old: timestamp not after median time past")
	// ErrTimeTooNew means the timestamp is more than MaxFutureBlockTime
	// ahead of the local clock.
	ErrTimeTooNew = errors.New("chain: time-too-new: timestamp too far in the future")
	// ErrTimewarp means the first block of a period is more than MaxTimewarp
	// older than its parent (BIP94).
	ErrTimewarp = errors.New("chain: time-timewarp-attack: period start too far before its parent")
	// ErrCheckpointMismatch means a header at a checkpoint height has
	// another hash than the checkpoint.
	ErrCheckpointMismatch = errors.New("chain: checkpoint-mismatch: header differs from the checkpoint at its height")
	// ErrForkBeforeCheckpoint means the header would fork the chain below
	// the highest checkpoint already in the index.
	ErrForkBeforeCheckpoint = errors.New("chain: bad-fork-prior-to-checkpoint: fork below a passed checkpoint")
	// ErrObsoleteVersion means the header's version is below what its
	// height requires (BIP34, BIP66, BIP65).
	ErrObsoleteVersion = errors.New("chain: bad-version: block version obsolete at this height")
	// ErrHeadersLength means raw header bytes are not a multiple of 80.
	ErrHeadersLength = errors.New("chain: raw headers are not a multiple of 80 bytes")
	// ErrBadTrustedStart means a checkpoint start is unusable.
	ErrBadTrustedStart = errors.New("chain: bad trusted start")
)

// RuleError reports the first rule a header breaks.
type RuleError struct {
	// Height is the header's height, or -1 when its parent is unknown.
	Height int32
	// Hash is the header's hash.
	Hash wire.Hash
	// Rule is Bitcoin Core's reject reason, such as "bad-diffbits".
	Rule string
	// Err wraps the sentinel (ErrHighHash, ErrUnexpectedDifficulty, ...)
	// with details.
	Err error
}

// Error reads "chain: header <hash> at height <h>: <rule>: <details>".
func (e *RuleError) Error() string {
	return fmt.Sprintf("chain: header %s at height %d: %s", e.Hash, e.Height, strings.TrimPrefix(e.Err.Error(), "chain: "))
}

func (e *RuleError) Unwrap() error { return e.Err }

// ruleNames maps each sentinel to its reject reason.
var ruleNames = []struct {
	err  error
	name string
}{
	{ErrHighHash, "high-hash"},
	{ErrPrevNotFound, "prev-blk-not-found"},
	{ErrGenesisMismatch, "bad-genesis"},
	{ErrUnexpectedDifficulty, "bad-diffbits"},
	{ErrTimeTooOld, "time-too-old"},
	{ErrTimeTooNew, "time-too-new"},
	{ErrTimewarp, "time-timewarp-attack"},
	{ErrCheckpointMismatch, "checkpoint-mismatch"},
	{ErrForkBeforeCheckpoint, "bad-fork-prior-to-checkpoint"},
	{ErrObsoleteVersion, "bad-version"},
}

func ruleError(height int32, hash *wire.Hash, err error) *RuleError {
	e := &RuleError{Height: height, Hash: *hash, Err: err}
	for _, r := range ruleNames {
		if errors.Is(err, r.err) {
			e.Rule = r.name
			break
		}
	}
	return e
}

// HeaderStatus holds flags about what is known of a block beyond its header.
// The header chain sets StatusHeaderValid; the other flags are for block
// download and validation to record.
type HeaderStatus uint8

// Status flags.
const (
	StatusHeaderValid HeaderStatus = 1 << iota
	StatusHaveData
	StatusBlockValid
	StatusBlockInvalid
)

// Internal node flags.
const (
	// flagWalkUnknown: walkBits comes from a trusted start that is itself a
	// minimum-difficulty block, so the real difficulty is unknown.
	flagWalkUnknown uint8 = 1 << iota
)

// noParent is the parent id of a root node.
const noParent = ^uint32(0)

// HeaderNode is one header in the index with what the chain derived from
// it. Nodes are owned by their HeaderChain: read them through the methods,
// from the goroutine that owns the chain; the chain's Parent and Header
// methods give what needs the rest of the index.
//
// Nodes hold no pointers (the parent is an id): the garbage collector never
// has to scan the index, which for Bitcoin's ~900,000 headers would be well
// over 100 MB on every cycle.
type HeaderNode struct {
	hash   wire.Hash
	merkle wire.Hash
	work   Uint256 // total chain work up to and including this header
	id     uint32  // index in the chain's node store
	parent uint32  // parent's id, noParent for the root
	height int32
	// Header fields.
	version   int32
	timestamp uint32
	bits      uint32
	nonce     uint32
	mtp       uint32 // median time past of the window ending here
	// walkBits is the bits of the nearest block at or before this one that
	// was not mined under the minimum-difficulty exception (a retarget
	// block, the root, or a block whose bits are not the limit): Core's
	// walk back in GetNextWorkRequired, cached per node.
	walkBits uint32
	status   HeaderStatus
	flags    uint8
}

// Hash returns the header's hash.
func (n *HeaderNode) Hash() wire.Hash { return n.hash }

// Height returns the header's height.
func (n *HeaderNode) Height() int32 { return n.height }

// ChainWork returns the total work of the chain up to this header. On a
// chain started from a trusted header it counts from the work given then.
func (n *HeaderNode) ChainWork() Uint256 { return n.work }

// MedianTimePast returns the median time past of the window ending at this
// header: its children's timestamps must be after it.
func (n *HeaderNode) MedianTimePast() uint32 { return n.mtp }

// Timestamp returns the header's timestamp.
func (n *HeaderNode) Timestamp() uint32 { return n.timestamp }

// Bits returns the header's compact target.
func (n *HeaderNode) Bits() uint32 { return n.bits }

// Status returns the node's status flags.
func (n *HeaderNode) Status() HeaderStatus { return n.status }

// Reorg describes a change of the best chain to another branch: the headers
// from Fork (exclusive) to OldTip were replaced by those from Fork to NewTip.
type Reorg struct {
	OldTip, NewTip, Fork *HeaderNode
}

// TrustedStart makes a header chain begin at a trusted header instead of
// genesis.
type TrustedStart struct {
	// Header is trusted: only its own proof of work is checked.
	Header wire.BlockHeader
	// Height is the header's height.
	Height int32
	// ChainWork is the total work up to and including Header, if known;
	// nil counts from zero.
	ChainWork *big.Int
}

// HeaderChainConfig configures a HeaderChain. The zero value starts at
// genesis with the system clock.
type HeaderChainConfig struct {
	// Now is the clock for the future-timestamp rule; nil means time.Now.
	Now func() time.Time
	// OnReorg, if set, is called (on the calling goroutine, after the best
	// chain changed) whenever the best tip moves to another branch.
	// Extending the best chain is not a reorganisation.
	OnReorg func(Reorg)
	// SizeHint is the number of headers expected, to size the index.
	SizeHint int
	// Start, if set, begins the chain at a trusted header.
	Start *TrustedStart
}

// HeaderChain is an index of valid block headers with most-work tip
// selection. It verifies each header it is given against the consensus
// rules in Params (proof of work, required difficulty, median time past,
// future limit, BIP94 timewarp, checkpoints, version) before indexing it.
//
// A HeaderChain has no internal locking: one goroutine owns it and every
// call, callback and HeaderNode read happens on that goroutine. Wrap it in
// an owner loop (or a mutex) to share it.
type HeaderChain struct {
	params   *Params
	powLimit Uint256
	now      func() time.Time
	onReorg  func(Reorg)

	// Nodes live in fixed-size chunks that never move, so *HeaderNode
	// stays valid; a node's id is its position.
	chunks   [][]HeaderNode
	rootPrev wire.Hash
	index    hashIndex
	root     *HeaderNode // genesis, or the trusted start
	best     []uint32    // best[i] is the best chain's node at root.height+i

	// lastNew is the id of the most recently created node: it has no
	// children yet, so a header naming it as parent cannot already be
	// indexed.
	lastNew uint32
	// win is the median-time window ending at node winTip (noParent before
	// the root). lastNew and winTip are ids rather than pointers: they are
	// written for every header, and a pointer store would pay the garbage
	// collector's write barrier whenever a cycle is marking.
	win    mtpWindow
	winTip uint32

	// One-entry caches: consecutive headers nearly always share bits.
	targetBits uint32
	target     Uint256
	targetErr  error
	workBits   uint32
	work       Uint256

	cps checkpointSet
	// passedCheckpoint is the height of the highest checkpoint indexed.
	passedCheckpoint int32

	// Batches are hashed hashBatch headers at a time (see hashHeaders).
	hashes [hashBatch]wire.Hash
	raw    [hashBatch * wire.BlockHeaderSize]byte

	// skipPoW disables the proof-of-work check. Only tests in this package
	// set it, to reach the contextual rules with tampered real headers,
	// which cannot be re-mined.
	skipPoW bool
}

// NewHeaderChain returns a header chain holding the genesis header of p, or
// the trusted start of cfg.Start.
func NewHeaderChain(p *Params, cfg HeaderChainConfig) (*HeaderChain, error) {
	c := &HeaderChain{
		params:           p,
		powLimit:         Uint256FromBig(p.PowLimit),
		now:              cfg.Now,
		onReorg:          cfg.OnReorg,
		index:            newHashIndex(cfg.SizeHint),
		cps:              newCheckpointSet(p.Checkpoints),
		passedCheckpoint: -1,
		winTip:           noParent,
	}
	if c.now == nil {
		c.now = time.Now
	}
	h := p.GenesisBlock.Header
	var height int32
	var work Uint256
	if s := cfg.Start; s != nil {
		h, height = s.Header, s.Height
		if height < 0 {
			return nil, fmt.Errorf("%w: negative height %d", ErrBadTrustedStart, height)
		}
		if s.ChainWork != nil {
			if s.ChainWork.Sign() < 0 || s.ChainWork.BitLen() > 256 {
				return nil, fmt.Errorf("%w: chain work out of range", ErrBadTrustedStart)
			}
			work = Uint256FromBig(s.ChainWork)
		}
	}
	hash := h.BlockHash()
	switch {
	case height == 0 && hash != p.GenesisHash:
		return nil, fmt.Errorf("%w: header %s at height 0 is not the genesis block", ErrBadTrustedStart, hash)
	case c.cps.mismatch(height, &hash):
		return nil, fmt.Errorf("%w: header %s at height %d: %w", ErrBadTrustedStart, hash, height, ErrCheckpointMismatch)
	}
	if err := checkProofOfWork(&hash, h.Bits, c.powLimit); err != nil {
		return nil, fmt.Errorf("%w: header %s: %w", ErrBadTrustedStart, hash, err)
	}
	if height == 0 {
		work = calcWork256(h.Bits)
	}
	root := c.newNode(nil, &h, &hash, height)
	root.work = work
	c.rootPrev = h.PrevBlock
	if p.ReduceMinDifficulty && height > 0 && height%p.RetargetInterval != 0 && h.Bits == p.PowLimitBits {
		root.flags |= flagWalkUnknown
	}
	c.root = root
	c.index.put(&hash, root.id)
	c.best = append(make([]uint32, 0, max(cfg.SizeHint, 1)), root.id)
	c.noteCheckpoint(height)
	return c, nil
}

// chunkBits sets the node chunk size: 1024 nodes per allocation.
const (
	chunkBits = 10
	chunkSize = 1 << chunkBits
)

// node returns the node with the given id.
func (c *HeaderChain) node(id uint32) *HeaderNode {
	return &c.chunks[id>>chunkBits][id&(chunkSize-1)]
}

// Parent returns n's parent, or nil for the chain's root.
func (c *HeaderChain) Parent(n *HeaderNode) *HeaderNode {
	if n.parent == noParent {
		return nil
	}
	return c.node(n.parent)
}

// Header returns n's block header.
func (c *HeaderChain) Header(n *HeaderNode) wire.BlockHeader {
	h := wire.BlockHeader{
		Version:    n.version,
		PrevBlock:  c.rootPrev,
		MerkleRoot: n.merkle,
		Timestamp:  n.timestamp,
		Bits:       n.bits,
		Nonce:      n.nonce,
	}
	if n.parent != noParent {
		h.PrevBlock = c.node(n.parent).hash
	}
	return h
}

// newNode creates the node for a header whose checks passed (or the root)
// and fills in what is derived from its ancestors: chain work, the median
// time past and the minimum-difficulty walk-back. It does not index it.
func (c *HeaderChain) newNode(parent *HeaderNode, h *wire.BlockHeader, hash *wire.Hash, height int32) *HeaderNode {
	last := len(c.chunks) - 1
	if last < 0 || len(c.chunks[last]) == chunkSize {
		c.chunks = append(c.chunks, make([]HeaderNode, 0, chunkSize))
		last++
	}
	chunk := c.chunks[last]
	id := uint32(last)<<chunkBits | uint32(len(chunk))
	// The slot is fresh from make, so zero: fill it field by field. Appending
	// a HeaderNode literal instead builds the 136-byte node on the stack and
	// copies it, a second pass over every node.
	chunk = chunk[:len(chunk)+1]
	c.chunks[last] = chunk
	n := &chunk[len(chunk)-1]
	n.hash = *hash
	n.merkle = h.MerkleRoot
	n.id = id
	n.parent = noParent
	n.height = height
	n.version = h.Version
	n.timestamp = h.Timestamp
	n.bits = h.Bits
	n.nonce = h.Nonce
	n.walkBits = h.Bits
	n.status = StatusHeaderValid
	p := c.params
	if parent != nil {
		n.parent = parent.id
		n.work = parent.work.Add(c.workFor(h.Bits))
		if p.ReduceMinDifficulty && height%p.RetargetInterval != 0 && h.Bits == p.PowLimitBits {
			n.walkBits = parent.walkBits
			n.flags |= parent.flags & flagWalkUnknown
		}
	}
	if parent != nil && parent.id == c.winTip {
		c.win.push(h.Timestamp)
	} else {
		c.resetWindow(n)
	}
	c.winTip = id
	n.mtp = c.win.median()
	c.lastNew = id
	return n
}

// resetWindow refills the median-time window with the timestamps of n and
// up to ten of its ancestors: for a header that does not extend the chain
// the window follows.
func (c *HeaderChain) resetWindow(n *HeaderNode) {
	var ts [MedianTimeBlocks]uint32
	k := 0
	for ; n != nil && k < MedianTimeBlocks; n = c.Parent(n) {
		ts[k] = n.timestamp
		k++
	}
	c.win = mtpWindow{}
	for i := k - 1; i >= 0; i-- {
		c.win.push(ts[i])
	}
}

// workFor returns CalcWork(bits) as a Uint256, from a one-entry cache.
func (c *HeaderChain) workFor(bits uint32) Uint256 {
	if bits != c.workBits || c.work.IsZero() {
		c.workBits, c.work = bits, calcWork256(bits)
	}
	return c.work
}

// checkPoW checks the header's hash against its bits, caching the decoded
// target of the last bits seen.
func (c *HeaderChain) checkPoW(hash *wire.Hash, bits uint32) error {
	if bits != c.targetBits || (c.target.IsZero() && c.targetErr == nil) {
		c.targetBits = bits
		c.target, c.targetErr = targetFromBits(bits, c.powLimit)
	}
	if c.targetErr != nil {
		return fmt.Errorf("%w (bits %08x)", c.targetErr, bits)
	}
	if hashAboveTarget(hash, &c.target) {
		return fmt.Errorf("%w: hash above target (bits %08x)", ErrHighHash, bits)
	}
	return nil
}

// Tip returns the head of the best (most-work) chain. Between chains of
// equal work the one seen first stays best, as in Bitcoin Core.
func (c *HeaderChain) Tip() *HeaderNode { return c.node(c.best[len(c.best)-1]) }

// Root returns the chain's first node: genesis, or the trusted start.
func (c *HeaderChain) Root() *HeaderNode { return c.root }

// Params returns the chain's parameters.
func (c *HeaderChain) Params() *Params { return c.params }

// Len returns the number of headers in the index, on every branch.
func (c *HeaderChain) Len() int { return c.index.n }

// Node returns the indexed header with the given hash, or nil.
func (c *HeaderChain) Node(hash wire.Hash) *HeaderNode {
	if id, ok := c.index.get(&hash, c.node); ok {
		return c.node(id)
	}
	return nil
}

// NodeAtHeight returns the best chain's header at height, or nil.
func (c *HeaderChain) NodeAtHeight(height int32) *HeaderNode {
	i := int(height) - int(c.root.height)
	if i < 0 || i >= len(c.best) {
		return nil
	}
	return c.node(c.best[i])
}

// OnBestChain reports whether n is on the best chain.
func (c *HeaderChain) OnBestChain(n *HeaderNode) bool {
	i := int(n.height) - int(c.root.height)
	return i >= 0 && i < len(c.best) && c.best[i] == n.id
}

// Ancestor returns n's ancestor at height (n itself at its own height), or
// nil when height is above n or below the chain's root. It walks parents only
// until it meets the best chain, then indexes it.
func (c *HeaderChain) Ancestor(n *HeaderNode, height int32) *HeaderNode {
	if n == nil || height > n.height || height < c.root.height {
		return nil
	}
	for n.height > height && !c.OnBestChain(n) {
		n = c.node(n.parent)
	}
	if n.height == height {
		return n
	}
	return c.node(c.best[height-c.root.height])
}

// SetStatus adds status flags to n (for block download and validation).
func (c *HeaderChain) SetStatus(n *HeaderNode, s HeaderStatus) { n.status |= s }

// NextWorkRequired returns the bits a child of parent with the given
// timestamp must carry. ok is false when a trusted start hides the ancestors
// the rule needs (see nextWorkRequired); bits is then the parent's.
func (c *HeaderChain) NextWorkRequired(parent *HeaderNode, timestamp uint32) (bits uint32, ok bool) {
	w := c.nextWorkRequired(parent, timestamp)
	return w.bits, w.known
}

// hashBatch is how many headers are hashed together before they are
// checked: enough to keep the interleaved hashing busy, few enough that
// little is wasted when a batch fails early.
const hashBatch = 64

// AddHeader verifies one header and indexes it. A header already in the
// index is accepted again without checks. The error is a *RuleError.
func (c *HeaderChain) AddHeader(h *wire.BlockHeader) (*HeaderNode, error) {
	h.Put(c.raw[:])
	hashHeaders(c.hashes[:1], c.raw[:wire.BlockHeaderSize])
	return c.accept(h, &c.hashes[0], c.now().Unix())
}

// AddHeaders verifies and indexes headers in order, stopping at the first
// that breaks a rule. It returns how many were accepted (already-known
// headers count as accepted) and the *RuleError of the one that was not.
func (c *HeaderChain) AddHeaders(headers []wire.BlockHeader) (int, error) {
	now := c.now().Unix()
	for start := 0; start < len(headers); start += hashBatch {
		batch := headers[start:min(start+hashBatch, len(headers))]
		for i := range batch {
			batch[i].Put(c.raw[i*wire.BlockHeaderSize:])
		}
		hashHeaders(c.hashes[:len(batch)], c.raw[:len(batch)*wire.BlockHeaderSize])
		c.index.prefetch(c.hashes[:len(batch)])
		for i := range batch {
			if _, err := c.accept(&batch[i], &c.hashes[i], now); err != nil {
				return start + i, err
			}
		}
	}
	return len(headers), nil
}

// AddRawHeaders is AddHeaders for serialized headers back to back, 80 bytes
// each, hashed straight from the bytes. It returns ErrHeadersLength, before
// verifying anything, if len(raw) is not a multiple of 80.
func (c *HeaderChain) AddRawHeaders(raw []byte) (int, error) {
	if len(raw)%wire.BlockHeaderSize != 0 {
		return 0, fmt.Errorf("%w: %d bytes", ErrHeadersLength, len(raw))
	}
	now := c.now().Unix()
	total := len(raw) / wire.BlockHeaderSize
	var h wire.BlockHeader
	for start := 0; start < total; start += hashBatch {
		k := min(hashBatch, total-start)
		batch := raw[start*wire.BlockHeaderSize : (start+k)*wire.BlockHeaderSize]
		hashHeaders(c.hashes[:k], batch)
		c.index.prefetch(c.hashes[:k])
		for i := range k {
			decodeHeader(&h, (*[wire.BlockHeaderSize]byte)(batch[i*wire.BlockHeaderSize:]))
			if _, err := c.accept(&h, &c.hashes[i], now); err != nil {
				return start + i, err
			}
		}
	}
	return total, nil
}

// accept runs every rule on one header in Bitcoin Core's order (duplicate,
// proof of work, parent, then the contextual rules) and indexes it.
func (c *HeaderChain) accept(h *wire.BlockHeader, hash *wire.Hash, now int64) (*HeaderNode, error) {
	var parent *HeaderNode
	tip, last := c.Tip(), c.node(c.lastNew)
	switch {
	// The two fast paths skip the duplicate lookup: lastNew has no children
	// yet, and a child of the tip would have more work than the tip, so it
	// would be the tip. A header naming either as parent is new.
	case hashEqual(&h.PrevBlock, &last.hash):
		parent = last
	case hashEqual(&h.PrevBlock, &tip.hash):
		parent = tip
	default:
		if id, ok := c.index.get(hash, c.node); ok {
			return c.node(id), nil
		}
		if id, ok := c.index.get(&h.PrevBlock, c.node); ok {
			parent = c.node(id)
		}
	}
	height := int32(-1)
	if parent != nil {
		height = parent.height + 1
	}
	if !c.skipPoW {
		if err := c.checkPoW(hash, h.Bits); err != nil {
			return nil, ruleError(height, hash, err)
		}
	}
	if parent == nil {
		if h.PrevBlock.IsZero() && *hash != c.params.GenesisHash {
			return nil, ruleError(0, hash, ErrGenesisMismatch)
		}
		return nil, ruleError(-1, hash, fmt.Errorf("%w: %s", ErrPrevNotFound, h.PrevBlock))
	}
	if err := c.checkContext(parent, h, hash, height, now); err != nil {
		return nil, ruleError(height, hash, err)
	}
	n := c.newNode(parent, h, hash, height)
	c.index.put(hash, n.id)
	if c.cps.maybe(height) {
		c.noteCheckpoint(height)
	}
	if moreWork(&n.work, &tip.work) {
		c.setTip(n)
	}
	return n, nil
}

// checkContext applies the rules that need the parent (Core's
// ContextualCheckBlockHeader, plus checkpoints).
func (c *HeaderChain) checkContext(parent *HeaderNode, h *wire.BlockHeader, hash *wire.Hash, height int32, now int64) error {
	p := c.params
	if c.cps.maybe(height) && c.cps.mismatch(height, hash) {
		return ErrCheckpointMismatch
	}
	if height < c.passedCheckpoint {
		return fmt.Errorf("%w: height %d below checkpoint %d", ErrForkBeforeCheckpoint, height, c.passedCheckpoint)
	}
	if err := c.checkBits(parent, h, height); err != nil {
		return err
	}
	// After a trusted start the window is short for ten headers and its
	// median would not be the real one: the rule is skipped until the
	// parent's window holds MedianTimeBlocks timestamps.
	if (c.root.height == 0 || parent.height-c.root.height >= MedianTimeBlocks-1) && h.Timestamp <= parent.mtp {
		return fmt.Errorf("%w: %d <= %d", ErrTimeTooOld, h.Timestamp, parent.mtp)
	}
	if p.EnforceBIP94 && height%p.RetargetInterval == 0 &&
		int64(h.Timestamp) < int64(parent.timestamp)-int64(MaxTimewarp/time.Second) {
		return fmt.Errorf("%w: %d < %d - %d", ErrTimewarp, h.Timestamp, parent.timestamp, int64(MaxTimewarp/time.Second))
	}
	if int64(h.Timestamp) > now+int64(MaxFutureBlockTime/time.Second) {
		return fmt.Errorf("%w: %d > now %d + %d", ErrTimeTooNew, h.Timestamp, now, int64(MaxFutureBlockTime/time.Second))
	}
	if (h.Version < 2 && height >= p.BIP34Height) ||
		(h.Version < 3 && height >= p.BIP66Height) ||
		(h.Version < 4 && height >= p.BIP65Height) {
		return fmt.Errorf("%w: version %#08x", ErrObsoleteVersion, uint32(h.Version))
	}
	return nil
}

// checkBits checks the header's bits against the required next work.
//
// After a trusted start, until a full period is indexed, the exact value of
// a retarget (and on minimum-difficulty networks, the walk-back value) may be
// unknown. Then the bits are only held to PermittedDifficultyTransition from
// the parent's bits: within the 4× clamp at a retarget, unchanged elsewhere
// (and on minimum-difficulty networks, which permit any transition, the bits
// check is skipped for those headers; their proof of work is still checked).
func (c *HeaderChain) checkBits(parent *HeaderNode, h *wire.BlockHeader, height int32) error {
	p := c.params
	var want nextWork
	if !p.ReduceMinDifficulty && height%p.RetargetInterval != 0 {
		want = nextWork{parent.bits, true} // the common case, inline
	} else {
		want = c.nextWorkRequired(parent, h.Timestamp)
	}
	switch {
	case !want.known:
		if !PermittedDifficultyTransition(p, height, parent.bits, h.Bits) {
			return fmt.Errorf("%w: bits %08x not reachable from %08x", ErrUnexpectedDifficulty, h.Bits, parent.bits)
		}
		return nil
	case h.Bits == want.bits:
		return nil
	case p.ReduceMinDifficulty && h.Bits == p.PowLimitBits:
		return fmt.Errorf("%w: %d s after parent, want bits %08x", ErrBadMinDifficulty,
			int64(h.Timestamp)-int64(parent.timestamp), want.bits)
	}
	return fmt.Errorf("%w: bits %08x, want %08x", ErrUnexpectedDifficulty, h.Bits, want.bits)
}

// setTip makes n, which has more work than the tip, the best chain's head,
// rewriting the best chain from the fork point and reporting a reorg.
func (c *HeaderChain) setTip(n *HeaderNode) {
	old := c.Tip()
	if n.parent == old.id {
		c.best = append(c.best, n.id)
		return
	}
	var path []uint32
	fork := n
	for !c.OnBestChain(fork) {
		path = append(path, fork.id)
		fork = c.node(fork.parent)
	}
	c.best = c.best[:fork.height-c.root.height+1]
	for i := len(path) - 1; i >= 0; i-- {
		c.best = append(c.best, path[i])
	}
	if fork != old && c.onReorg != nil {
		c.onReorg(Reorg{OldTip: old, NewTip: n, Fork: fork})
	}
}

// Locator returns a block locator for the best tip (see LocatorFrom).
func (c *HeaderChain) Locator() []wire.Hash { return c.LocatorFrom(c.Tip()) }

// LocatorFrom returns a block locator for n, as Bitcoin Core builds one: n
// and its ancestors one step apart for the first entries, then with the step
// doubling after ten entries, ending with the chain's root (genesis, or the
// trusted start).
func (c *HeaderChain) LocatorFrom(n *HeaderNode) []wire.Hash {
	var out []wire.Hash
	step := int32(1)
	for n != nil {
		out = append(out, n.hash)
		if n.height == c.root.height {
			break
		}
		height := max(n.height-step, c.root.height)
		n = c.Ancestor(n, height)
		if len(out) > 10 {
			step *= 2
		}
	}
	return out
}

// FindFork returns the first locator entry that is on the best chain, as
// Core's FindForkInGlobalIndex, or the root when none is.
func (c *HeaderChain) FindFork(locator []wire.Hash) *HeaderNode {
	for _, h := range locator {
		if n := c.Node(h); n != nil && c.OnBestChain(n) {
			return n
		}
	}
	return c.root
}

// HeadersAfter answers a getheaders request: the best chain's headers after
// the fork point of locator, up to and including stop (when it is on the
// way), at most max of them.
func (c *HeaderChain) HeadersAfter(locator []wire.Hash, stop wire.Hash, max int) []wire.BlockHeader {
	start := c.FindFork(locator)
	var out []wire.BlockHeader
	for h := start.height + 1; len(out) < max; h++ {
		n := c.NodeAtHeight(h)
		if n == nil {
			break
		}
		out = append(out, c.Header(n))
		if n.hash == stop {
			break
		}
	}
	return out
}

// moreWork reports whether a is more work than b, in place (Uint256.Cmp
// copies both).
func moreWork(a, b *Uint256) bool {
	for i := 3; i >= 0; i-- {
		if a[i] != b[i] {
			return a[i] > b[i]
		}
	}
	return false
}

// decodeHeader is wire's DecodeBlockHeader for a full 80-byte array, which
// cannot fail and so inlines.
func decodeHeader(h *wire.BlockHeader, b *[wire.BlockHeaderSize]byte) {
	h.Version = int32(binary.LittleEndian.Uint32(b[0:4]))
	h.PrevBlock = wire.Hash(b[4:36])
	h.MerkleRoot = wire.Hash(b[36:68])
	h.Timestamp = binary.LittleEndian.Uint32(b[68:72])
	h.Bits = binary.LittleEndian.Uint32(b[72:76])
	h.Nonce = binary.LittleEndian.Uint32(b[76:80])
}
