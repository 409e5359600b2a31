package chain

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/ledgernet/ledgernet/internal/fixtures"
	"github.com/ledgernet/ledgernet/wire"
)

// leaf returns a distinct test hash for i.
func leaf(i int) wire.Hash { return sha256.Sum256([]byte{byte(i), byte(i >> 8)}) }

func leaves(idx ...int) []wire.Hash {
	hs := make([]wire.Hash, len(idx))
	for i, n := range idx {
		hs[i] = leaf(n)
	}
	return hs
}

// node is the parent of two hashes, written out the slow way.
func node(a, b wire.Hash) wire.Hash { return wire.DoubleSHA256(append(a[:], b[:]...)) }

// refMerkleRoot is a plain recursive statement of Bitcoin's tree: the root of
// a list is the node of the roots of its first half (rounded up to a power
// of two) and of the rest, the rest being the first half again when empty.
func refMerkleRoot(hs []wire.Hash) wire.Hash {
	if len(hs) == 1 {
		return hs[0]
	}
	split := 1
	for split*2 < len(hs) {
		split *= 2
	}
	left := refMerkleRoot(hs[:split])
	right := left
	if split < len(hs) {
		// A right subtree shorter than its width is padded the same way
		// at every level, which the recursion reproduces: pad to the
		// power of two below by repeating the last element per level.
		right = refMerkleRoot(hs[split:])
		// Levels the right part lacks are filled by hashing it with itself.
		for w := widthOf(len(hs) - split); w < split; w *= 2 {
			right = node(right, right)
		}
	}
	return node(left, right)
}

// widthOf is the smallest power of two ≥ n.
func widthOf(n int) int {
	w := 1
	for w < n {
		w *= 2
	}
	return w
}

func mustHash(t *testing.T, s string) wire.Hash {
	t.Helper()
	h, err := wire.NewHashFromStr(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestMerkleRootKnownCases(t *testing.T) {
	a, b, c, d, e, f := leaf(1), leaf(2), leaf(3), leaf(4), leaf(5), leaf(6)
	ab, cd, ef := node(a, b), node(c, d), node(e, f)
	tests := []struct {
		name        string
		hashes      []wire.Hash
		root        wire.Hash
		wantMutated bool
	}{
		{"empty", nil, wire.Hash{}, false},
		{"one leaf is the root", []wire.Hash{a}, a, false},
		{"two", []wire.Hash{a, b}, ab, false},
		{"two equal", []wire.Hash{a, a}, node(a, a), true},
		{"three: last paired with itself", []wire.Hash{a, b, c}, node(ab, node(c, c)), false},
		{"three, equal tail is padding not mutation", []wire.Hash{a, b, b}, node(ab, node(b, b)), false},
		{"four = three with tail repeated (CVE-2012-2459)", []wire.Hash{a, b, c, c}, node(ab, node(c, c)), true},
		{"equal pair at even position", []wire.Hash{a, a, b}, node(node(a, a), node(b, b)), true},
		{"equal values at odd position are fine", []wire.Hash{a, b, b, c}, node(node(a, b), node(b, c)), false},
		{"five", []wire.Hash{a, b, c, d, e}, node(node(ab, cd), node(node(e, e), node(e, e))), false},
		{"six", []wire.Hash{a, b, c, d, e, f}, node(node(ab, cd), node(ef, ef)), false},
		{"eight = six with last pair repeated (level 1)", []wire.Hash{a, b, c, d, e, f, e, f}, node(node(ab, cd), node(ef, ef)), true},
		{"identical subtrees", []wire.Hash{a, b, a, b}, node(ab, ab), true},
		// Real blocks: txids and roots from blocks_index.json.
		{"block 170", []wire.Hash{
			mustHash(t, "b1fea52486ce0c62bb442b530a3f0132b826c74e473d1f2c220bfa78111c5082"),
			mustHash(t, "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16"),
		}, mustHash(t, "7dac2c5666815c17a3b36427de37bb9d2e2c5ccec3f8633eb91a4205cb4c10ff"), false},
		{"block 13174 (odd)", []wire.Hash{
			mustHash(t, "d0a7e011c51cf17cf70b9f74aca9519fc9784e3b043c2927c6f25143c2f756ca"),
			mustHash(t, "4c0135d31a903852d488d908637478dedbea80167e532d23cfc188d2e5b5e3db"),
			mustHash(t, "e29a9dc0b293f0d84775adf316750255f267bc94a852e27a31db1f01c7a10e8d"),
		}, mustHash(t, "ab950982fc3aeeccef8bcf1b3d8a1f5e60f7eecd756d990579930da84acb5815"), false},
		{"block 13174 mutated", []wire.Hash{
			mustHash(t, "d0a7e011c51cf17cf70b9f74aca9519fc9784e3b043c2927c6f25143c2f756ca"),
			mustHash(t, "4c0135d31a903852d488d908637478dedbea80167e532d23cfc188d2e5b5e3db"),
			mustHash(t, "e29a9dc0b293f0d84775adf316750255f267bc94a852e27a31db1f01c7a10e8d"),
			mustHash(t, "e29a9dc0b293f0d84775adf316750255f267bc94a852e27a31db1f01c7a10e8d"),
		}, mustHash(t, "ab950982fc3aeeccef8bcf1b3d8a1f5e60f7eecd756d990579930da84acb5815"), true},
		{"block 2812 (6 txs)", []wire.Hash{
			mustHash(t, "73c145f4a4ad7375a6fd0c2aa2de5ff2776033151f1a077bfa2ae893b0f4fa7b"),
			mustHash(t, "00e45be5b605fdb2106afa4cef5992ee6d4e3724de5dc8b13e729a3fc3ad4b94"),
			mustHash(t, "74c1a6dd6e88f73035143f8fc7420b5c395d28300a70bb35b943f7f2eddc656d"),
			mustHash(t, "131f68261e28a80c3300b048c4c51f3ca4745653ba7ad6b20cc9188322818f25"),
			mustHash(t, "a64be218809b61ac67ddc7f6c7f9fbebfe420cf75fe0318ebc727f060df48b37"),
			mustHash(t, "8f5db6d157f79f2649719d5c3ff12eb5502edf098dbfb69d6ce58363e6ff293f"),
		}, mustHash(t, "289a86c44c4698fd8f181929dc2dd3c25820c959eab28980b27bb3cf8fcacb65"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]wire.Hash(nil), tc.hashes...)
			root, mutated := MerkleRoot(in)
			if root != tc.root || mutated != tc.wantMutated {
				t.Fatalf("MerkleRoot = %s, %v; want %s, %v", root, mutated, tc.root, tc.wantMutated)
			}
			if !equalHashes(in, tc.hashes) {
				t.Fatal("MerkleRoot modified its input")
			}
			if len(tc.hashes) > 0 {
				if ref := refMerkleRoot(tc.hashes); ref != root {
					t.Fatalf("reference root %s", ref)
				}
			}
		})
	}
}

// TestMerkleRootMatchesReference compares every size up to 300 with the
// recursive statement, and checks that distinct leaves never read as mutated.
func TestMerkleRootMatchesReference(t *testing.T) {
	for n := 1; n <= 300; n++ {
		hs := leaves(seq(n)...)
		root, mutated := MerkleRoot(hs)
		if want := refMerkleRoot(hs); root != want {
			t.Fatalf("n=%d: root %s, reference %s", n, root, want)
		}
		if mutated {
			t.Fatalf("n=%d: distinct leaves reported as mutated", n)
		}
	}
}

// TestMerkleMutationEveryOddLevel builds, for many sizes, the padded twin of
// each tree: where a level has an odd count and its last node covers a full
// subtree, repeating that subtree's leaves keeps the root and must be
// reported as mutated.
func TestMerkleMutationEveryOddLevel(t *testing.T) {
	twins := 0
	for n := 2; n <= 100; n++ {
		hs := leaves(seq(n)...)
		root, _ := MerkleRoot(hs)
		count, width := n, 1
		for count > 1 {
			// The last node of this level covers the leaves from
			// (count-1)*width; when they are a full subtree (no padding
			// below), repeating them repeats that node.
			tail := hs[(count-1)*width:]
			if count%2 == 1 && len(tail) == width {
				twin := append(append([]wire.Hash(nil), hs...), tail...)
				r, m := MerkleRoot(twin)
				if r != root || !m {
					t.Fatalf("n=%d width=%d: twin root equal %v, mutated %v", n, width, r == root, m)
				}
				twins++
			}
			count = (count + 1) / 2
			width *= 2
		}
	}
	if twins < 90 {
		t.Fatalf("only %d twins built", twins)
	}
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

func TestMerkleBranch(t *testing.T) {
	for n := 1; n <= 40; n++ {
		hs := leaves(seq(n)...)
		root, _ := MerkleRoot(hs)
		for i := range hs {
			br := MerkleBranch(hs, i)
			if got := MerkleRootFromBranch(hs[i], br, uint32(i)); got != root {
				t.Fatalf("n=%d i=%d: branch gives %s, root %s", n, i, got, root)
			}
			if n > 1 {
				if got := MerkleRootFromBranch(hs[i], br, uint32(i^1)); got == root && br[0] != hs[i] {
					t.Fatalf("n=%d i=%d: proof holds at the wrong position", n, i)
				}
			}
		}
	}
	for _, i := range []int{-1, 3} {
		if br := MerkleBranch(leaves(1, 2, 3), i); br != nil {
			t.Fatalf("index %d: branch %v, want nil", i, br)
		}
	}
}

// TestMerkleBranchRealBlock proves a transaction of block 866,342.
func TestMerkleBranchRealBlock(t *testing.T) {
	raw := fixtures.Read(t, "btc/mainnet/block_866342.bin")
	txids, err := wire.TxHashes(raw, wire.WitnessEncoding)
	if err != nil {
		t.Fatal(err)
	}
	b := decodeBlock(t, raw)
	for _, i := range []int{0, 1, 2047, 4862, 4863} {
		br := MerkleBranch(txids, i)
		if len(br) != 13 {
			t.Fatalf("tx %d: branch of %d hashes, want 13 for 4,864 leaves", i, len(br))
		}
		if got := MerkleRootFromBranch(txids[i], br, uint32(i)); got != b.Header.MerkleRoot {
			t.Fatalf("tx %d: proof gives %s, header %s", i, got, b.Header.MerkleRoot)
		}
	}
}

func TestWitnessCommitmentIndex(t *testing.T) {
	var zero [WitnessReservedValueSize]byte
	commit := WitnessCommitmentOutput(wire.Hash{1}, zero).PkScript
	long := append(append([]byte(nil), commit...), 0x01, 0x02)
	tests := []struct {
		name    string
		scripts [][]byte
		want    int
	}{
		{"no outputs", nil, -1},
		{"no commitment", [][]byte{{OpReturn}, PayToPubKeyHashScript([20]byte{})}, -1},
		{"one", [][]byte{{OpCheckSig}, commit}, 1},
		{"first of one", [][]byte{commit, {OpCheckSig}}, 0},
		{"last of two counts", [][]byte{commit, {OpCheckSig}, commit, {OpReturn}}, 2},
		{"longer script counts", [][]byte{long}, 0},
		{"37 bytes is too short", [][]byte{commit[:WitnessCommitmentScriptSize-1]}, -1},
		{"wrong tag", [][]byte{append([]byte{0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xee}, make([]byte, 32)...)}, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tx := &wire.MsgTx{}
			for _, s := range tc.scripts {
				tx.TxOut = append(tx.TxOut, &wire.TxOut{PkScript: s})
			}
			if got := WitnessCommitmentIndex(tx); got != tc.want {
				t.Fatalf("WitnessCommitmentIndex = %d, want %d", got, tc.want)
			}
		})
	}
	if WitnessCommitmentIndex(nil) != -1 {
		t.Fatal("nil coinbase")
	}
}

func TestWitnessCommitmentOutput(t *testing.T) {
	root := leaf(7)
	var reserved [WitnessReservedValueSize]byte
	reserved[0] = 9
	out := WitnessCommitmentOutput(root, reserved)
	c := wire.DoubleSHA256(append(root[:], reserved[:]...))
	if out.Value != 0 || len(out.PkScript) != WitnessCommitmentScriptSize ||
		!bytes.Equal(out.PkScript[:6], []byte{0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed}) || !bytes.Equal(out.PkScript[6:], c[:]) {
		t.Fatalf("commitment output %d %x", out.Value, out.PkScript)
	}
	if WitnessCommitment(root, reserved) != c {
		t.Fatal("WitnessCommitment differs from the output's commitment")
	}
	// The script is an OP_RETURN with one 36-byte push.
	tk := NewScriptTokenizer(out.PkScript)
	var ops []string
	for tk.Next() {
		ops = append(ops, fmt.Sprintf("%#x/%d", tk.Opcode(), len(tk.Data())))
	}
	if tk.Err() != nil || len(ops) != 2 || ops[0] != "0x6a/0" || ops[1] != "0x24/36" {
		t.Fatalf("commitment script tokens %v (%v)", ops, tk.Err())
	}
}
