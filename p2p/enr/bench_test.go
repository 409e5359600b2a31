package enr

import "testing"

func BenchmarkDecodeVerify(b *testing.B) {
	raw := exampleRaw(b, loadExample(b))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeUnverified(b *testing.B) {
	raw := exampleRaw(b, loadExample(b))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeUnverified(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSign(b *testing.B) {
	ex := loadExample(b)
	key := exampleKey(b, ex)
	r, err := Parse(ex.Text)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Sign(key); err != nil {
			b.Fatal(err)
		}
	}
}
