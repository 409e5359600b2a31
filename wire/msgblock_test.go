package wire

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/ledgernet/ledgernet/internal/fixtures"
)

// genesisBlock returns the mainnet genesis block from the blk-file fixture.
func genesisBlock(t testing.TB) []byte {
	t.Helper()
	raw := fixtures.Read(t, "btc/mainnet/blocks_0_14131.blk")
	n := binary.LittleEndian.Uint32(raw[4:8])
	return raw[8 : 8+n]
}

func TestMsgBlock(t *testing.T) {
	raw := genesisBlock(t)
	var b MsgBlock
	if err := b.Decode(raw, ProtocolVersion, WitnessEncoding); err != nil {
		t.Fatal(err)
	}
	if got := b.BlockHash().String(); got != "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f" {
		t.Fatalf("genesis hash %s", got)
	}
	if len(b.Transactions) != 1 || b.Transactions[0].TxHash() != b.Header.MerkleRoot {
		t.Fatal("genesis coinbase txid is not the merkle root")
	}
	for _, enc := range []Encoding{BaseEncoding, WitnessEncoding} {
		roundTrip(t, &b, ProtocolVersion, enc, raw)
		checkTruncations(t, CmdBlock, raw, ProtocolVersion, enc, nil, false)
	}
	hdr := hexOf(raw[:BlockHeaderSize])
	checkBad(t, CmdBlock, WitnessEncoding, []badCase{
		{"empty", ProtocolVersion, nil, ErrShortPayload},
		{"short header", ProtocolVersion, raw[:79], ErrShortPayload},
		{"no tx count", ProtocolVersion, raw[:80], ErrShortPayload},
		{"tx count past the end", ProtocolVersion, mustHex(t, hdr+"02"+genesisCoinbase), ErrShortPayload},
		{"tx count too large", ProtocolVersion, mustHex(t, hdr+"feffffffff"), ErrTooMany},
		{"non-canonical tx count", ProtocolVersion, mustHex(t, hdr+"fd0100"+genesisCoinbase), ErrNonCanonicalVarInt},
		{"bad transaction", ProtocolVersion, mustHex(t, hdr+"01"+"01000000"+"0002"), ErrShortPayload},
		{"trailing", ProtocolVersion, append(bytes.Clone(raw), 0), ErrTrailingBytes},
	})
}

// TestBlockEnvelope sends the large segwit blocks through the envelope, one
// byte per Read, so the payload buffer grows as the bytes arrive.
func TestBlockEnvelope(t *testing.T) {
	for _, name := range []string{"btc/mainnet/block_481829.bin", "btc/mainnet/block_866342.bin"} {
		raw := fixtures.Read(t, name)
		var b MsgBlock
		if err := b.Decode(raw, ProtocolVersion, WitnessEncoding); err != nil {
			t.Fatal(err)
		}
		var stream bytes.Buffer
		if _, err := WriteMessage(&stream, &b, ProtocolVersion, MainNet, WitnessEncoding); err != nil {
			t.Fatal(err)
		}
		if stream.Len() != MessageHeaderSize+len(raw) {
			t.Fatalf("envelope %d bytes", stream.Len())
		}
		msg, payload, err := ReadMessage(&chunkReader{r: &stream, n: 4093}, ProtocolVersion, MainNet, WitnessEncoding)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(payload, raw) || msg.(*MsgBlock).BlockHash() != b.BlockHash() || len(msg.(*MsgBlock).Transactions) != len(b.Transactions) {
			t.Fatal("block changed through the envelope")
		}
	}
}

// TestBlockSlabIsolation: a decoded block's transactions share backing
// arrays, but appending to one never changes another.
func TestBlockSlabIsolation(t *testing.T) {
	raw := fixtures.Read(t, "btc/mainnet/block_866342.bin")
	var b MsgBlock
	if err := b.Decode(raw, ProtocolVersion, WitnessEncoding); err != nil {
		t.Fatal(err)
	}
	// Two consecutive segwit transactions: their inputs, outputs and
	// witness stacks sit next to each other in the slabs.
	i := 1
	for ; i+1 < len(b.Transactions); i++ {
		if b.Transactions[i].HasWitness() && b.Transactions[i+1].HasWitness() {
			break
		}
	}
	next := b.Transactions[i+1]
	if !next.HasWitness() {
		t.Fatal("fixture has no two consecutive segwit transactions")
	}
	want, wantW := next.TxHash(), next.WitnessHash()
	tx := b.Transactions[i]
	tx.TxIn = append(tx.TxIn, &TxIn{Sequence: 7})
	tx.TxOut = append(tx.TxOut, &TxOut{Value: 7})
	for _, in := range tx.TxIn {
		in.Witness = append(in.Witness, []byte{7})
	}
	if next.TxHash() != want || next.WitnessHash() != wantW {
		t.Fatalf("appending to transaction %d changed transaction %d", i, i+1)
	}
}
