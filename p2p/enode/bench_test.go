package enode

import "testing"

func BenchmarkParseENR(b *testing.B) {
	text := loadExample(b).Text
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(text); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseV4(b *testing.B) {
	url := "enode://" + PubkeyHex(exampleKey(b).PubKey()) + "@10.3.58.6:30303?discport=30301"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseV4(url); err != nil {
			b.Fatal(err)
		}
	}
}
