package wire_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/ledgernet/ledgernet/wire"
)

func ExampleDescribeEnvelope() {
	raw, _ := hex.DecodeString("f9beb4d976657261636b000000000000000000005df6e0e2")
	info, err := wire.DescribeEnvelope(raw)
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := json.MarshalIndent(info, "", "  ")
	fmt.Println(string(out))
	// Output:
	// {
	//   "network": "mainnet",
	//   "magic": "f9beb4d9",
	//   "command": "verack",
	//   "length": 0,
	//   "checksum": "5df6e0e2",
	//   "checksum_ok": true,
	//   "known": true,
	//   "payload": {}
	// }
}
