package chain

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/internal/fixtures"
	"github.com/ledgernet/ledgernet/wire"
)

// mineChild returns a header on parent with the given timestamp, the bits
// the chain requires, and salt in the merkle root so that branches differ.
// At regtest-like limits about two nonces are tried.
func mineChild(t testing.TB, c *HeaderChain, parent *HeaderNode, ts uint32, salt byte) wire.BlockHeader {
	t.Helper()
	bits, ok := c.NextWorkRequired(parent, ts)
	if !ok {
		t.Fatal("next work unknown")
	}
	h := wire.BlockHeader{Version: 0x20000000, PrevBlock: parent.Hash(), MerkleRoot: wire.Hash{salt}, Timestamp: ts, Bits: bits}
	for ; ; h.Nonce++ {
		hash := h.BlockHash()
		if checkProofOfWork(&hash, bits, c.powLimit) == nil {
			return h
		}
	}
}

// extend mines and adds n headers after from, spacing seconds apart.
func extend(t testing.TB, c *HeaderChain, from *HeaderNode, n int, spacing uint32, salt byte) []*HeaderNode {
	t.Helper()
	var out []*HeaderNode
	for range n {
		h := mineChild(t, c, from, from.timestamp+spacing, salt)
		node, err := c.AddHeader(&h)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, node)
		from = node
	}
	return out
}

func TestReorg(t *testing.T) {
	var events []Reorg
	c := newTestChain(t, RegTestParams(), HeaderChainConfig{OnReorg: func(r Reorg) { events = append(events, r) }})
	g := c.Root()
	a := extend(t, c, g, 10, 600, 1) // a[i] at height i+1
	if c.Tip() != a[9] || len(events) != 0 {
		t.Fatal("extending is not a reorg")
	}
	// Branch b forks after a[4] (height 5). At equal work the first-seen
	// tip stays; one more header switches.
	b := extend(t, c, a[4], 5, 601, 2) // heights 6..10
	if c.Tip() != a[9] || len(events) != 0 {
		t.Fatal("equal work must not switch")
	}
	b = append(b, extend(t, c, b[4], 2, 601, 2)...) // heights 11, 12
	if c.Tip() != b[6] {
		t.Fatalf("tip %d", c.Tip().Height())
	}
	want := Reorg{OldTip: a[9], NewTip: b[5], Fork: a[4]}
	if len(events) != 1 || events[0] != want {
		t.Fatalf("events %+v", events)
	}
	for h := int32(6); h <= 12; h++ {
		if c.NodeAtHeight(h) != b[h-6] {
			t.Fatalf("best chain at %d", h)
		}
	}
	if c.OnBestChain(a[6]) || !c.OnBestChain(a[3]) || c.NodeAtHeight(13) != nil {
		t.Fatal("best chain membership")
	}
	if c.Ancestor(a[9], 3) != a[2] || c.Ancestor(a[9], 7) != a[6] || c.Ancestor(b[6], 5) != a[4] {
		t.Fatal("ancestors across branches")
	}
	// Branch a comes back with three more.
	a = append(a, extend(t, c, a[9], 3, 600, 1)...)
	if c.Tip() != a[12] || len(events) != 2 {
		t.Fatalf("tip %d, %d events", c.Tip().Height(), len(events))
	}
	if want := (Reorg{OldTip: b[6], NewTip: a[12], Fork: a[4]}); events[1] != want {
		t.Fatalf("second reorg %+v", events[1])
	}
	if c.Len() != 1+13+7 {
		t.Fatalf("index holds %d", c.Len())
	}
	// The node's stored header reproduces its hash.
	for _, n := range append(a, b...) {
		h := c.Header(n)
		if h.BlockHash() != n.Hash() || c.Node(n.Hash()) != n {
			t.Fatal("stored header")
		}
	}
	// Headers of the losing branch given again are duplicates.
	h := c.Header(b[6])
	if n, err := c.AddHeader(&h); err != nil || n != b[6] {
		t.Fatal(err)
	}
}

// TestReorgInOneBatch feeds a competing branch as one batch.
func TestReorgInOneBatch(t *testing.T) {
	var events []Reorg
	c := newTestChain(t, RegTestParams(), HeaderChainConfig{OnReorg: func(r Reorg) { events = append(events, r) }})
	a := extend(t, c, c.Root(), 5, 600, 1)
	// Mine a longer branch in a second chain, then hand it over in one go.
	other := newTestChain(t, RegTestParams(), HeaderChainConfig{})
	b := extend(t, other, other.Root(), 8, 700, 2)
	var hdrs []wire.BlockHeader
	for _, n := range b {
		hdrs = append(hdrs, other.Header(n))
	}
	if n, err := c.AddHeaders(hdrs); err != nil || n != 8 {
		t.Fatal(n, err)
	}
	if len(events) != 1 || events[0].OldTip != a[4] || events[0].NewTip.Hash() != b[5].Hash() || events[0].Fork != c.Root() {
		t.Fatalf("events %+v", events)
	}
	if c.Tip().Hash() != b[7].Hash() {
		t.Fatal("tip")
	}
}

func TestLocator(t *testing.T) {
	c := newTestChain(t, RegTestParams(), HeaderChainConfig{})
	extend(t, c, c.Root(), 100, 600, 1)
	var heights []int32
	for _, h := range c.Locator() {
		heights = append(heights, c.Node(h).Height())
	}
	want := []int32{100, 99, 98, 97, 96, 95, 94, 93, 92, 91, 90, 89, 87, 83, 75, 59, 27, 0}
	if !slices.Equal(heights, want) {
		t.Fatalf("locator heights %v, want %v", heights, want)
	}
	// From a side branch the entries follow that branch down to the fork.
	side := extend(t, c, c.NodeAtHeight(95), 3, 601, 2)
	loc := c.LocatorFrom(side[2])
	if loc[0] != side[2].Hash() || loc[3] != c.NodeAtHeight(95).Hash() || loc[len(loc)-1] != c.Root().Hash() {
		t.Fatal("side branch locator")
	}
	if got := len(locatorAt(t, c, 0)); got != 1 {
		t.Fatalf("genesis locator has %d entries", got)
	}
}

// locatorAt returns the locator of the best chain's node at height.
func locatorAt(t *testing.T, c *HeaderChain, height int32) []wire.Hash {
	t.Helper()
	n := c.NodeAtHeight(height)
	if n == nil {
		t.Fatal("no node")
	}
	return c.LocatorFrom(n)
}

func TestMainnetLocator(t *testing.T) {
	raw := fixtures.Read(t, mainnetHeadersFile)
	c := newTestChain(t, MainNetParams(), HeaderChainConfig{})
	if _, err := c.AddRawHeaders(raw); err != nil {
		t.Fatal(err)
	}
	loc := c.Locator()
	if len(loc) != 11+15+1 || loc[0] != c.Tip().Hash() || loc[len(loc)-1] != c.params.GenesisHash {
		t.Fatalf("%d entries", len(loc))
	}
	for _, h := range loc {
		if n := c.Node(h); n == nil || !c.OnBestChain(n) {
			t.Fatal("locator entry off the best chain")
		}
	}
}

func TestHeadersAfter(t *testing.T) {
	c := newTestChain(t, RegTestParams(), HeaderChainConfig{})
	a := extend(t, c, c.Root(), 30, 600, 1)
	side := extend(t, c, a[9], 2, 601, 2) // heights 11, 12 off the best chain
	heights := func(hs []wire.BlockHeader) []int32 {
		var out []int32
		for _, h := range hs {
			out = append(out, c.Node(h.BlockHash()).Height())
		}
		return out
	}
	tests := []struct {
		name    string
		locator []wire.Hash
		stop    wire.Hash
		max     int
		want    []int32
	}{
		{"from 20", locatorAt(t, c, 20), wire.Hash{}, 2000, []int32{21, 22, 23, 24, 25, 26, 27, 28, 29, 30}},
		{"max 3", locatorAt(t, c, 20), wire.Hash{}, 3, []int32{21, 22, 23}},
		{"stop at 23", locatorAt(t, c, 20), a[22].Hash(), 2000, []int32{21, 22, 23}},
		{"unknown locator starts at genesis", []wire.Hash{{9}}, wire.Hash{}, 2, []int32{1, 2}},
		{"side branch entries are skipped", c.LocatorFrom(side[1]), wire.Hash{}, 2, []int32{11, 12}},
		{"at the tip", c.Locator(), wire.Hash{}, 2000, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := heights(c.HeadersAfter(tc.locator, tc.stop, tc.max)); !slices.Equal(got, tc.want) {
				t.Fatalf("heights %v, want %v", got, tc.want)
			}
		})
	}
}

// easyTestnetParams is testnet3 or testnet4 (BIP94) with regtest's genesis
// and limit and a 20-block period, so that headers mine instantly.
func easyTestnetParams(bip94 bool) *Params {
	p := TestNet3Params()
	if bip94 {
		p = TestNet4Params()
	}
	reg := RegTestParams()
	p.GenesisBlock, p.GenesisHash = reg.GenesisBlock, reg.GenesisHash
	p.PowLimit, p.PowLimitBits = reg.PowLimit, reg.PowLimitBits
	p.RetargetInterval = 20
	p.TargetTimespan = 20 * p.TargetSpacing
	p.Checkpoints = nil
	p.BIP34Height, p.BIP65Height, p.BIP66Height = 1, 1, 1
	return p
}

func TestTimewarpBIP94(t *testing.T) {
	build := func(bip94 bool) (*HeaderChain, *HeaderNode) {
		c := newTestChain(t, easyTestnetParams(bip94), HeaderChainConfig{})
		nodes := extend(t, c, c.Root(), 19, 600, 1)
		return c, nodes[18]
	}
	tests := []struct {
		name  string
		bip94 bool
		back  uint32 // seconds before the parent
		want  error
	}{
		{"601 s back at a period start", true, 601, ErrTimewarp},
		{"600 s back is allowed", true, 600, nil},
		{"without BIP94", false, 601, nil},
		{"far back without BIP94 still needs MTP", false, 3000, ErrTimeTooOld},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, parent := build(tc.bip94)
			h := mineChild(t, c, parent, parent.timestamp-tc.back, 3)
			_, err := c.AddHeader(&h)
			if !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var re *RuleError
			if tc.want == ErrTimewarp && (!errors.As(err, &re) || re.Height != 20 || re.Rule != "time-timewarp-attack") {
				t.Fatalf("rule error %+v", re)
			}
		})
	}
	// Inside a period the timewarp rule does not apply.
	c, parent := build(true)
	start := mineChild(t, c, parent, parent.timestamp+600, 3)
	n20, err := c.AddHeader(&start)
	if err != nil {
		t.Fatal(err)
	}
	h := mineChild(t, c, n20, n20.timestamp-601, 3)
	if _, err := c.AddHeader(&h); err != nil {
		t.Fatalf("mid-period: %v", err)
	}
}

// TestBIP94RetargetUsesFirstBlock ends a period with a minimum-difficulty
// block: testnet4 scales the period's first block's bits, testnet3 the
// last block's.
func TestBIP94RetargetUsesFirstBlock(t *testing.T) {
	for _, bip94 := range []bool{true, false} {
		p := easyTestnetParams(bip94)
		c := newTestChain(t, p, HeaderChainConfig{})
		first := extend(t, c, c.Root(), 20, 540, 1) // a fast period: height 20 retargets harder
		n20 := first[19]
		if n20.height != 20 || n20.bits == p.PowLimitBits {
			t.Fatalf("height %d bits %08x", n20.height, n20.bits)
		}
		mid := extend(t, c, n20, 18, 600, 1)         // 21..38 carry n20's bits
		last := extend(t, c, mid[17], 1, 1201, 1)[0] // 39: minimum difficulty
		if mid[17].bits != n20.bits || last.bits != p.PowLimitBits {
			t.Fatalf("bits %08x %08x", mid[17].bits, last.bits)
		}
		got, ok := c.NextWorkRequired(last, last.timestamp+600)
		scale := last.bits
		if bip94 {
			scale = n20.bits
		}
		want := CalcNextWorkRequired(p, scale, int64(n20.timestamp), int64(last.timestamp))
		if !ok || got != want {
			t.Fatalf("bip94=%v: next work %08x, want %08x", bip94, got, want)
		}
		if bip94 && got == CalcNextWorkRequired(p, last.bits, int64(n20.timestamp), int64(last.timestamp)) {
			t.Fatal("test does not tell the two rules apart")
		}
		extend(t, c, last, 1, 600, 1)
	}
}

// TestRegtestNoRetarget mines across several regtest periods: the bits never
// change, however fast the blocks come.
func TestRegtestNoRetarget(t *testing.T) {
	p := RegTestParams()
	p.RetargetInterval = 10
	c := newTestChain(t, p, HeaderChainConfig{})
	for _, n := range extend(t, c, c.Root(), 35, 1, 1) {
		if n.bits != p.PowLimitBits {
			t.Fatalf("height %d bits %08x", n.height, n.bits)
		}
	}
}

// TestDevnetRetarget mines devnet headers fast enough to retarget harder.
func TestDevnetRetarget(t *testing.T) {
	p := DevNetParams()
	c := newTestChain(t, p, HeaderChainConfig{Now: func() time.Time { return time.Unix(devnetGenesisTime+100_000, 0) }})
	nodes := extend(t, c, c.Root(), 60, 1, 1)
	if nodes[58].bits != p.PowLimitBits {
		t.Fatal("first period must stay at the limit")
	}
	// 59 gaps of 1 s against 300 s: clamped to a quarter.
	want := CalcNextWorkRequired(p, p.PowLimitBits, devnetGenesisTime, devnetGenesisTime+59)
	if nodes[59].height != 60 || nodes[59].bits != want || want == p.PowLimitBits {
		t.Fatalf("bits at 60: %08x, want %08x", nodes[59].bits, want)
	}
}

// FuzzAddRawHeaders feeds arbitrary bytes as headers after a short regtest
// chain: nothing panics, and the count accepted matches the index.
func FuzzAddRawHeaders(f *testing.F) {
	c := newTestChain(f, RegTestParams(), HeaderChainConfig{})
	nodes := extend(f, c, c.Root(), 3, 600, 1)
	var seed []byte
	for _, n := range nodes {
		h := c.Header(n)
		seed = h.Append(seed)
	}
	f.Add(seed)
	f.Add(seed[:80])
	f.Add(seed[:81])
	f.Fuzz(func(t *testing.T, raw []byte) {
		c := newTestChain(t, RegTestParams(), HeaderChainConfig{})
		before := c.Len()
		n, err := c.AddRawHeaders(raw)
		if err == nil && n != len(raw)/80 {
			t.Fatal("count")
		}
		if c.Len() > before+n {
			t.Fatal("indexed more than accepted")
		}
	})
}
