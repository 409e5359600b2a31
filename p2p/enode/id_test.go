package enode

import (
	"errors"
	"strings"
	"testing"
)

func TestPubkeyToIDExample(t *testing.T) {
	ex := loadExample(t)
	if got := PubkeyToID(exampleKey(t).PubKey()).String(); got != ex.NodeID {
		t.Errorf("ID = %s, want %s", got, ex.NodeID)
	}
}

func TestParseID(t *testing.T) {
	const s = "a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7"
	id, err := ParseID(s)
	if err != nil || id.String() != s {
		t.Fatalf("ParseID = %v, %v", id, err)
	}
	if id2, err := ParseID("0x" + s); err != nil || id2 != id {
		t.Errorf("0x prefix: %v %v", id2, err)
	}
	if id.TerminalString() != "a448f24c6d18e575" {
		t.Errorf("TerminalString = %s", id.TerminalString())
	}
	text, _ := id.MarshalText()
	var id3 ID
	if err := id3.UnmarshalText(text); err != nil || id3 != id {
		t.Errorf("text round trip: %v", err)
	}
	for _, bad := range []string{"", s[:62], s + "00", strings.Replace(s, "a", "g", 1)} {
		if _, err := ParseID(bad); !errors.Is(err, ErrInvalidID) {
			t.Errorf("ParseID(%q) = %v, want ErrInvalidID", bad, err)
		}
	}
}

func TestLogDist(t *testing.T) {
	var a, b ID
	if d := LogDist(a, b); d != 0 {
		t.Errorf("equal: %d", d)
	}
	b[31] = 1
	if d := LogDist(a, b); d != 1 {
		t.Errorf("lowest bit: %d", d)
	}
	b[0] = 0x80
	if d := LogDist(a, b); d != 256 {
		t.Errorf("highest bit: %d", d)
	}
	b = ID{}
	b[30] = 0x10
	if d := LogDist(a, b); d != 13 {
		t.Errorf("bit 12: %d", d)
	}
}

func TestDistCmp(t *testing.T) {
	var target, a, b ID
	a[31], b[31] = 1, 2
	if DistCmp(target, a, b) != -1 || DistCmp(target, b, a) != 1 || DistCmp(target, a, a) != 0 {
		t.Error("DistCmp ordering wrong")
	}
	// XOR, not numeric: with target 3, 2 (dist 1) is closer than 1 (dist 2).
	target[31] = 3
	if DistCmp(target, a, b) != 1 {
		t.Error("DistCmp is not using XOR distance")
	}
}

func TestParsePubkey(t *testing.T) {
	pub := exampleKey(t).PubKey()
	h := PubkeyHex(pub)
	got, err := ParsePubkey(h)
	if err != nil || !got.IsEqual(pub) {
		t.Fatalf("round trip: %v", err)
	}
	notOnCurve := strings.Repeat("0", 127) + "1"
	for _, bad := range []string{"", h[:126], h + "00", notOnCurve, strings.Repeat("z", 128)} {
		if _, err := ParsePubkey(bad); !errors.Is(err, ErrInvalidPubkey) {
			t.Errorf("ParsePubkey(%q) = %v", bad, err)
		}
	}
}
