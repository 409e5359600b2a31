package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// runWire runs the ledgernet command line with args and stdin.
func runWire(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

const wireMainnetVerAck = "f9beb4d976657261636b000000000000000000005df6e0e2"

func TestWireDecodeVerAck(t *testing.T) {
	for _, tt := range []struct {
		name  string
		stdin string
		arg   string
	}{
		{"argument", "", wireMainnetVerAck},
		{"stdin with spaces", "f9beb4d9 76657261636b000000000000\n00000000 5df6e0e2\n", "-"},
		{"0x prefix", "", "0x" + wireMainnetVerAck},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runWire(t, tt.stdin, "wire", "decode", tt.arg)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			want := map[string]any{"network": "mainnet", "magic": "f9beb4d9", "command": "verack", "length": 0.0,
				"checksum": "5df6e0e2", "checksum_ok": true, "known": true, "payload": map[string]any{}}
			for k, v := range want {
				if g, ok := got[k]; !ok || !wireJSONEqual(g, v) {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
			if !strings.Contains(out, "\n  \"network\": \"mainnet\"") {
				t.Errorf("output is not indented:\n%s", out)
			}
		})
	}
}

func wireJSONEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func TestWireDecode(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int // 0: success
		want []string
	}{
		{"headers payload", []string{"wire", "decode", "--command", "headers",
			"01010000006fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000982051fd1e4ba744bbbe680e1fee14677ba1a3c3540bf7b1cdb606e857233e0e61bc6649ffff001d01e3629900"},
			0, []string{`"hash": "00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048"`, `"bits": "1d00ffff"`}},
		{"bad checksum", []string{"wire", "decode", "f9beb4d976657261636b000000000000000000005df6e0e3"},
			1, []string{`"checksum_ok": false`}},
		{"unknown network", []string{"wire", "decode", "0102030476657261636b000000000000000000005df6e0e2"},
			0, []string{`"network": "unknown"`, `"magic": "01020304"`}},
		{"undecodable payload", []string{"wire", "decode", "--command", "ping", "0102"}, 1, nil},
		{"not hex", []string{"wire", "decode", "zz"}, 2, nil},
		{"not an envelope", []string{"wire", "decode", "f9beb4d9"}, 2, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runWire(t, "", tt.args...)
			var ee *exitError
			switch {
			case tt.code == 0 && err != nil:
				t.Fatalf("%v\n%s", err, out)
			case tt.code != 0 && (!errors.As(err, &ee) || ee.code != tt.code):
				t.Fatalf("err %v, want exit code %d", err, tt.code)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %s:\n%s", w, out)
				}
			}
		})
	}
}
