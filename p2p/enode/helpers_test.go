package enode

import (
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ledgernet/ledgernet/internal/fixtures"
)

const exampleFile = "eth/enr_eip778.json" // under testdata/

type exampleRecord struct {
	Text       string `json:"enr_text"`
	PrivateKey string `json:"private_key"`
	NodeID     string `json:"node_id"`
	Seq        uint64 `json:"seq"`
}

// loadExample reads the EIP-778 example. A missing file fails the test.
func loadExample(tb testing.TB) exampleRecord {
	tb.Helper()
	data := fixtures.Read(tb, exampleFile)
	var ex exampleRecord
	if err := json.Unmarshal(data, &ex); err != nil {
		tb.Fatalf("parse %s: %v", exampleFile, err)
	}
	return ex
}

func exampleKey(tb testing.TB) *secp256k1.PrivateKey {
	tb.Helper()
	b, err := hex.DecodeString(loadExample(tb).PrivateKey)
	if err != nil {
		tb.Fatal(err)
	}
	key, err := PrivateKeyFromBytes(b)
	if err != nil {
		tb.Fatal(err)
	}
	return key
}
