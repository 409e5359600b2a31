package chain

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/wire"
)

func allParams() []*Params {
	return []*Params{MainNetParams(), TestNet3Params(), TestNet4Params(), SigNetParams(), RegTestParams(), DevNetParams()}
}

func TestGenesisBlocks(t *testing.T) {
	tests := []struct {
		params *Params
		hash   string
		merkle string
	}{
		{MainNetParams(), "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f", "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"},
		{TestNet3Params(), "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943", "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"},
		{TestNet4Params(), "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043", "7aa0a7ae1e223414cb807e40cd57e667b718e42aaf9306db9102fe28912b7b4e"},
		{SigNetParams(), "00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6", "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"},
		{RegTestParams(), "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206", "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"},
		{DevNetParams(), "000dda016c5691027807aefff7522370b5622d6d5a82ecbf5d0706a13169740c", "b0e35c620baa4addca3ad11e6623dd366a42675c0a8a8067562c0eac25c6d5ff"},
	}
	for _, tc := range tests {
		p := tc.params
		t.Run(p.Name, func(t *testing.T) {
			g := p.GenesisBlock
			if got := g.BlockHash().String(); got != tc.hash {
				t.Fatalf("genesis hash %s, want %s", got, tc.hash)
			}
			if p.GenesisHash.String() != tc.hash {
				t.Fatalf("GenesisHash %s", p.GenesisHash)
			}
			if got := g.Header.MerkleRoot.String(); got != tc.merkle {
				t.Fatalf("merkle root %s, want %s", got, tc.merkle)
			}
			// A one-transaction block's merkle root is its txid.
			if len(g.Transactions) != 1 || g.Transactions[0].TxHash() != g.Header.MerkleRoot {
				t.Fatal("merkle root is not the coinbase txid")
			}
			if !g.Header.PrevBlock.IsZero() {
				t.Fatal("genesis has a parent")
			}
			// The serialized block decodes back to itself.
			raw := g.Append(nil, wire.WitnessEncoding)
			var back wire.MsgBlock
			if err := back.Decode(raw, 0, wire.WitnessEncoding); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(back.Append(nil, wire.WitnessEncoding), raw) {
				t.Fatal("genesis does not round-trip")
			}
			if err := CheckProofOfWork(p.GenesisHash, g.Header.Bits, p.PowLimit); err != nil {
				t.Fatalf("genesis proof of work: %v", err)
			}
		})
	}
}

// TestMainnetGenesisBytes pins the whole serialized mainnet genesis block
// (285 bytes) through its well-known coinbase pieces.
func TestMainnetGenesisBytes(t *testing.T) {
	raw := MainNetParams().GenesisBlock.Append(nil, wire.BaseEncoding)
	if len(raw) != 285 {
		t.Fatalf("size %d, want 285", len(raw))
	}
	script := "04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73"
	if !bytes.Contains(raw, hexConst(script)) {
		t.Fatal("coinbase script missing")
	}
	if !bytes.Contains(raw, hexConst("41"+satoshiGenesisPubKey+"ac")) {
		t.Fatal("output script missing")
	}
}

func TestDevNetParams(t *testing.T) {
	p := DevNetParams()
	var magic [4]byte
	binary.LittleEndian.PutUint32(magic[:], uint32(p.Net))
	if string(magic[:]) != "LNET" {
		t.Fatalf("devnet magic bytes %q", magic)
	}
	if p.DefaultPort != 30777 {
		t.Fatal("devnet port")
	}
	if name, ok := wire.NetName(p.Net); !ok || name != "devnet" {
		t.Fatalf("wire knows the devnet magic as %q", name)
	}
	g := p.GenesisBlock
	if y := g.Header.Time().UTC().Year(); y != 2026 {
		t.Fatalf("devnet genesis year %d", y)
	}
	if !strings.Contains(string(g.Transactions[0].TxIn[0].SignatureScript), "ledgernet") {
		t.Fatal("devnet coinbase text does not mention ledgernet")
	}
	if p.TargetSpacing != 5*time.Second || p.RetargetInterval != 60 || p.PoWNoRetargeting || p.ReduceMinDifficulty {
		t.Fatal("devnet timing")
	}
	// Easy enough to mine many blocks per second: at least 1 in 2^16.
	if p.PowLimit.BitLen() < 240 {
		t.Fatalf("devnet limit has %d bits", p.PowLimit.BitLen())
	}
}

func TestParamsConsistency(t *testing.T) {
	for _, p := range allParams() {
		t.Run(p.Name, func(t *testing.T) {
			if got := BigToCompact(p.PowLimit); got != p.PowLimitBits {
				t.Fatalf("PowLimitBits %08x, compact of PowLimit is %08x", p.PowLimitBits, got)
			}
			if int64(p.RetargetInterval) != int64(p.TargetTimespan/p.TargetSpacing) {
				t.Fatal("RetargetInterval != TargetTimespan / TargetSpacing")
			}
			if p.MinDiffReductionTime != 2*p.TargetSpacing {
				t.Fatal("MinDiffReductionTime != 2 × TargetSpacing")
			}
			if p.RetargetAdjustmentFactor != 4 {
				t.Fatal("clamp factor")
			}
			// Core scales targets in 256 bits: PowLimit × the largest
			// timespan must not wrap where retargeting is on.
			maxSpan := int64(p.TargetTimespan/time.Second) * p.RetargetAdjustmentFactor
			if !p.PoWNoRetargeting && new(big.Int).Mul(p.PowLimit, big.NewInt(maxSpan)).BitLen() > 256 {
				t.Fatal("retarget arithmetic would overflow 256 bits")
			}
			for i := 1; i < len(p.Checkpoints); i++ {
				if p.Checkpoints[i].Height <= p.Checkpoints[i-1].Height {
					t.Fatal("checkpoints not in increasing order")
				}
			}
			if p.CoinbaseMaturity <= 0 || p.SubsidyHalvingInterval <= 0 || p.DefaultPort == 0 {
				t.Fatal("missing constants")
			}
			got, err := ParamsByName(p.Name)
			if err != nil || got.Name != p.Name || got.Net != p.Net {
				t.Fatalf("ParamsByName(%q) = %v, %v", p.Name, got, err)
			}
		})
	}
}

func TestParamsByName(t *testing.T) {
	for name, want := range map[string]string{"bitcoin": "mainnet", "main": "mainnet", "MainNet": "mainnet", "test": "testnet3"} {
		p, err := ParamsByName(name)
		if err != nil || p.Name != want {
			t.Errorf("ParamsByName(%q) = %v, %v", name, p, err)
		}
	}
	for _, name := range []string{"", "permissioned", "testnet5"} {
		if _, err := ParamsByName(name); !errors.Is(err, ErrUnknownNetwork) {
			t.Errorf("ParamsByName(%q) err = %v", name, err)
		}
	}
	if len(NetworkNames()) != 6 {
		t.Fatal("NetworkNames")
	}
}

// TestParamsAreCopies checks that no two calls share mutable state.
func TestParamsAreCopies(t *testing.T) {
	a, b := MainNetParams(), MainNetParams()
	a.PowLimit.SetInt64(1)
	a.GenesisBlock.Header.Nonce++
	a.Checkpoints[0].Height = 1
	a.DNSSeeds[0] = "x"
	if b.PowLimit.Cmp(big.NewInt(1)) == 0 || b.GenesisBlock.BlockHash() != b.GenesisHash ||
		b.Checkpoints[0].Height != 11111 || b.DNSSeeds[0] == "x" {
		t.Fatal("params share state between calls")
	}
}

func TestLatestCheckpoint(t *testing.T) {
	if cp := MainNetParams().LatestCheckpoint(); cp == nil || cp.Height != 295000 {
		t.Fatalf("mainnet latest checkpoint %v", cp)
	}
	if RegTestParams().LatestCheckpoint() != nil {
		t.Fatal("regtest has no checkpoints")
	}
}
