package main

import (
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"strings"
	"time"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/wire"
	"github.com/spf13/cobra"
)

func init() { register(newHeadersCmd) }

func newHeadersCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "headers",
		Short: "Verify block headers",
	}
	cmd.AddCommand(newHeadersVerifyCmd())
	return cmd
}

// headersChunk is how many headers are read and verified per batch.
const headersChunk = 4096

func newHeadersVerifyCmd() *cobra.Command {
	var (
		profile     string
		startHeight int32
		startWork   string
	)
	cmd := &cobra.Command{
		Use:   "verify [FILE|-]",
		Short: "Verify a file of raw 80-byte headers against a network's consensus rules",
		Long: `Verify a file of raw 80-byte block headers, back to back, against the rules
of a network profile: proof of work, required difficulty (retargets, the
testnet minimum-difficulty rule, BIP94), median time past, the two-hour future
limit (against this machine's clock), checkpoints and block versions. With no
FILE, or "-", headers are read from standard input.

The first header is at height 0 and must be the profile's genesis block,
unless --start-height H is given: then the first header is trusted as the
block at height H (only its proof of work is checked) and the rest are
verified from it; --start-work gives the chain work up to it, in hex, if known.

Profiles: bitcoin (mainnet), testnet3, testnet4, signet, regtest, devnet.

On success it prints "verified N headers, tip <hash>, work <hex>": N counts
every header in the input (the first included), the tip is the best chain's
last header, and work is the tip's total chain work in lowercase hex without
0x (counted from --start-work, or from zero after a trusted start). On the
first header that breaks a rule it exits with status 1 and names the header's
height and the rule. Unreadable input exits with status 2.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := chain.ParamsByName(profile)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			in := cmd.InOrStdin()
			if len(args) == 1 && args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return &exitError{code: 2, err: err}
				}
				defer f.Close()
				in = f
			}
			var start *chain.TrustedStart
			if cmd.Flags().Changed("start-height") || startWork != "" {
				start = &chain.TrustedStart{Height: startHeight}
				if startWork != "" {
					w, ok := new(big.Int).SetString(strings.TrimPrefix(startWork, "0x"), 16)
					if !ok {
						return &exitError{code: 2, err: fmt.Errorf("--start-work %q is not hex", startWork)}
					}
					start.ChainWork = w
				}
			}
			c, n, err := verifyHeaderStream(in, p, start, time.Now)
			if err != nil {
				return err
			}
			tip := c.Tip()
			fmt.Fprintf(cmd.OutOrStdout(), "verified %d headers, tip %s, work %s\n", n, tip.Hash(), tip.ChainWork().Hex())
			return nil
		},
	}
	cmd.Flags().StringVar(&profile, "profile", "devnet", "network profile: bitcoin, testnet3, testnet4, signet, regtest, devnet")
	cmd.Flags().Int32Var(&startHeight, "start-height", 0, "trust the first header as the block at this height")
	cmd.Flags().StringVar(&startWork, "start-work", "", "chain work up to the trusted first header, in hex")
	return cmd
}

// verifyHeaderStream reads raw headers from r in chunks and verifies them
// into a new header chain. It returns the chain and the number of headers
// read, or an *exitError: 1 for a header that breaks a rule, 2 for input
// that cannot be read as headers.
func verifyHeaderStream(r io.Reader, p *chain.Params, start *chain.TrustedStart, now func() time.Time) (*chain.HeaderChain, int, error) {
	buf := make([]byte, headersChunk*wire.BlockHeaderSize)
	var c *chain.HeaderChain
	first, n := int32(0), 0
	for {
		k, err := io.ReadFull(r, buf)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, n, &exitError{code: 2, err: err}
		}
		batch := buf[:k-k%wire.BlockHeaderSize]
		if c == nil && len(batch) > 0 {
			cfg := chain.HeaderChainConfig{Now: now, SizeHint: headersChunk}
			if start != nil {
				_ = start.Header.DecodeBlockHeader(batch) // batch holds a whole header
				cfg.Start = start
				first = start.Height
			}
			if c, err = chain.NewHeaderChain(p, cfg); err != nil {
				return nil, 0, &exitError{code: 1, err: fmt.Errorf("header at height %d: %w", first, err)}
			}
		}
		// The first header is the chain's root (genesis or the trusted
		// start), already indexed: it is accepted as a duplicate, or, when
		// it is not the genesis block, rejected at height 0.
		if len(batch) > 0 {
			done, err := c.AddRawHeaders(batch)
			if err != nil {
				return nil, n + done, &exitError{code: 1, err: &headerRejected{height: first + int32(n+done), before: n + done, err: err}}
			}
			n += done
		}
		if k%wire.BlockHeaderSize != 0 {
			return nil, n, &exitError{code: 2, err: fmt.Errorf("input ends with a partial header of %d bytes after %d headers", k%wire.BlockHeaderSize, n)}
		}
		if k < len(buf) { // end of input
			if n == 0 {
				return nil, 0, &exitError{code: 2, err: errors.New("no headers in the input")}
			}
			return c, n, nil
		}
	}
}

// headerRejected names the first header that broke a rule by its position
// in the input (a header whose parent is unknown has no height of its own).
type headerRejected struct {
	height int32
	before int
	err    error
}

func (e *headerRejected) Error() string {
	var re *chain.RuleError
	if !errors.As(e.err, &re) {
		return fmt.Sprintf("header at height %d: %v", e.height, e.err)
	}
	detail := strings.TrimPrefix(re.Err.Error(), "chain: "+re.Rule+": ")
	return fmt.Sprintf("header at height %d (%s) breaks %s: %s; %d headers verified before it",
		e.height, re.Hash, re.Rule, detail, e.before)
}

func (e *headerRejected) Unwrap() error { return e.err }
