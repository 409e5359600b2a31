package wire

import (
	"bytes"
	"testing"

	"github.com/ledgernet/ledgernet/internal/cputime"
	"github.com/ledgernet/ledgernet/internal/fixtures"
)

// BenchmarkDecodeHeaders2000 decodes a full headers message: the first 2,000
// mainnet headers. "fresh" decodes into a new message each time, as
// ReadMessage does (comparable with btcd's MsgHeaders.BtcDecode); "reuse"
// decodes into one message, as a sync loop can.
func BenchmarkDecodeHeaders2000(b *testing.B) {
	payload := headersPayload(mainnetHeaders(b, MaxBlockHeadersPerMsg))
	b.Run("fresh", func(b *testing.B) {
		b.SetBytes(int64(len(payload)))
		b.ReportAllocs()
		cpu := cputime.Now()
		for b.Loop() {
			var m MsgHeaders
			if err := m.Decode(payload, ProtocolVersion, WitnessEncoding); err != nil {
				b.Fatal(err)
			}
		}
		cputime.Report(b, cpu)
		b.ReportMetric(float64(MaxBlockHeadersPerMsg)*float64(b.N)/b.Elapsed().Seconds(), "headers/s")
	})
	b.Run("reuse", func(b *testing.B) {
		b.SetBytes(int64(len(payload)))
		b.ReportAllocs()
		var m MsgHeaders
		cpu := cputime.Now()
		for b.Loop() {
			if err := m.Decode(payload, ProtocolVersion, WitnessEncoding); err != nil {
				b.Fatal(err)
			}
		}
		cputime.Report(b, cpu)
		b.ReportMetric(float64(MaxBlockHeadersPerMsg)*float64(b.N)/b.Elapsed().Seconds(), "headers/s")
	})
}

// BenchmarkDecodeBlock866342 decodes a 1.58 MB taproot-era block with 4,864
// transactions.
func BenchmarkDecodeBlock866342(b *testing.B) {
	raw := fixtures.Read(b, "btc/mainnet/block_866342.bin")
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	cpu := cputime.Now()
	for b.Loop() {
		var m MsgBlock
		if err := m.Decode(raw, ProtocolVersion, WitnessEncoding); err != nil {
			b.Fatal(err)
		}
	}
	cputime.Report(b, cpu)
	b.ReportMetric(4864*float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}

// BenchmarkEncodeBlock encodes the same block into a reused buffer.
func BenchmarkEncodeBlock(b *testing.B) {
	raw := fixtures.Read(b, "btc/mainnet/block_866342.bin")
	var m MsgBlock
	if err := m.Decode(raw, ProtocolVersion, WitnessEncoding); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, len(raw))
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	cpu := cputime.Now()
	for b.Loop() {
		out, err := m.Encode(buf[:0], ProtocolVersion, WitnessEncoding)
		if err != nil || len(out) != len(raw) {
			b.Fatal(err)
		}
	}
	cputime.Report(b, cpu)
}

// BenchmarkReadMessage reads whole envelopes from a stream: checks, payload
// read, checksum (double-SHA256 of the payload) and decode.
func BenchmarkReadMessage(b *testing.B) {
	cases := []struct {
		name string
		msg  Message
	}{
		{"ping", &MsgPing{Nonce: 42}},
		{"inv1000", &MsgInv{InvList: make([]InvVect, 1000)}},
		{"headers2000", func() Message {
			var m MsgHeaders
			if err := m.Decode(headersPayload(mainnetHeaders(b, MaxBlockHeadersPerMsg)), 0, 0); err != nil {
				b.Fatal(err)
			}
			return &m
		}()},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			env, err := AppendMessage(nil, c.msg, ProtocolVersion, MainNet, WitnessEncoding)
			if err != nil {
				b.Fatal(err)
			}
			r := bytes.NewReader(env)
			b.SetBytes(int64(len(env)))
			b.ReportAllocs()
			cpu := cputime.Now()
			for b.Loop() {
				r.Reset(env)
				if _, _, err := ReadMessage(r, ProtocolVersion, MainNet, WitnessEncoding); err != nil {
					b.Fatal(err)
				}
			}
			cputime.Report(b, cpu)
		})
	}
}
