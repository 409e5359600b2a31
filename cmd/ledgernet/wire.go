package main

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ledgernet/ledgernet/wire"
	"github.com/spf13/cobra"
)

func init() { register(newWireCmd) }

func newWireCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "wire",
		Short: "Inspect Bitcoin wire messages",
	}
	cmd.AddCommand(newWireDecodeCmd())
	return cmd
}

func newWireDecodeCmd() *cobra.Command {
	var command string
	var pver uint32
	cmd := &cobra.Command{
		Use:   "decode HEX|-",
		Short: "Decode a message envelope (or, with --command, a bare payload) and print it as JSON",
		Long: `Decode a Bitcoin P2P message given in hex ("-" reads the hex from standard
input; whitespace and a 0x prefix are ignored) and print it as indented JSON.

Without --command the input is a whole envelope of any network: magic,
command, length, checksum and payload. The output names the network, says
whether the checksum matches, and shows the decoded payload, or why it does
not decode. With --command the input is a bare payload of that command.
The exit status is 1 when the payload does not decode or the checksum is
wrong, 2 when the input is not hex or not an envelope.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			raw, err := wireReadHex(cmd.InOrStdin(), args[0])
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			var out any
			var failure error
			if command != "" {
				msg, err := wire.DecodePayload(command, raw, pver, wire.WitnessEncoding)
				if err != nil {
					return &exitError{code: 1, err: fmt.Errorf("%s payload: %w", command, err)}
				}
				out = msg
			} else {
				info, err := wire.DescribeEnvelope(raw)
				if err != nil {
					return &exitError{code: 2, err: err}
				}
				if info.Error != "" {
					failure = errors.New(info.Error)
				}
				out = info
			}
			j, err := json.MarshalIndent(out, "", "  ")
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), string(j))
			if failure != nil {
				return &exitError{code: 1, err: failure}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&command, "command", "", "decode a bare payload of this command instead of an envelope")
	cmd.Flags().Uint32Var(&pver, "pver", wire.ProtocolVersion, "protocol version for --command payloads")
	return cmd
}

// wireReadHex decodes arg, or standard input when arg is "-", as hex.
func wireReadHex(stdin io.Reader, arg string) ([]byte, error) {
	if arg == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, 2*(wire.MessageHeaderSize+wire.MaxProtocolMessageLength)+4096))
		if err != nil {
			return nil, err
		}
		arg = string(b)
	}
	s := strings.Join(strings.Fields(arg), "")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	raw, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("input is not hex: %w", err)
	}
	return raw, nil
}
