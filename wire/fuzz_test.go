package wire

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// fuzzCommands are the commands FuzzDecode selects by its first byte.
var fuzzCommands = []string{
	CmdVersion, CmdVerAck, CmdPing, CmdPong, CmdGetHeaders, CmdGetBlocks, CmdHeaders,
	CmdInv, CmdGetData, CmdNotFound, CmdBlock, CmdTx, CmdAddr, CmdAddrV2, CmdSendAddrV2,
	CmdGetAddr, CmdMemPool, CmdSendHeaders, CmdFeeFilter, CmdSendCmpct, CmdWTxIDRelay,
}

// fuzzPvers are the protocol versions FuzzDecode selects by its second
// byte: each side of every gate.
var fuzzPvers = []uint32{
	0, MultipleAddressVersion - 1, MultipleAddressVersion, NetAddressTimeVersion - 1, NetAddressTimeVersion,
	BIP0031Version, BIP0031Version + 1, BIP0037Version, ProtocolVersion,
}

// canonical reports whether a command's encoding is unique, so that a
// successful decode must re-encode to the very same bytes. version is not
// (optional trailing fields, any non-zero relay byte), nor is sendcmpct (any
// non-zero announce byte).
func canonical(cmd string) bool { return cmd != CmdVersion && cmd != CmdSendCmpct }

// checkReencode is the property both fuzz targets share: a decoded message
// encodes without error, and the encoding decodes and encodes again to the
// same bytes. For canonical commands the encoding is the input itself and
// the second decode gives the same message.
func checkReencode(t *testing.T, msg Message, payload []byte, pver uint32, enc Encoding) {
	t.Helper()
	out, err := msg.Encode(nil, pver, enc)
	if err != nil {
		t.Fatalf("%s: decoded but does not encode: %v", msg.Command(), err)
	}
	if canonical(msg.Command()) && !bytes.Equal(out, payload) {
		t.Fatalf("%s pver %d: re-encoding differs\n in %x\nout %x", msg.Command(), pver, payload, out)
	}
	again := MakeEmptyMessage(msg.Command())
	if err := again.Decode(out, pver, enc); err != nil {
		t.Fatalf("%s: re-encoding does not decode: %v", msg.Command(), err)
	}
	out2, err := again.Encode(nil, pver, enc)
	if err != nil || !bytes.Equal(out2, out) {
		t.Fatalf("%s: encoding is not stable: %v", msg.Command(), err)
	}
	if canonical(msg.Command()) && !sameMessage(again, msg) {
		t.Fatalf("%s: decode(encode(m)) != m", msg.Command())
	}
}

// fuzzSeedMessages are valid messages of every command, for seeds.
func fuzzSeedMessages(t testing.TB) []Message {
	tx := &MsgTx{}
	if err := tx.Decode(mustHex(t, segwitCoinbase), 0, WitnessEncoding); err != nil {
		t.Fatal(err)
	}
	block := &MsgBlock{}
	if err := block.Decode(genesisBlock(t), 0, WitnessEncoding); err != nil {
		t.Fatal(err)
	}
	hdrs := &MsgHeaders{}
	if err := hdrs.Decode(headersPayload(mainnetHeaders(t, 3)), 0, 0); err != nil {
		t.Fatal(err)
	}
	return []Message{
		testVersion(true), &MsgVerAck{}, &MsgPing{Nonce: 7}, &MsgPong{Nonce: 7},
		&MsgGetHeaders{ProtocolVersion: ProtocolVersion, BlockLocatorHashes: []Hash{{1}, {2}}},
		&MsgGetBlocks{ProtocolVersion: ProtocolVersion, BlockLocatorHashes: []Hash{{1}}}, hdrs,
		&MsgInv{InvList: []InvVect{{InvTypeWitnessTx, Hash{1}}, {InvTypeBlock, Hash{2}}}},
		&MsgGetData{InvList: []InvVect{{InvTypeWTx, Hash{3}}}}, &MsgNotFound{InvList: []InvVect{{InvTypeTx, Hash{4}}}},
		block, tx,
		&MsgAddr{AddrList: []NetAddress{{Timestamp: 1, Services: SFNodeNetwork, Port: 8333}}},
		&MsgAddrV2{AddrList: []NetAddressV2{{1, SFNodeNetwork, NetIPv4, []byte{1, 2, 3, 4}, 8333}, {2, 0, NetTorV3, make([]byte, 32), 9}, {3, 0, 77, []byte{1}, 1}}},
		&MsgSendAddrV2{}, &MsgGetAddr{}, &MsgMemPool{}, &MsgSendHeaders{}, &MsgFeeFilter{MinFee: 1000},
		&MsgSendCmpct{Announce: true, Version: 2}, &MsgWTxIDRelay{},
	}
}

func FuzzReadMessage(f *testing.F) {
	for _, v := range loadWireVectors(f) {
		if v.Kind == "envelope" {
			f.Add(mustHex(f, v.FullMessageHex))
		} else {
			f.Add(envelopeBytes(MainNet, v.Command, mustHex(f, v.PayloadHex)))
		}
	}
	for _, m := range fuzzSeedMessages(f) {
		b, err := AppendMessage(nil, m, ProtocolVersion, MainNet, WitnessEncoding)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(envelopeBytes(MainNet, "sendtxrcncl", []byte{1, 2, 3}))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		msg, payload, err := ReadMessage(r, ProtocolVersion, MainNet, WitnessEncoding)
		if err != nil {
			var me *MessageError
			if !errors.As(err, &me) && err != io.EOF && err != io.ErrUnexpectedEOF {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			return
		}
		used := len(data) - r.Len()
		if used != MessageHeaderSize+len(payload) {
			t.Fatalf("consumed %d bytes for a %d-byte payload", used, len(payload))
		}
		checkReencode(t, msg, payload, ProtocolVersion, WitnessEncoding)
		if canonical(msg.Command()) {
			env, err := AppendMessage(nil, msg, ProtocolVersion, MainNet, WitnessEncoding)
			if err != nil || !bytes.Equal(env, data[:used]) {
				t.Fatalf("envelope re-encoding differs: %v", err)
			}
		}
		// DescribeEnvelope sees the same message and must not fail.
		info, err := DescribeEnvelope(data[:used])
		if err != nil || !info.ChecksumOK || info.Error != "" {
			t.Fatalf("DescribeEnvelope: %+v %v", info, err)
		}
	})
}

// FuzzDecode feeds every decoder: data[0] picks the command, data[1] the
// protocol version and the witness encoding, the rest is the payload.
func FuzzDecode(f *testing.F) {
	for _, v := range loadWireVectors(f) {
		for i, c := range fuzzCommands {
			if c == v.Command {
				f.Add(append([]byte{byte(i), byte(len(fuzzPvers) - 1)}, mustHex(f, v.PayloadHex)...))
			}
		}
	}
	for _, m := range fuzzSeedMessages(f) {
		for pi, pver := range fuzzPvers {
			for _, enc := range []Encoding{BaseEncoding, WitnessEncoding} {
				b, err := m.Encode(nil, pver, enc)
				if err != nil {
					continue
				}
				for i, c := range fuzzCommands {
					if c == m.Command() {
						f.Add(append([]byte{byte(i), byte(pi) | byte(enc)<<7}, b...))
					}
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		cmd := fuzzCommands[int(data[0])%len(fuzzCommands)]
		pver := fuzzPvers[int(data[1]&0x7f)%len(fuzzPvers)]
		enc := Encoding(data[1] >> 7)
		payload := data[2:]
		msg, err := DecodePayload(cmd, payload, pver, enc)
		if err != nil {
			if msg != nil {
				t.Fatal("message returned with an error")
			}
			return
		}
		checkReencode(t, msg, payload, pver, enc)
	})
}
