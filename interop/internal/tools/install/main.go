// Command install installs the pinned external programs the interop tests
// need into the interop cache, so CI pays for the builds once, up front, and
// a failure to install is reported on its own.
//
//	go run ./internal/tools/install btcd btcctl devp2p geth
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/ledgernet/ledgernet/interop/internal/tools"
)

func main() {
	known := map[string]tools.Tool{
		"btcd": tools.Btcd, "btcctl": tools.Btcctl, "devp2p": tools.Devp2p, "geth": tools.Geth,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	for _, name := range os.Args[1:] {
		t, ok := known[name]
		if !ok {
			fmt.Fprintf(os.Stderr, "install: unknown tool %q\n", name)
			os.Exit(2)
		}
		start := time.Now()
		p, err := t.Path(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, "install:", err)
			os.Exit(1)
		}
		fmt.Printf("%s %s: %s (%s)\n", t.Name, t.Version, p, time.Since(start).Round(time.Second))
	}
}
