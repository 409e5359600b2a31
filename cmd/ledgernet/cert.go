package main

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/ledgernet/ledgernet/p2p/certs"
	"github.com/spf13/cobra"
)

func init() { register(newCertCmd) }

func newCertCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cert",
		Short: "Create, show and revoke the certificates of a permissioned network",
		Long: `Create, show and revoke the certificates of a permissioned network.

A network has a root CA (ca.crt, ca.key), optional agency CAs signed by it
(agency.crt, agency.key, ca.crt, chain.crt), and node certificates signed by
the root or an agency. A node runs with --certs DIR, a directory holding
ca.crt, node.crt, node.key and optionally crl.pem: copy the issuers' crl.pem
files there (concatenated when there are several) after each revocation.`,
	}
	cmd.AddCommand(newCertCACmd(), newCertAgencyCmd(), newCertNodeCmd(), newCertShowCmd(), newCertRevokeCmd())
	return cmd
}

// certFlags are the issuing flags shared by ca, agency and node.
type certFlags struct {
	out, keyType, name string
	days               int
}

func (f *certFlags) add(cmd *cobra.Command, defDays string) {
	cmd.Flags().StringVar(&f.out, "out", "", "directory to write into (created if missing; existing files are never overwritten)")
	cmd.Flags().StringVar(&f.keyType, "key-type", string(certs.P256), "key type: p256 or ed25519")
	cmd.Flags().IntVar(&f.days, "days", 0, "validity in days (default "+defDays+", never beyond the issuer's)")
}

// options checks the flags and turns them into certs.Options.
func (f *certFlags) options() (certs.Options, error) {
	if f.out == "" {
		return certs.Options{}, usageError("--out is required")
	}
	kt := certs.KeyType(f.keyType)
	if kt != certs.P256 && kt != certs.Ed25519 {
		return certs.Options{}, usageError("--key-type %q: want p256 or ed25519", f.keyType)
	}
	if f.days < 0 {
		return certs.Options{}, usageError("--days %d: must not be negative", f.days)
	}
	return certs.Options{KeyType: kt, Name: f.name, Validity: time.Duration(f.days) * 24 * time.Hour}, nil
}

func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return usageError("%s takes %d argument(s), got %d (usage: %s)", cmd.Name(), n, len(args), cmd.UseLine())
		}
		return nil
	}
}

func newCertCACmd() *cobra.Command {
	var f certFlags
	cmd := &cobra.Command{
		Use:   "ca --out DIR",
		Short: "Create a root CA (ca.crt, ca.key)",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := f.options()
			if err != nil {
				return err
			}
			a, err := certs.CreateCA(f.out, opts)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "wrote %s and %s\n", filepath.Join(f.out, certs.CACertFile), filepath.Join(f.out, certs.CAKeyFile))
			describeCert(w, a.Cert)
			return nil
		},
	}
	f.add(cmd, "7300")
	cmd.Flags().StringVar(&f.name, "name", "", `subject common name (default "ledgernet CA")`)
	return cmd
}

func newCertAgencyCmd() *cobra.Command {
	var f certFlags
	var caDir string
	cmd := &cobra.Command{
		Use:   "agency --ca DIR --out DIR --name NAME",
		Short: "Create an agency CA signed by the root CA",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := f.options()
			if err != nil {
				return err
			}
			if caDir == "" || f.name == "" {
				return usageError("--ca and --name are required")
			}
			a, err := certs.CreateAgency(caDir, f.out, opts)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "wrote %s, %s, %s and %s\n", certs.AgencyCertFile, certs.AgencyKeyFile, certs.CACertFile, certs.ChainFile)
			describeCert(w, a.Cert)
			return nil
		},
	}
	f.add(cmd, "7300")
	cmd.Flags().StringVar(&caDir, "ca", "", "root CA directory (holds ca.crt and ca.key)")
	cmd.Flags().StringVar(&f.name, "name", "", "agency name, the subject common name")
	return cmd
}

func newCertNodeCmd() *cobra.Command {
	var f certFlags
	var caDir string
	var hosts []string
	cmd := &cobra.Command{
		Use:   "node --ca DIR --out DIR",
		Short: "Create a node certificate signed by the root CA or an agency, and print the node ID",
		Args:  exactArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := f.options()
			if err != nil {
				return err
			}
			if caDir == "" {
				return usageError("--ca is required")
			}
			opts.Hosts = hosts
			n, err := certs.CreateNode(caDir, f.out, opts)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "wrote %s (0600), %s and %s\n", certs.NodeKeyFile, certs.NodeCertFile, certs.CACertFile)
			describeCert(w, n.Certificate.Leaf)
			return nil
		},
	}
	f.add(cmd, "3650")
	cmd.Flags().StringVar(&caDir, "ca", "", "issuing directory: the root CA's or an agency's")
	cmd.Flags().StringVar(&f.name, "name", "", `subject common name (default "node-" and the ID's first 16 hex digits)`)
	cmd.Flags().StringSliceVar(&hosts, "host", nil, "host name or IP address for the subject alternative names (repeatable)")
	return cmd
}

func newCertShowCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "show FILE",
		Short: "Show the certificates or revocation lists of a PEM file",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cs, certErr := certs.ReadCertificates(args[0])
			crls, crlErr := certs.ReadCRLs(args[0])
			if len(cs) == 0 && len(crls) == 0 {
				return errors.Join(certErr, crlErr)
			}
			w := cmd.OutOrStdout()
			for i, c := range cs {
				if i > 0 {
					fmt.Fprintln(w)
				}
				describeCert(w, c)
			}
			for i, l := range crls {
				if i > 0 || len(cs) > 0 {
					fmt.Fprintln(w)
				}
				describeCRL(w, l)
			}
			return nil
		},
	}
}

func newCertRevokeCmd() *cobra.Command {
	var caDir string
	cmd := &cobra.Command{
		Use:   "revoke --ca DIR FILE",
		Short: "Add a certificate to its issuer's revocation list (DIR/crl.pem)",
		Long: `Add a certificate to its issuer's revocation list, DIR/crl.pem. DIR must be the
directory of the CA that signed the certificate: an agency for its nodes, the
root CA for agencies and the nodes it signed directly. Copy crl.pem into each
node's certificates directory; running nodes pick it up within a second.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if caDir == "" {
				return usageError("--ca is required")
			}
			if err := certs.Revoke(caDir, args[0]); err != nil {
				return err
			}
			cs, err := certs.ReadCertificates(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "revoked %q serial %x in %s\n",
				cs[0].Subject.CommonName, cs[0].SerialNumber, filepath.Join(caDir, certs.CRLFile))
			return nil
		},
	}
	cmd.Flags().StringVar(&caDir, "ca", "", "directory of the issuing CA (root or agency)")
	return cmd
}

func describeCert(w io.Writer, c *x509.Certificate) {
	fmt.Fprintf(w, "subject:    %s\n", c.Subject)
	fmt.Fprintf(w, "issuer:     %s\n", c.Issuer)
	state := "valid"
	switch now := time.Now(); {
	case now.Before(c.NotBefore):
		state = "not yet valid"
	case now.After(c.NotAfter):
		state = "expired"
	}
	fmt.Fprintf(w, "validity:   %s to %s (%s)\n", c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339), state)
	kt, err := certs.KeyTypeOf(c.PublicKey)
	if err != nil {
		kt = certs.KeyType(fmt.Sprintf("%T (unsupported)", c.PublicKey))
	}
	fmt.Fprintf(w, "key type:   %s\n", kt)
	fmt.Fprintf(w, "serial:     %x\n", c.SerialNumber)
	if c.IsCA {
		if c.MaxPathLen > 0 || (c.MaxPathLen == 0 && c.MaxPathLenZero) {
			fmt.Fprintf(w, "CA:         yes, path length %d\n", c.MaxPathLen)
		} else {
			fmt.Fprintf(w, "CA:         yes\n")
		}
		return
	}
	if id, err := certs.NodeID(c.PublicKey); err == nil {
		fmt.Fprintf(w, "node ID:    %s\n", id)
	}
}

func describeCRL(w io.Writer, l *x509.RevocationList) {
	fmt.Fprintf(w, "revocation list of: %s\n", l.Issuer)
	fmt.Fprintf(w, "number:     %v\n", l.Number)
	fmt.Fprintf(w, "updated:    %s\n", l.ThisUpdate.UTC().Format(time.RFC3339))
	fmt.Fprintf(w, "revoked:    %d\n", len(l.RevokedCertificateEntries))
	for _, e := range l.RevokedCertificateEntries {
		fmt.Fprintf(w, "  serial %x at %s\n", e.SerialNumber, e.RevocationTime.UTC().Format(time.RFC3339))
	}
}
