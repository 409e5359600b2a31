package enode

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

const exampleFile = "../../../shared/fixtures/eth/enr_eip778.json"

type exampleRecord struct {
	Text       string `json:"enr_text"`
	PrivateKey string `json:"private_key"`
	NodeID     string `json:"node_id"`
	Seq        uint64 `json:"seq"`
}

// loadExample reads the EIP-778 example. A missing file fails the test.
func loadExample(tb testing.TB) exampleRecord {
	tb.Helper()
	data, err := os.ReadFile(exampleFile)
	if err != nil {
		tb.Fatalf("EIP-778 fixture missing: %v", err)
	}
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
