package certs

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"path/filepath"
	"time"
)

// crlNextUpdate is the NextUpdate written into CRLs. It is informational:
// the Verifier does not refuse stale lists (see the package documentation).
const crlNextUpdate = 365 * 24 * time.Hour

// Revoke adds the certificate in certFile (its first CERTIFICATE block, so a
// node.crt chain works) to the revocation list of the CA or agency in caDir,
// caDir/crl.pem, signed again with the CA's key and with its CRL number
// incremented. The certificate must have been issued by that CA
// (ErrNotIssuer otherwise): nodes are revoked by their agency, agencies and
// directly issued nodes by the root. Revoking a revoked certificate changes
// nothing. Nodes pick the change up once crl.pem is copied into their
// certificates directory.
func Revoke(caDir, certFile string) error {
	return revoke(caDir, certFile, time.Now())
}

func revoke(caDir, certFile string, now time.Time) error {
	a, err := LoadAuthority(caDir)
	if err != nil {
		return err
	}
	cert, err := readFirstCert(certFile)
	if err != nil {
		return err
	}
	if cert.Equal(a.Cert) {
		// Meaningless: whoever trusts the CA would trust its CRL saying so.
		// Distrust a root by removing it from ca.crt.
		return fmt.Errorf("certs: %s cannot revoke its own certificate", caDir)
	}
	if !bytes.Equal(cert.RawIssuer, a.Cert.RawSubject) || cert.CheckSignatureFrom(a.Cert) != nil {
		return fmt.Errorf("certs: %s (issuer %q) and %s (%q): %w",
			certFile, cert.Issuer.CommonName, caDir, a.Cert.Subject.CommonName, ErrNotIssuer)
	}
	path := filepath.Join(caDir, CRLFile)
	old, err := readCRLs(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	number := big.NewInt(1)
	var entries []x509.RevocationListEntry
	for _, l := range old {
		if !bytes.Equal(l.RawIssuer, a.Cert.RawSubject) || l.CheckSignatureFrom(a.Cert) != nil {
			return fmt.Errorf("certs: %s holds a CRL that %s did not sign", path, caDir)
		}
		for _, e := range l.RevokedCertificateEntries {
			if e.SerialNumber.Cmp(cert.SerialNumber) == 0 {
				return nil // already revoked
			}
			entries = append(entries, x509.RevocationListEntry{
				SerialNumber:   e.SerialNumber,
				RevocationTime: e.RevocationTime,
				ReasonCode:     e.ReasonCode,
			})
		}
		if l.Number != nil && l.Number.Cmp(number) >= 0 {
			number = new(big.Int).Add(l.Number, big.NewInt(1))
		}
	}
	entries = append(entries, x509.RevocationListEntry{SerialNumber: cert.SerialNumber, RevocationTime: now.UTC()})
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		RevokedCertificateEntries: entries,
		Number:                    number,
		ThisUpdate:                now.UTC(),
		NextUpdate:                now.Add(crlNextUpdate).UTC(),
	}, a.Cert, a.Key)
	if err != nil {
		return fmt.Errorf("certs: sign CRL: %w", err)
	}
	return writeFileAtomic(path, pem.EncodeToMemory(&pem.Block{Type: pemCRL, Bytes: der}), 0o644)
}

// ReadCRLs reads every X509 CRL block of a PEM file, in file order. Their
// signatures are not checked here. A file without any CRL block is an error.
func ReadCRLs(path string) ([]*x509.RevocationList, error) {
	lists, err := readCRLs(path)
	if err == nil && len(lists) == 0 {
		err = fmt.Errorf("certs: %s: no %s block", path, pemCRL)
	}
	return lists, err
}

// readCRLs is ReadCRLs that accepts an empty file.
func readCRLs(path string) ([]*x509.RevocationList, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	var lists []*x509.RevocationList
	for b, rest := pem.Decode(data); b != nil; b, rest = pem.Decode(rest) {
		if b.Type != pemCRL {
			continue
		}
		l, err := x509.ParseRevocationList(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certs: %s: %w", path, err)
		}
		lists = append(lists, l)
	}
	if len(lists) == 0 && len(bytes.TrimSpace(data)) > 0 {
		// Probably a DER file or the wrong file: not "nothing revoked".
		return nil, fmt.Errorf("certs: %s: no %s block", path, pemCRL)
	}
	return lists, nil
}
