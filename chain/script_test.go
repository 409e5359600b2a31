package chain

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ledgernet/ledgernet/wire"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tokens renders a script's opcodes as "op" or "op:data" in hex.
func tokens(script []byte) ([]string, error) {
	var out []string
	tk := NewScriptTokenizer(script)
	for tk.Next() {
		s := fmt.Sprintf("%02x", tk.Opcode())
		if tk.Opcode() <= OpPushData4 {
			s += ":" + hex.EncodeToString(tk.Data())
		}
		out = append(out, s)
	}
	return out, tk.Err()
}

func TestScriptTokenizer(t *testing.T) {
	tests := []struct {
		name   string
		script string
		want   []string
		err    error
	}{
		{"empty", "", nil, nil},
		{"OP_0 pushes nothing", "00", []string{"00:"}, nil},
		{"direct push", "01aa", []string{"01:aa"}, nil},
		{"direct push 75", "4b" + strings.Repeat("11", 75), []string{"4b:" + strings.Repeat("11", 75)}, nil},
		{"PUSHDATA1", "4c02aabb", []string{"4c:aabb"}, nil},
		{"PUSHDATA2", "4d0200aabb", []string{"4d:aabb"}, nil},
		{"PUSHDATA4", "4e02000000aabb", []string{"4e:aabb"}, nil},
		{"PUSHDATA1 of zero", "4c00ac", []string{"4c:", "ac"}, nil},
		{"non-push opcodes", "76a988ac", []string{"76", "a9", "88", "ac"}, nil},
		{"P2PKH", "76a914" + strings.Repeat("00", 20) + "88ac", []string{"76", "a9", "14:" + strings.Repeat("00", 20), "88", "ac"}, nil},
		{"truncated direct push", "ac02aa", []string{"ac"}, ErrScriptTruncated},
		{"PUSHDATA1 without length", "4c", nil, ErrScriptTruncated},
		{"PUSHDATA2 short length", "4d01", nil, ErrScriptTruncated},
		{"PUSHDATA4 short length", "4e010000", nil, ErrScriptTruncated},
		{"PUSHDATA4 huge claim", "4effffffff00", nil, ErrScriptTruncated},
		{"PUSHDATA2 past end", "4d0300aabb", nil, ErrScriptTruncated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tokens(unhex(t, tc.script))
			if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Fatalf("tokens %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLegacySigOpCount(t *testing.T) {
	tests := []struct {
		name   string
		script string
		want   int
	}{
		{"empty", "", 0},
		{"P2PKH", "76a914" + strings.Repeat("00", 20) + "88ac", 1},
		{"P2PK", "21" + strings.Repeat("02", 33) + "ac", 1},
		{"each sig opcode", "acadaeaf", 1 + 1 + 20 + 20},
		{"1-of-2 multisig counts 20 (legacy)", "51" + "21" + strings.Repeat("02", 33) + "21" + strings.Repeat("03", 33) + "52ae", 20},
		{"opcodes inside a push are data", "03acaeac", 0},
		{"inside PUSHDATA2", "4d0200aeae", 0},
		{"counting stops at a bad push", "ac4d0500aeac", 1},
		{"P2SH is not looked into", "a914" + strings.Repeat("00", 20) + "87", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := LegacySigOpCount(unhex(t, tc.script)); got != tc.want {
				t.Fatalf("LegacySigOpCount = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestScriptNum(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, ""},
		{1, "01"},
		{-1, "81"},
		{127, "7f"},
		{-127, "ff"},
		{128, "8000"},
		{-128, "8080"},
		{255, "ff00"},
		{256, "0001"},
		{32767, "ff7f"},
		{32768, "008000"},
		{-32768, "008080"},
		{8388607, "ffff7f"},
		{8388608, "00008000"},
		{227_931, "5b7a03"},
		{481_829, "255a07"},
		{866_342, "26380d"},
		{2147483647, "ffffff7f"},
		{-2147483648, "0000008080"},
		{-1 << 63, "000000000000008080"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) {
			if got := hex.EncodeToString(ScriptNum(tc.n)); got != tc.want {
				t.Fatalf("ScriptNum = %s, want %s", got, tc.want)
			}
		})
	}
}

// TestAppendScriptInt checks Core's CScript << int encoding, which BIP34
// coinbases start with.
func TestAppendScriptInt(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "00"},
		{-1, "4f"},
		{1, "51"},
		{16, "60"},
		{17, "0111"},
		{-2, "0182"},
		{127, "017f"},
		{128, "028000"},
		{227_931, "035b7a03"},
		{481_829, "03255a07"},
		{866_342, "0326380d"},
		{8388608, "0400008000"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) {
			if got := hex.EncodeToString(AppendScriptInt([]byte{}, tc.n)); got != tc.want {
				t.Fatalf("AppendScriptInt = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestAppendPush(t *testing.T) {
	tests := []struct {
		n      int
		prefix string
	}{
		{0, "00"},
		{1, "01"},
		{75, "4b"},
		{76, "4c4c"},
		{255, "4cff"},
		{256, "4d0001"},
		{65535, "4dffff"},
		{65536, "4e00000100"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) {
			data := bytes.Repeat([]byte{0xab}, tc.n)
			got := AppendPush(nil, data)
			p := unhex(t, tc.prefix)
			if !bytes.Equal(got[:len(p)], p) || !bytes.Equal(got[len(p):], data) {
				t.Fatalf("AppendPush prefix %x, want %s", got[:min(len(got), 5)], tc.prefix)
			}
			toks, err := tokens(got)
			if err != nil || len(toks) != 1 {
				t.Fatalf("push does not tokenize back: %v %v", toks, err)
			}
		})
	}
}

func TestHash160(t *testing.T) {
	// The compressed generator point; its HASH160 is the witness program of
	// BIP173's example address bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4.
	g := unhex(t, "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
	if got := hex.EncodeToString(sliceOf(Hash160(g))); got != "751e76e8199196d454941c45d1b3a323f1433bd6" {
		t.Fatalf("Hash160(G) = %s", got)
	}
}

func sliceOf(h [PubKeyHashSize]byte) []byte { return h[:] }

func TestPayToPubKeyHash(t *testing.T) {
	var pkh [PubKeyHashSize]byte
	copy(pkh[:], unhex(t, "751e76e8199196d454941c45d1b3a323f1433bd6"))
	script := PayToPubKeyHashScript(pkh)
	if want := "76a914751e76e8199196d454941c45d1b3a323f1433bd688ac"; hex.EncodeToString(script) != want {
		t.Fatalf("script %x, want %s", script, want)
	}
	if got, ok := ExtractPubKeyHash(script); !ok || got != pkh {
		t.Fatalf("ExtractPubKeyHash = %x, %v", got, ok)
	}
	bad := []struct {
		name   string
		script string
	}{
		{"empty", ""},
		{"P2SH", "a914751e76e8199196d454941c45d1b3a323f1433bd687"},
		{"trailing byte", "76a914751e76e8199196d454941c45d1b3a323f1433bd688ac00"},
		{"21-byte push", "76a915751e76e8199196d454941c45d1b3a323f1433bd60088ac"},
		{"non-minimal push", "76a94c14751e76e8199196d454941c45d1b3a323f1433bd688ac"},
		{"CHECKSIGVERIFY", "76a914751e76e8199196d454941c45d1b3a323f1433bd688ad"},
		{"EQUAL", "76a914751e76e8199196d454941c45d1b3a323f1433bd687ac"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok := ExtractPubKeyHash(unhex(t, tc.script)); ok {
				t.Fatal("accepted")
			}
		})
	}
}

func TestP2PKHSignatureScript(t *testing.T) {
	sig := bytes.Repeat([]byte{0x30}, 71)
	pub := bytes.Repeat([]byte{0x02}, 33)
	s := P2PKHSignatureScript(sig, pub)
	if len(s) != 1+71+1+33 {
		t.Fatalf("length %d", len(s))
	}
	gotSig, gotPub, err := ParseP2PKHSignatureScript(s)
	if err != nil || !bytes.Equal(gotSig, sig) || !bytes.Equal(gotPub, pub) {
		t.Fatalf("parse: %x %x %v", gotSig, gotPub, err)
	}
	bad := []struct {
		name   string
		script string
	}{
		{"empty", ""},
		{"one push", "0101"},
		{"three pushes", "010101020103"},
		{"empty push", "000101"},
		{"opcode", "0101ac"},
		{"truncated", "01010201"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := ParseP2PKHSignatureScript(unhex(t, tc.script)); !errors.Is(err, ErrNotP2PKHSignatureScript) {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

// TestP2PKHSpendsInBlkFile proves HASH160 and the P2PKH helpers on real
// chain data: every P2PKH output in blocks 0..14,131 rebuilds byte for byte,
// and every spend of one found in the file carries a public key whose
// HASH160 is the output's key hash.
func TestP2PKHSpendsInBlkFile(t *testing.T) {
	outputs := map[wire.OutPoint][PubKeyHashSize]byte{}
	spends := 0
	var b wire.MsgBlock
	for h, raw := range blkFileBlocks(t) {
		if err := b.Decode(raw, 0, wire.WitnessEncoding); err != nil {
			t.Fatal(err)
		}
		for _, tx := range b.Transactions {
			for _, in := range tx.TxIn {
				pkh, ok := outputs[in.PreviousOutPoint]
				if !ok {
					continue
				}
				_, pub, err := ParseP2PKHSignatureScript(in.SignatureScript)
				if err != nil {
					t.Fatalf("block %d: spend of %s: %v", h, in.PreviousOutPoint, err)
				}
				if Hash160(pub) != pkh {
					t.Fatalf("block %d: spend of %s: HASH160(%x) = %x, output pays %x", h, in.PreviousOutPoint, pub, Hash160(pub), pkh)
				}
				spends++
			}
			txid := tx.TxHash()
			for i, out := range tx.TxOut {
				if pkh, ok := ExtractPubKeyHash(out.PkScript); ok {
					if !bytes.Equal(PayToPubKeyHashScript(pkh), out.PkScript) {
						t.Fatalf("block %d: rebuilt %x", h, out.PkScript)
					}
					outputs[wire.OutPoint{Hash: txid, Index: uint32(i)}] = pkh
				}
			}
		}
	}
	if len(outputs) == 0 || spends == 0 {
		t.Fatalf("found %d P2PKH outputs and %d spends: the proof proved nothing", len(outputs), spends)
	}
	t.Logf("%d P2PKH outputs, %d spends verified", len(outputs), spends)
}

// FuzzScriptTokenizer checks that the tokenizer never panics, always ends,
// and that its pushes lie inside the script.
func FuzzScriptTokenizer(f *testing.F) {
	for _, s := range []string{"", "76a914000000000000000000000000000000000000000088ac", "4c", "4d0200aabb", "4effffffff", "acadaeaf"} {
		b, _ := hex.DecodeString(s)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, script []byte) {
		tk := NewScriptTokenizer(script)
		steps := 0
		for tk.Next() {
			steps++
			if steps > len(script) || tk.Offset() > len(script) || len(tk.Data()) > len(script) {
				t.Fatalf("walk escaped the script: step %d offset %d", steps, tk.Offset())
			}
		}
		if tk.Err() == nil && tk.Offset() != len(script) {
			t.Fatalf("clean end at offset %d of %d", tk.Offset(), len(script))
		}
		_ = LegacySigOpCount(script)
		_, _, _ = ParseP2PKHSignatureScript(script)
		_, _ = ExtractPubKeyHash(script)
	})
}
