package wire

import (
	"bytes"
	"encoding/binary"
	"path/filepath"
	"testing"

	"github.com/ledgernet/ledgernet/internal/fixtures"
)

func TestBigBlocksRoundTrip(t *testing.T) {
	for _, name := range []string{"btc/mainnet/block_481829.bin", "btc/mainnet/block_866342.bin"} {
		t.Run(filepath.Base(name), func(t *testing.T) {
			raw := fixtures.Read(t, name)
			var b MsgBlock
			if err := b.Decode(raw, 0, WitnessEncoding); err != nil {
				t.Fatal(err)
			}
			if got := b.Append(nil, WitnessEncoding); !bytes.Equal(got, raw) {
				t.Fatalf("re-serialization differs (%d vs %d bytes)", len(got), len(raw))
			}
			if got := b.SerializeSize(WitnessEncoding); got != len(raw) {
				t.Fatalf("SerializeSize = %d, want %d", got, len(raw))
			}
			ids, err := TxHashes(raw, WitnessEncoding)
			if err != nil {
				t.Fatal(err)
			}
			for i, tx := range b.Transactions {
				if ids[i] != tx.TxHash() {
					t.Fatalf("tx %d: fast txid %s != %s", i, ids[i], tx.TxHash())
				}
			}
		})
	}
}

func TestBlkFileRoundTrip(t *testing.T) {
	raw := fixtures.Read(t, "btc/mainnet/blocks_0_14131.blk")
	n := 0
	for len(raw) > 0 {
		if len(raw) < 8 || binary.LittleEndian.Uint32(raw) != 0xd9b4bef9 {
			t.Fatalf("block %d: bad blk framing", n)
		}
		size := binary.LittleEndian.Uint32(raw[4:])
		blk := raw[8 : 8+size]
		raw = raw[8+size:]
		var b MsgBlock
		if err := b.Decode(blk, 0, WitnessEncoding); err != nil {
			t.Fatalf("block %d: %v", n, err)
		}
		if !bytes.Equal(b.Append(nil, WitnessEncoding), blk) {
			t.Fatalf("block %d: re-serialization differs", n)
		}
		n++
	}
	if n != 14132 {
		t.Fatalf("read %d blocks, want 14132", n)
	}
	t.Logf("%d blocks round-trip", n)
}
