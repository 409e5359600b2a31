package main

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledgernet/ledgernet/internal/fixtures"
)

// runHeaders runs the ledgernet command line in-process with args and stdin.
func runHeaders(t *testing.T, stdin []byte, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetIn(bytes.NewReader(stdin))
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

// writeHeadersFile writes raw headers to a temporary file.
func writeHeadersFile(t *testing.T, raw []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "headers.bin")
	if err := os.WriteFile(p, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const (
	mainnetTip  = "000000002509f3a013a1d21b89fe33306a45b1fcbb485dd4d310e4f9b2c09945"
	mainnetWork = "a83ac5f88180"
	testnetTip  = "000000001655e2a7293f28383a2965b2f0add77fd6ac383986e90971a07467d4"
)

func TestHeadersVerify(t *testing.T) {
	mainFile := fixtures.Path(t, "btc/mainnet/headers_0_39999.bin")
	mainRaw := fixtures.Read(t, "btc/mainnet/headers_0_39999.bin")
	testRaw := fixtures.Read(t, "btc/testnet3/headers_0_9999.bin")
	tests := []struct {
		name  string
		stdin []byte
		args  []string
		want  string
	}{
		{"mainnet file", nil, []string{"--profile", "bitcoin", mainFile},
			"verified 40000 headers, tip " + mainnetTip + ", work " + mainnetWork + "\n"},
		{"testnet3 on stdin", testRaw, []string{"--profile", "testnet3", "-"},
			"verified 10000 headers, tip " + testnetTip + ", work c961c961c961\n"},
		{"stdin without an argument", mainRaw[:2016*80], []string{"--profile", "mainnet"},
			"verified 2016 headers, tip 00000000693067b0e6b440bc51450b9f3850561b07f6d3c021c54fbd6abb9763, work 7e007e007e0\n"},
		{"trusted start at 20000", mainRaw[20000*80:], []string{"--profile", "bitcoin", "--start-height", "20000"},
			"verified 20000 headers, tip " + mainnetTip + ", work 5a1977d7335f\n"},
		{"trusted start with its work", mainRaw[20000*80:], []string{"--profile", "bitcoin", "--start-height", "20000", "--start-work", "0x4e214e214e21"},
			"verified 20000 headers, tip " + mainnetTip + ", work " + mainnetWork + "\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runHeaders(t, tc.stdin, append([]string{"headers", "verify"}, tc.args...)...)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if out != tc.want {
				t.Fatalf("output %q, want %q", out, tc.want)
			}
		})
	}
}

func TestHeadersVerifyRejects(t *testing.T) {
	mainRaw := fixtures.Read(t, "btc/mainnet/headers_0_39999.bin")
	edit := func(height int, f func(h []byte)) []byte {
		out := bytes.Clone(mainRaw[:(height+100)*80])
		f(out[height*80 : height*80+80])
		return out
	}
	nonce := edit(12345, func(h []byte) { binary.LittleEndian.PutUint32(h[76:], binary.LittleEndian.Uint32(h[76:])+1) })
	dropped := append(bytes.Clone(mainRaw[:25000*80]), mainRaw[25001*80:26000*80]...)
	tests := []struct {
		name  string
		stdin []byte
		args  []string
		code  int
		want  []string
	}{
		{"nonce changed", nonce, []string{"--profile", "bitcoin"}, 1, []string{"height 12345", "breaks high-hash", "12345 headers verified"}},
		{"header dropped", dropped, []string{"--profile", "bitcoin"}, 1, []string{"height 25000", "breaks prev-blk-not-found"}},
		{"wrong network", mainRaw[:160], []string{"--profile", "testnet3"}, 1, []string{"height 0", "breaks bad-genesis"}},
		{"trusted start at a checkpoint with another hash", mainRaw[11110*80 : 11200*80], []string{"--profile", "bitcoin", "--start-height", "11111"}, 1, []string{"height 11111", "checkpoint"}},
		{"partial header", mainRaw[:170], []string{"--profile", "bitcoin"}, 2, []string{"partial header of 10 bytes after 2 headers"}},
		{"empty input", nil, []string{"--profile", "bitcoin"}, 2, []string{"no headers"}},
		{"unknown profile", mainRaw[:80], []string{"--profile", "dogecoin"}, 2, []string{"unknown network"}},
		{"missing file", nil, []string{"--profile", "bitcoin", filepath.Join(t.TempDir(), "nope")}, 2, []string{"no such file"}},
		{"bad start work", mainRaw[:80], []string{"--profile", "bitcoin", "--start-height", "0", "--start-work", "xyz"}, 2, []string{"not hex"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runHeaders(t, tc.stdin, append([]string{"headers", "verify"}, tc.args...)...)
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != tc.code {
				t.Fatalf("err = %v, want exit %d\n%s", err, tc.code, out)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	// A rejected header from a file, too.
	out, err := runHeaders(t, nil, "headers", "verify", "--profile", "bitcoin", writeHeadersFile(t, nonce))
	if err == nil || !strings.Contains(err.Error(), "height 12345") {
		t.Fatalf("file: %v\n%s", err, out)
	}
}
