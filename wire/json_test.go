package wire

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestMessagesJSON: every message marshals, and the fields tools read come
// out in display form.
func TestMessagesJSON(t *testing.T) {
	for _, m := range fuzzSeedMessages(t) {
		if _, err := json.Marshal(m); err != nil {
			t.Errorf("%s: %v", m.Command(), err)
		}
	}
	tests := []struct {
		name string
		msg  any
		want []string
	}{
		{"tx", func() any {
			var tx MsgTx
			_ = tx.Decode(mustHex(t, segwitCoinbase), 0, WitnessEncoding)
			return &tx
		}(), []string{
			`"txid":"9c1ab453283035800c43eb6461eb46682b81be110a0cb89ee923882a5fd9daa4"`,
			`"prev_out":"0000000000000000000000000000000000000000000000000000000000000000:4294967295"`,
			`"witness":["0000000000000000000000000000000000000000000000000000000000000000"]`,
			`"script_pubkey":"76a914cef3550ff9e637ddd120717d43fc21f8a563caf888ac"`,
			`"value":1749653928`,
		}},
		{"block", func() any {
			var b MsgBlock
			_ = b.Decode(genesisBlock(t), 0, WitnessEncoding)
			return &b
		}(), []string{
			`"hash":"000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"`,
			`"bits":"1d00ffff"`,
			`"txid":"4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"`,
		}},
		{"inv", &MsgInv{InvList: []InvVect{{InvTypeWitnessBlock, Hash{1}}, {9, Hash{}}}}, []string{
			`"type":"MSG_WITNESS_BLOCK","hash":"0000000000000000000000000000000000000000000000000000000000000001"`,
			`"type":"0x9"`,
		}},
		{"version", testVersion(true), []string{`"ip":"192.168.0.1"`, `"ip":"2001:db8::1"`, `"user_agent":"/ledgernet:0.1//"`, `"relay":true`}},
		{"addrv2", &MsgAddrV2{AddrList: []NetAddressV2{{1, 1, NetIPv4, []byte{1, 2, 3, 4}, 8333}}}, []string{
			`"network":"ipv4","addr":"1.2.3.4","port":8333,"supported":true`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, err := json.Marshal(tt.msg)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(j), w) {
					t.Errorf("JSON lacks %s:\n%s", w, j)
				}
			}
		})
	}
}
