package chain

import (
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/wire"
)

// hdrFixture reads a file from ../../shared/fixtures and fails the test when
// it is missing: a missing fixture must never let a test pass.
func hdrFixture(t testing.TB, rel string) []byte {
	t.Helper()
	p := filepath.Join("..", "..", "shared", "fixtures", filepath.FromSlash(rel))
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("fixture %s is missing (%v): the shared fixtures must sit beside the repository as ../shared/fixtures", rel, err)
	}
	return b
}

// hdrJSON decodes a JSON fixture into v.
func hdrJSON(t testing.TB, rel string, v any) {
	t.Helper()
	if err := json.Unmarshal(hdrFixture(t, rel), v); err != nil {
		t.Fatalf("fixture %s: %v", rel, err)
	}
}

const (
	mainnetHeadersFile  = "btc/mainnet/headers_0_39999.bin"
	testnet3HeadersFile = "btc/testnet3/headers_0_9999.bin"
	testnet3Expect      = "btc/testnet3/headers_0_9999_expectations.json"
)

// fixedClock is a clock far after every fixture header.
func fixedClock() time.Time { return time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC) }

func newTestChain(t testing.TB, p *Params, cfg HeaderChainConfig) *HeaderChain {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = fixedClock
	}
	c, err := NewHeaderChain(p, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// hdrAt returns a copy of the raw header at index i.
func hdrAt(raw []byte, i int) wire.BlockHeader {
	var h wire.BlockHeader
	if err := h.DecodeBlockHeader(raw[i*80:]); err != nil {
		panic(err)
	}
	return h
}

func TestVerifyMainnetHeaders(t *testing.T) {
	raw := hdrFixture(t, mainnetHeadersFile)
	c := newTestChain(t, MainNetParams(), HeaderChainConfig{})
	n, err := c.AddRawHeaders(raw)
	if err != nil {
		t.Fatalf("after %d headers: %v", n, err)
	}
	if n != 40000 || c.Tip().Height() != 39999 || c.Len() != 40000 {
		t.Fatalf("n=%d tip=%d len=%d", n, c.Tip().Height(), c.Len())
	}
	last := hdrAt(raw, 39999)
	if c.Tip().Hash() != last.BlockHash() {
		t.Fatalf("tip %s", c.Tip().Hash())
	}
	t.Logf("tip %s work %s", c.Tip().Hash(), c.Tip().ChainWork().Hex())
}

func TestVerifyTestnet3Headers(t *testing.T) {
	raw := hdrFixture(t, testnet3HeadersFile)
	c := newTestChain(t, TestNet3Params(), HeaderChainConfig{})
	n, err := c.AddRawHeaders(raw)
	if err != nil {
		t.Fatalf("after %d headers: %v", n, err)
	}
	t.Logf("tip %d %s", c.Tip().Height(), c.Tip().Hash())
}

var _ = errors.Is
var _ = big.NewInt
