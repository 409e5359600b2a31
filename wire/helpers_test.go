package wire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex in test: %v", err)
	}
	return b
}

func encode(t testing.TB, msg Message, pver uint32, enc Encoding) []byte {
	t.Helper()
	b, err := msg.Encode(nil, pver, enc)
	if err != nil {
		t.Fatalf("%s: encode: %v", msg.Command(), err)
	}
	return b
}

// equalish is reflect.DeepEqual, except that a nil slice equals an empty one.
func equalish(a, b reflect.Value) bool {
	if a.Type() != b.Type() {
		return false
	}
	if a.Type().Comparable() && a.Kind() != reflect.Pointer && a.Kind() != reflect.Interface {
		if !a.CanInterface() {
			panic("equalish: unexported comparable field " + a.Type().String())
		}
		return a.Interface() == b.Interface()
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return equalish(a.Elem(), b.Elem())
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !equalish(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := range a.NumField() {
			if !equalish(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return equalish(a.Elem(), b.Elem())
	}
	if !a.CanInterface() {
		panic("equalish: unexported field " + a.Type().String())
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

func sameMessage(a, b Message) bool { return equalish(reflect.ValueOf(a), reflect.ValueOf(b)) }

// roundTrip checks that msg encodes to want at pver and that want decodes
// back to msg and re-encodes to the same bytes.
func roundTrip(t *testing.T, msg Message, pver uint32, enc Encoding, want []byte) {
	t.Helper()
	got := encode(t, msg, pver, enc)
	if !bytes.Equal(got, want) {
		t.Fatalf("%s pver %d: encode\n got %x\nwant %x", msg.Command(), pver, got, want)
	}
	dec, err := DecodePayload(msg.Command(), want, pver, enc)
	if err != nil {
		t.Fatalf("%s pver %d: decode: %v", msg.Command(), pver, err)
	}
	if !sameMessage(dec, msg) {
		t.Fatalf("%s pver %d: decoded\n got %+v\nwant %+v", msg.Command(), pver, dec, msg)
	}
	if again := encode(t, dec, pver, enc); !bytes.Equal(again, want) {
		t.Fatalf("%s pver %d: re-encode differs", msg.Command(), pver)
	}
	if uint64(len(want)) > uint64(msg.MaxPayloadLength(pver)) {
		t.Fatalf("%s pver %d: %d bytes exceed MaxPayloadLength %d", msg.Command(), pver, len(want), msg.MaxPayloadLength(pver))
	}
}

// badCase is a payload a decoder must refuse with err.
type badCase struct {
	name    string
	pver    uint32
	payload []byte
	err     error
}

func checkBad(t *testing.T, cmd string, enc Encoding, cases []badCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msg := MakeEmptyMessage(cmd)
			err := msg.Decode(c.payload, c.pver, enc)
			if !errors.Is(err, c.err) {
				t.Fatalf("Decode(%x) = %v, want %v", c.payload, err, c.err)
			}
			// The same bytes inside an envelope fail the same way.
			var env bytes.Buffer
			env.Write(envelopeBytes(MainNet, cmd, c.payload))
			_, _, err = ReadMessage(&env, c.pver, MainNet, enc)
			if !errors.Is(err, c.err) && !errors.Is(err, ErrPayloadTooLong) {
				t.Fatalf("ReadMessage = %v, want %v", err, c.err)
			}
		})
	}
}

// envelopeBytes frames an arbitrary payload by hand.
func envelopeBytes(net BitcoinNet, cmd string, payload []byte) []byte {
	b := make([]byte, MessageHeaderSize, MessageHeaderSize+len(payload))
	b[0], b[1], b[2], b[3] = byte(net), byte(net>>8), byte(net>>16), byte(net>>24)
	copy(b[4:16], cmd)
	n := len(payload)
	b[16], b[17], b[18], b[19] = byte(n), byte(n>>8), byte(n>>16), byte(n>>24)
	sum := Checksum(payload)
	copy(b[20:24], sum[:])
	return append(b, payload...)
}

// checkTruncations decodes every proper prefix of a valid payload and
// expects an error (never a panic), except at the lengths in ok; then it
// expects ErrTrailingBytes for the payload plus one byte unless extraOK.
func checkTruncations(t *testing.T, cmd string, payload []byte, pver uint32, enc Encoding, ok map[int]bool, extraOK bool) {
	t.Helper()
	for i := range len(payload) {
		err := MakeEmptyMessage(cmd).Decode(payload[:i:i], pver, enc)
		if ok[i] {
			if err != nil {
				t.Fatalf("%s: prefix of %d bytes should decode: %v", cmd, i, err)
			}
			continue
		}
		if err == nil {
			t.Fatalf("%s: prefix of %d/%d bytes decoded without error", cmd, i, len(payload))
		}
		if !errors.Is(err, ErrShortPayload) && !errors.Is(err, ErrTrailingBytes) && !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrNonCanonicalVarInt) {
			t.Fatalf("%s: prefix of %d bytes: unexpected error %v", cmd, i, err)
		}
	}
	if err := MakeEmptyMessage(cmd).Decode(payload, pver, enc); err != nil {
		t.Fatalf("%s: full payload: %v", cmd, err)
	}
	if !extraOK {
		long := append(append([]byte{}, payload...), 0)
		if err := MakeEmptyMessage(cmd).Decode(long, pver, enc); !errors.Is(err, ErrTrailingBytes) {
			t.Fatalf("%s: payload + 1 byte: %v, want ErrTrailingBytes", cmd, err)
		}
	}
}

// testEmptyMessage covers a message without fields.
func testEmptyMessage(t *testing.T, msg Message) {
	t.Helper()
	for _, pver := range []uint32{0, MultipleAddressVersion, BIP0031Version, ProtocolVersion} {
		roundTrip(t, msg, pver, WitnessEncoding, []byte{})
	}
	if msg.MaxPayloadLength(ProtocolVersion) != 0 {
		t.Fatalf("%s: MaxPayloadLength = %d", msg.Command(), msg.MaxPayloadLength(ProtocolVersion))
	}
	checkBad(t, msg.Command(), WitnessEncoding, []badCase{
		{"one byte", ProtocolVersion, []byte{0}, ErrTrailingBytes},
		{"nine bytes", ProtocolVersion, make([]byte, 9), ErrTrailingBytes},
	})
	env, err := AppendMessage(nil, msg, ProtocolVersion, MainNet, WitnessEncoding)
	if err != nil || len(env) != MessageHeaderSize {
		t.Fatalf("%s: envelope %x, %v", msg.Command(), env, err)
	}
	if got := string(bytes.TrimRight(env[4:16], "\x00")); got != msg.Command() {
		t.Fatalf("envelope command %q", got)
	}
}
