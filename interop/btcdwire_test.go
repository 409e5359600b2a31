package interop

// Differential tests and benchmarks against btcd's wire package: every
// message ledgernet encodes must decode in btcd and re-encode to the same
// bytes, and the reverse. btcd v0.25.0 is the last release whose main module
// still contains package wire (v0.26 moved it to a /v2 module).

import (
	"bytes"
	"encoding/binary"

	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	btcwire "github.com/btcsuite/btcd/wire"
	"github.com/ledgernet/ledgernet/internal/fixtures"
	"github.com/ledgernet/ledgernet/wire"
)

const pver = wire.ProtocolVersion

func randHash(r *rand.Rand) (h wire.Hash) {
	for i := range h {
		h[i] = byte(r.Uint32())
	}
	return h
}

func randAddr(r *rand.Rand, withTime bool) wire.NetAddress {
	var ip netip.Addr
	if r.IntN(2) == 0 {
		ip = netip.AddrFrom4([4]byte{byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())})
	} else {
		var b [16]byte
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		b[0] = 0x20 // global unicast, never IPv4-mapped
		ip = netip.AddrFrom16(b)
	}
	a := wire.NetAddress{Services: wire.ServiceFlag(r.Uint64() & 0xfff), IP: ip, Port: uint16(r.Uint32())}
	if withTime {
		a.Timestamp = r.Uint32()
	}
	return a
}

// crossCheckWTxIDRelay compares wtxidrelay (BIP339), which btcd v0.25's
// envelope reader does not know ("received unknown message"): the payload
// through btcd's own BtcEncode/BtcDecode, and the envelope against one
// btcd's helpers build from that payload.
func crossCheckWTxIDRelay(t *testing.T) {
	t.Helper()
	ours, err := wire.AppendMessage(nil, &wire.MsgWTxIDRelay{}, pver, wire.MainNet, wire.WitnessEncoding)
	if err != nil {
		t.Fatal(err)
	}
	var payload bytes.Buffer
	if err := btcwire.NewMsgWTxIdRelay().BtcEncode(&payload, pver, btcwire.WitnessEncoding); err != nil {
		t.Fatalf("btcd wtxidrelay: %v", err)
	}
	if err := new(btcwire.MsgWTxIdRelay).BtcDecode(bytes.NewReader(ours[24:]), pver, btcwire.WitnessEncoding); err != nil {
		t.Fatalf("btcd cannot decode ledgernet's wtxidrelay payload: %v", err)
	}
	want := binary.LittleEndian.AppendUint32(nil, uint32(btcwire.MainNet))
	cmd := make([]byte, 12)
	copy(cmd, btcwire.CmdWTxIdRelay)
	want = append(want, cmd...)
	want = binary.LittleEndian.AppendUint32(want, uint32(payload.Len()))
	sum := chainhash.DoubleHashB(payload.Bytes())
	want = append(append(want, sum[:4]...), payload.Bytes()...)
	if !bytes.Equal(ours, want) {
		t.Fatalf("wtxidrelay: ledgernet %x, btcd's parts %x", ours, want)
	}
}

// addrV2s returns up to 300 random BIP155 entries on the networks btcd
// v0.25 knows (IPv4, IPv6, Tor v3), with services up to 2^63 to exercise
// the compact-size encoding.
func addrV2s(r *rand.Rand) []wire.NetAddressV2 {
	nets := []struct {
		id  wire.NetworkID
		len int
	}{{wire.NetIPv4, 4}, {wire.NetIPv6, 16}, {wire.NetTorV3, 32}}
	out := make([]wire.NetAddressV2, r.IntN(300))
	for i := range out {
		n := nets[r.IntN(len(nets))]
		addr := make([]byte, n.len)
		for j := range addr {
			addr[j] = byte(r.Uint32())
		}
		if n.id == wire.NetIPv6 {
			addr[0] = 0x20 // global unicast: not mistaken for an embedded IPv4 or Tor v2 range
		}
		out[i] = wire.NetAddressV2{Timestamp: r.Uint32(), Services: wire.ServiceFlag(r.Uint64() >> r.IntN(64)),
			Network: n.id, Addr: addr, Port: uint16(r.Uint32())}
	}
	return out
}

// randomMessages builds n messages of each command that both implementations
// know, with random contents.
func randomMessages(r *rand.Rand, n int) []wire.Message {
	var out []wire.Message
	for range n {
		hashes := func(max int) []wire.Hash {
			hs := make([]wire.Hash, r.IntN(max+1))
			for i := range hs {
				hs[i] = randHash(r)
			}
			return hs
		}
		invs := func() []wire.InvVect {
			types := []wire.InvType{wire.InvTypeTx, wire.InvTypeBlock, wire.InvTypeWitnessTx, wire.InvTypeWitnessBlock, wire.InvTypeFilteredBlock}
			iv := make([]wire.InvVect, r.IntN(300))
			for i := range iv {
				iv[i] = wire.InvVect{Type: types[r.IntN(len(types))], Hash: randHash(r)}
			}
			return iv
		}
		hdrs := make([]wire.BlockHeader, r.IntN(50))
		for i := range hdrs {
			hdrs[i] = wire.BlockHeader{Version: int32(r.Uint32()), PrevBlock: randHash(r), MerkleRoot: randHash(r),
				Timestamp: r.Uint32(), Bits: r.Uint32(), Nonce: r.Uint32()}
		}
		addrs := make([]wire.NetAddress, r.IntN(40))
		for i := range addrs {
			addrs[i] = randAddr(r, true)
		}
		ua := make([]byte, r.IntN(60))
		for i := range ua {
			ua[i] = byte('a' + r.IntN(26))
		}
		out = append(out,
			&wire.MsgVersion{ProtocolVersion: int32(pver), Services: wire.ServiceFlag(r.Uint64() & 0xfff), Timestamp: int64(r.Uint32()),
				AddrRecv: randAddr(r, false), AddrFrom: randAddr(r, false), Nonce: r.Uint64(),
				UserAgent: "/" + string(ua) + "/", StartHeight: int32(r.Uint32() >> 1), Relay: r.IntN(2) == 0},
			&wire.MsgVerAck{},
			&wire.MsgPing{Nonce: r.Uint64()},
			&wire.MsgPong{Nonce: r.Uint64()},
			&wire.MsgGetHeaders{ProtocolVersion: pver, BlockLocatorHashes: hashes(101), HashStop: randHash(r)},
			&wire.MsgGetBlocks{ProtocolVersion: pver, BlockLocatorHashes: hashes(101), HashStop: randHash(r)},
			&wire.MsgHeaders{Headers: hdrs},
			&wire.MsgInv{InvList: invs()},
			&wire.MsgGetData{InvList: invs()},
			&wire.MsgNotFound{InvList: invs()},
			&wire.MsgAddr{AddrList: addrs},
			&wire.MsgGetAddr{},
			&wire.MsgMemPool{},
			&wire.MsgSendHeaders{},
			&wire.MsgFeeFilter{MinFee: int64(r.Uint64() >> 1)},
			&wire.MsgSendAddrV2{},
			&wire.MsgAddrV2{AddrList: addrV2s(r)},
			&wire.MsgWTxIDRelay{},
		)
	}
	return out
}

// crossCheck encodes m with ledgernet, decodes and re-encodes it with btcd,
// and decodes btcd's bytes with ledgernet again: all three must be equal.
func crossCheck(t *testing.T, m wire.Message, net wire.BitcoinNet) {
	t.Helper()
	ours, err := wire.AppendMessage(nil, m, pver, net, wire.WitnessEncoding)
	if err != nil {
		t.Fatalf("%s: ledgernet encode: %v", m.Command(), err)
	}
	_, bm, _, err := btcwire.ReadMessageWithEncodingN(bytes.NewReader(ours), pver, btcwire.BitcoinNet(net), btcwire.WitnessEncoding)
	if err != nil {
		t.Fatalf("%s: btcd cannot read ledgernet's bytes: %v", m.Command(), err)
	}
	var theirs bytes.Buffer
	if _, err := btcwire.WriteMessageWithEncodingN(&theirs, bm, pver, btcwire.BitcoinNet(net), btcwire.WitnessEncoding); err != nil {
		t.Fatalf("%s: btcd encode: %v", m.Command(), err)
	}
	if !bytes.Equal(ours, theirs.Bytes()) {
		t.Fatalf("%s: bytes differ\nledgernet %x\nbtcd      %x", m.Command(), ours, theirs.Bytes())
	}
	back, _, err := wire.ReadMessage(bytes.NewReader(theirs.Bytes()), pver, net, wire.WitnessEncoding)
	if err != nil {
		t.Fatalf("%s: ledgernet cannot read btcd's bytes: %v", m.Command(), err)
	}
	again, _ := wire.AppendMessage(nil, back, pver, net, wire.WitnessEncoding)
	if !bytes.Equal(again, ours) {
		t.Fatalf("%s: ledgernet round trip of btcd's bytes differs", m.Command())
	}
}

func TestBtcdWireRandomMessages(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	msgs := randomMessages(r, 25)
	seen := map[string]int{}
	for _, m := range msgs {
		if _, ok := m.(*wire.MsgWTxIDRelay); ok {
			crossCheckWTxIDRelay(t)
		} else {
			crossCheck(t, m, wire.MainNet)
		}
		seen[m.Command()]++
	}
	if len(seen) != 18 {
		t.Fatalf("checked %d commands, want 18: %v", len(seen), seen)
	}
}

func TestBtcdWireMainnetHeaders(t *testing.T) {
	raw := fixtures.Read(t, "btc/mainnet/headers_0_39999.bin")
	for start := 0; start < len(raw)/80; start += 2000 {
		m := &wire.MsgHeaders{Headers: make([]wire.BlockHeader, 2000)}
		for i := range m.Headers {
			off := (start + i) * 80
			if err := m.Headers[i].DecodeBlockHeader(raw[off : off+80]); err != nil {
				t.Fatal(err)
			}
		}
		crossCheck(t, m, wire.MainNet)
	}
}

// blkBlocks returns the raw blocks of the blk-file fixture.
func blkBlocks(tb testing.TB) [][]byte {
	raw := fixtures.Read(tb, "btc/mainnet/blocks_0_14131.blk")
	var out [][]byte
	for len(raw) >= 8 {
		n := binary.LittleEndian.Uint32(raw[4:])
		out = append(out, raw[8:8+n])
		raw = raw[8+n:]
	}
	return out
}

func TestBtcdWireBlocks(t *testing.T) {
	blocks := blkBlocks(t)
	if len(blocks) != 14132 {
		t.Fatalf("blk fixture has %d blocks, want 14132", len(blocks))
	}
	blocks = append(blocks, fixtures.Read(t, "btc/mainnet/block_481829.bin"), fixtures.Read(t, "btc/mainnet/block_866342.bin"))
	for i, raw := range blocks {
		var ours wire.MsgBlock
		if err := ours.Decode(raw, pver, wire.WitnessEncoding); err != nil {
			t.Fatalf("block %d: ledgernet: %v", i, err)
		}
		var theirs btcwire.MsgBlock
		if err := theirs.Deserialize(bytes.NewReader(raw)); err != nil {
			t.Fatalf("block %d: btcd: %v", i, err)
		}
		if ours.BlockHash().String() != theirs.BlockHash().String() {
			t.Fatalf("block %d: hash %s vs btcd %s", i, ours.BlockHash(), theirs.BlockHash())
		}
		if len(ours.Transactions) != len(theirs.Transactions) {
			t.Fatalf("block %d: %d txs vs btcd %d", i, len(ours.Transactions), len(theirs.Transactions))
		}
		// Every block: every txid and wtxid, and the whole block message
		// byte for byte both ways.
		for j, tx := range ours.Transactions {
			if a, b := tx.TxHash().String(), theirs.Transactions[j].TxHash().String(); a != b {
				t.Fatalf("block %d tx %d: txid %s vs btcd %s", i, j, a, b)
			}
			if a, b := tx.WitnessHash().String(), theirs.Transactions[j].WitnessHash().String(); a != b {
				t.Fatalf("block %d tx %d: wtxid %s vs btcd %s", i, j, a, b)
			}
		}
		crossCheck(t, &ours, wire.MainNet)
	}
}

// TestBtcdWireRejects checks that inputs btcd refuses ledgernet refuses too,
// for the limits both enforce.
func TestBtcdWireRejects(t *testing.T) {
	cases := []struct {
		name string
		msg  func() []byte
	}{
		{"headers with tx count", func() []byte {
			p := wire.AppendVarInt(nil, 1)
			p = append(p, make([]byte, 80)...)
			return append(p, 1)
		}},
		{"inv count over 50000", func() []byte { return wire.AppendVarInt(nil, 50001) }},
		{"addr count over 1000", func() []byte { return wire.AppendVarInt(nil, 1001) }},
	}
	cmds := map[string]string{"headers with tx count": "headers", "inv count over 50000": "inv", "addr count over 1000": "addr"}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			payload := c.msg()
			cmd := cmds[c.name]
			if _, err := wire.DecodePayload(cmd, payload, pver, wire.WitnessEncoding); err == nil {
				t.Fatal("ledgernet accepted it")
			}
			bm := map[string]btcwire.Message{
				"headers": &btcwire.MsgHeaders{}, "inv": &btcwire.MsgInv{}, "addr": &btcwire.MsgAddr{},
			}[cmd]
			if err := bm.BtcDecode(bytes.NewReader(payload), pver, btcwire.WitnessEncoding); err == nil {
				t.Fatal("btcd accepted it; the case is not a shared limit")
			}
		})
	}
}

func headersPayload(tb testing.TB) []byte {
	raw := fixtures.Read(tb, "btc/mainnet/headers_0_39999.bin")
	p := wire.AppendVarInt(nil, 2000)
	for i := range 2000 {
		p = append(p, raw[i*80:(i+1)*80]...)
		p = append(p, 0)
	}
	return p
}

func BenchmarkDecodeHeaders2000(b *testing.B) {
	p := headersPayload(b)
	b.Run("impl=ledgernet", func(b *testing.B) {
		b.SetBytes(int64(len(p)))
		b.ReportAllocs()
		for b.Loop() {
			var m wire.MsgHeaders
			if err := m.Decode(p, pver, wire.WitnessEncoding); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)*2000/b.Elapsed().Seconds(), "headers/s")
	})
	b.Run("impl=btcd", func(b *testing.B) {
		b.SetBytes(int64(len(p)))
		b.ReportAllocs()
		for b.Loop() {
			var m btcwire.MsgHeaders
			if err := m.BtcDecode(bytes.NewReader(p), pver, btcwire.WitnessEncoding); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)*2000/b.Elapsed().Seconds(), "headers/s")
	})
}

// BenchmarkHeadersDecodeHashLink is decode plus the block hash of each header
// plus the previous-hash link check: the per-header work of headers-first
// sync before the consensus rules.
func BenchmarkHeadersDecodeHashLink(b *testing.B) {
	p := headersPayload(b)
	b.Run("impl=ledgernet", func(b *testing.B) {
		b.SetBytes(int64(len(p)))
		for b.Loop() {
			var m wire.MsgHeaders
			if err := m.Decode(p, pver, wire.WitnessEncoding); err != nil {
				b.Fatal(err)
			}
			prev := m.Headers[0].PrevBlock
			for i := range m.Headers {
				if m.Headers[i].PrevBlock != prev {
					b.Fatal("link")
				}
				prev = m.Headers[i].BlockHash()
			}
		}
		b.ReportMetric(float64(b.N)*2000/b.Elapsed().Seconds(), "headers/s")
	})
	b.Run("impl=btcd", func(b *testing.B) {
		b.SetBytes(int64(len(p)))
		for b.Loop() {
			var m btcwire.MsgHeaders
			if err := m.BtcDecode(bytes.NewReader(p), pver, btcwire.WitnessEncoding); err != nil {
				b.Fatal(err)
			}
			prev := m.Headers[0].PrevBlock
			for _, h := range m.Headers {
				if h.PrevBlock != prev {
					b.Fatal("link")
				}
				prev = h.BlockHash()
			}
		}
		b.ReportMetric(float64(b.N)*2000/b.Elapsed().Seconds(), "headers/s")
	})
}

func BenchmarkDecodeBlock866342(b *testing.B) {
	raw := fixtures.Read(b, "btc/mainnet/block_866342.bin")
	b.Run("impl=ledgernet", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			var m wire.MsgBlock
			if err := m.Decode(raw, pver, wire.WitnessEncoding); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=btcd", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			var m btcwire.MsgBlock
			if err := m.Deserialize(bytes.NewReader(raw)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkEncodeBlock866342(b *testing.B) {
	raw := fixtures.Read(b, "btc/mainnet/block_866342.bin")
	var ours wire.MsgBlock
	if err := ours.Decode(raw, pver, wire.WitnessEncoding); err != nil {
		b.Fatal(err)
	}
	var theirs btcwire.MsgBlock
	if err := theirs.Deserialize(bytes.NewReader(raw)); err != nil {
		b.Fatal(err)
	}
	b.Run("impl=ledgernet", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		buf := make([]byte, 0, len(raw))
		for b.Loop() {
			buf = ours.Append(buf[:0], wire.WitnessEncoding)
		}
	})
	b.Run("impl=btcd", func(b *testing.B) {
		b.SetBytes(int64(len(raw)))
		var buf bytes.Buffer
		buf.Grow(len(raw))
		for b.Loop() {
			buf.Reset()
			if err := theirs.Serialize(&buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}
