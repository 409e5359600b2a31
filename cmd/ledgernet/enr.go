package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/enr"
	"github.com/spf13/cobra"
)

func init() { register(newENRCmd) }

func newENRCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "enr",
		Short: "Inspect Ethereum Node Records (EIP-778)",
	}
	cmd.AddCommand(newENRDecodeCmd())
	return cmd
}

func newENRDecodeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "decode enr:...",
		Short: "Print a record's seq, node ID, signature status and entries",
		Long: `Print a record's seq, node ID, signature status and every entry with a
readable value. Entries this program does not know are shown as raw RLP hex.
The exit code is 1 if the signature does not verify.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return keyUsageError("decode takes 1 argument, the enr:... text (usage: %s)", cmd.UseLine())
			}
			r, err := enr.ParseUnverified(strings.TrimSpace(args[0]))
			if err != nil {
				return err
			}
			sigErr := r.Verify()
			printRecord(cmd.OutOrStdout(), r, sigErr)
			if sigErr != nil {
				return &exitError{code: 1, err: fmt.Errorf("record signature does not verify: %w", sigErr)}
			}
			return nil
		},
	}
}

func printRecord(w io.Writer, r *enr.Record, sigErr error) {
	raw, _ := r.Encode()
	fmt.Fprintf(w, "seq:       %d\n", r.Seq())
	if pub, err := r.PublicKey(); err == nil {
		fmt.Fprintf(w, "node ID:   %s\n", enode.PubkeyToID(pub))
	} else {
		fmt.Fprintf(w, "node ID:   unknown (%v)\n", err)
	}
	if sigErr == nil {
		fmt.Fprintf(w, "signature: valid (%s)\n", r.IdentityScheme())
	} else {
		fmt.Fprintf(w, "signature: INVALID (%v)\n", sigErr)
	}
	fmt.Fprintf(w, "size:      %d bytes\n", len(raw))
	for k, v := range r.All() {
		fmt.Fprintf(w, "  %-10s %s\n", k, entryText(r, k, v))
	}
}

// entryText renders a known entry readably and anything else as hex.
func entryText(r *enr.Record, key string, raw []byte) string {
	var (
		text string
		err  error
	)
	switch key {
	case enr.KeyID:
		var v enr.ID
		err, text = r.Load(&v), string(v)
	case enr.KeySecp256k1:
		var v enr.Secp256k1
		err = r.Load(&v)
		if err == nil {
			pub := enrPubkey(v)
			text = fmt.Sprintf("%x (enode pubkey %s)", pub.SerializeCompressed(), enode.PubkeyHex(pub))
		}
	case enr.KeyIP:
		var v enr.IPv4
		err, text = r.Load(&v), netip.Addr(v).String()
	case enr.KeyIP6:
		var v enr.IPv6
		err, text = r.Load(&v), netip.Addr(v).String()
	case enr.KeyTCP, enr.KeyUDP, enr.KeyTCP6, enr.KeyUDP6:
		var v enr.TCP // all four are 16-bit ports with the same encoding
		err = v.DecodeRLP(raw)
		text = fmt.Sprint(uint16(v))
	case enr.KeyNetwork:
		var v enr.Network
		err, text = r.Load(&v), fmt.Sprintf("network %q", string(v))
	default:
		return "0x" + hex.EncodeToString(raw) + " (raw RLP)"
	}
	if err != nil {
		return fmt.Sprintf("0x%s (malformed: %v)", hex.EncodeToString(raw), err)
	}
	return text
}

func enrPubkey(v enr.Secp256k1) *secp256k1.PublicKey {
	pub := secp256k1.PublicKey(v)
	return &pub
}
