package enode

import (
	"testing"
)

// FuzzParseNode checks that no input panics Parse, and that a parsed node's
// own text form parses back to the same node.
func FuzzParseNode(f *testing.F) {
	ex := loadExample(f)
	pub := PubkeyHex(exampleKey(f).PubKey())
	for _, s := range []string{
		ex.Text,
		"enode://" + pub,
		"enode://" + pub + "@127.0.0.1:30303",
		"enode://" + pub + "@10.3.58.6:30303?discport=30301",
		"enode://" + pub + "@[2001:db8::1]:30303?discport=30304",
		"enode://" + pub + "@[::ffff:1.2.3.4]:1",
		"enode://" + pub + "@host:1",
		"enode://01010101@1.2.3.4:1",
		"enr:",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		n, err := Parse(in)
		if err != nil {
			return
		}
		n2, err := Parse(n.String())
		if err != nil {
			t.Fatalf("String() %q of %q does not parse: %v", n.String(), in, err)
		}
		if n2.ID() != n.ID() || n2.IP() != n.IP() || n2.TCP() != n.TCP() || n2.UDP() != n.UDP() {
			t.Fatalf("round trip of %q changed the node: %s vs %s", in, n.String(), n2.String())
		}
		if n2.String() != n.String() {
			t.Fatalf("String not stable: %s vs %s", n.String(), n2.String())
		}
	})
}
