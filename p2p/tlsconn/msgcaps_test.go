package tlsconn

import (
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// capsVector is the caps message of a node running chain/1 and topic/2
// that leaves checksums to TLS.
var capsVector = struct {
	msg capsMsg
	hex string
}{
	msg: capsMsg{Flags: capsNoChecksum, Caps: []Cap{{Name: "chain", Version: 1}, {Name: "topic", Version: 2}}},
	hex: "01000000" + // flags
		"02" + // count
		"05" + hex.EncodeToString([]byte("chain")) + "01000000" +
		"05" + hex.EncodeToString([]byte("topic")) + "02000000",
}

func TestCapsVector(t *testing.T) {
	b, err := appendCaps(nil, capsVector.msg)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(b); got != capsVector.hex {
		t.Fatalf("encoded %s, want %s", got, capsVector.hex)
	}
	m, err := decodeCaps(b)
	if err != nil || !reflect.DeepEqual(m, capsVector.msg) {
		t.Fatalf("decoded %+v, %v", m, err)
	}
	// Empty list, unknown flags kept.
	b, _ = appendCaps(nil, capsMsg{Flags: 0x80000000})
	if m, err := decodeCaps(b); err != nil || m.Flags != 0x80000000 || len(m.Caps) != 0 {
		t.Fatalf("empty caps: %+v, %v", m, err)
	}
	// The largest message fits maxCapsPayload.
	big := capsMsg{}
	for i := range MaxCaps {
		big.Caps = append(big.Caps, Cap{Name: strings.Repeat("x", MaxCapNameLen-2) + string(rune('A'+i/26)) + string(rune('a'+i%26)), Version: 1 << 31})
	}
	b, err = appendCaps(nil, big)
	if err != nil || len(b) > maxCapsPayload {
		t.Fatalf("largest caps: %d bytes, %v", len(b), err)
	}
	if _, err := decodeCaps(b); err != nil {
		t.Fatal(err)
	}
}

func TestCapsBad(t *testing.T) {
	cap1 := "05" + hex.EncodeToString([]byte("chain")) + "01000000"
	bad := map[string]string{
		"empty":           "",
		"short flags":     "010000",
		"no count":        "01000000",
		"count too big":   "01000000" + "21",
		"count varint":    "01000000" + "fd0100",
		"truncated cap":   "01000000" + "01" + "05636861",
		"no version":      "01000000" + "01" + "05" + hex.EncodeToString([]byte("chain")) + "0100",
		"empty name":      "01000000" + "01" + "00" + "01000000",
		"long name":       "01000000" + "01" + "21" + strings.Repeat("61", 33) + "01000000",
		"space in name":   "01000000" + "01" + "03" + "612062" + "01000000",
		"control in name": "01000000" + "01" + "03" + "610a62" + "01000000",
		"duplicate":       "01000000" + "02" + cap1 + cap1,
		"trailing":        "01000000" + "01" + cap1 + "00",
		"count short":     "01000000" + "02" + cap1,
		"non-canonical":   "01000000" + "fd0100" + cap1,
	}
	for name, h := range bad {
		b, err := hex.DecodeString(h)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := decodeCaps(b); !errors.Is(err, ErrBadCaps) || !errors.Is(err, ErrProtocol) {
			t.Errorf("%s: error %v, want ErrBadCaps", name, err)
		}
	}
	if _, err := decodeCaps(make([]byte, maxCapsPayload+1)); !errors.Is(err, ErrBadCaps) {
		t.Errorf("oversized: %v", err)
	}
	for name, m := range map[string]capsMsg{
		"too many":   {Caps: make([]Cap, MaxCaps+1)},
		"bad name":   {Caps: []Cap{{Name: "a b", Version: 1}}},
		"version":    {Caps: []Cap{{Name: "a", Version: 1 << 32}}},
		"empty name": {Caps: []Cap{{Name: "", Version: 1}}},
	} {
		if _, err := appendCaps(nil, m); !errors.Is(err, ErrBadCaps) {
			t.Errorf("encode %s: %v", name, err)
		}
	}
}

func FuzzDecodeCaps(f *testing.F) {
	b, _ := hex.DecodeString(capsVector.hex)
	f.Add(b)
	f.Add([]byte{0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decodeCaps(data)
		if err != nil {
			return
		}
		enc, err := appendCaps(nil, m)
		if err != nil {
			t.Fatalf("re-encoding %+v: %v", m, err)
		}
		if string(enc) != string(data) {
			t.Fatalf("not canonical: %x → %+v → %x", data, m, enc)
		}
	})
}

func TestMatchProtocols(t *testing.T) {
	spec := func(name string, v uint, n int) ProtocolSpec {
		cmds := make([]string, n)
		for i := range cmds {
			cmds[i] = name + string(rune('0'+i)) + string(rune('0'+v))
		}
		return ProtocolSpec{Name: name, Version: v, Commands: cmds}
	}
	local := []ProtocolSpec{spec("topic", 1, 2), spec("chain", 1, 3), spec("chain", 2, 4), spec("status", 1, 2), spec("extra", 1, 1)}
	remote := []Cap{{Name: "chain", Version: 1}, {Name: "chain", Version: 2}, {Name: "status", Version: 2}, {Name: "topic", Version: 1}, {Name: "other", Version: 1}}
	got := matchProtocols(local, remote)
	want := []Shared{{ProtocolSpec: local[2], Offset: 0}, {ProtocolSpec: local[0], Offset: 4}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if got := matchProtocols(local, nil); len(got) != 0 {
		t.Fatalf("no remote caps: %+v", got)
	}
}

func TestCheckProtocols(t *testing.T) {
	ok := [][]ProtocolSpec{
		{testProto},
		// Reserved commands keep a table's numbering.
		{{Name: "chain", Version: 1, Commands: []string{"version", "verack", "ping", "pong", "block"}}},
		// Versions of one protocol share commands.
		{{Name: "a", Version: 1, Commands: []string{"x"}}, {Name: "a", Version: 2, Commands: []string{"x", "y"}}},
	}
	for i, ps := range ok {
		if err := checkProtocols(ps); err != nil {
			t.Errorf("ok %d: %v", i, err)
		}
	}
	bad := map[string][]ProtocolSpec{
		"none":             nil,
		"bad name":         {{Name: "a b", Version: 1, Commands: []string{"x"}}},
		"twice":            {testProto, testProto},
		"no commands":      {{Name: "a", Version: 1}},
		"long command":     {{Name: "a", Version: 1, Commands: []string{"thirteenchars"}}},
		"empty command":    {{Name: "a", Version: 1, Commands: []string{""}}},
		"command twice":    {{Name: "a", Version: 1, Commands: []string{"x", "x"}}},
		"shared command":   {{Name: "a", Version: 1, Commands: []string{"x"}}, {Name: "b", Version: 1, Commands: []string{"x"}}},
		"version too high": {{Name: "a", Version: 1 << 32, Commands: []string{"x"}}},
	}
	for name, ps := range bad {
		if err := checkProtocols(ps); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v, want ErrConfig", name, err)
		}
	}
}
