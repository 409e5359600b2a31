package certs

import (
	"bytes"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/ledgernet/ledgernet/internal/atomicfile"
	"github.com/ledgernet/ledgernet/p2p/enode"
)

// File names inside CA, agency and node directories.
const (
	CACertFile     = "ca.crt"
	CAKeyFile      = "ca.key"
	AgencyCertFile = "agency.crt"
	AgencyKeyFile  = "agency.key"
	ChainFile      = "chain.crt"
	NodeCertFile   = "node.crt"
	NodeKeyFile    = "node.key"
	CRLFile        = "crl.pem"
)

// PEM block types.
const (
	pemCertificate = "CERTIFICATE"
	pemPrivateKey  = "PRIVATE KEY"
	pemCRL         = "X509 CRL"
)

// maxFileSize caps every file this package reads. A CRL of 100,000 entries is
// about 4 MB.
const maxFileSize = 32 << 20

// CreateCA creates a root CA and writes ca.crt and ca.key (0600) into dir,
// creating dir (0700) if needed. Existing files are never overwritten.
func CreateCA(dir string, opts Options) (*Authority, error) {
	a, err := NewCA(opts)
	if err != nil {
		return nil, err
	}
	keyPEM, err := encodeKey(a.Key)
	if err != nil {
		return nil, err
	}
	return a, writeFiles(dir, []file{
		{CAKeyFile, keyPEM, 0o600},
		{CACertFile, encodeCerts(a.Cert), 0o644},
	})
}

// CreateAgency creates an agency CA signed by the root CA in caDir and writes
// agency.crt, agency.key, ca.crt and chain.crt into dir.
func CreateAgency(caDir, dir string, opts Options) (*Authority, error) {
	ca, err := LoadAuthority(caDir)
	if err != nil {
		return nil, err
	}
	a, err := ca.NewAgency(opts)
	if err != nil {
		return nil, err
	}
	keyPEM, err := encodeKey(a.Key)
	if err != nil {
		return nil, err
	}
	return a, writeFiles(dir, []file{
		{AgencyKeyFile, keyPEM, 0o600},
		{AgencyCertFile, encodeCerts(a.Cert), 0o644},
		{CACertFile, encodeCerts(a.Root), 0o644},
		{ChainFile, encodeCerts(a.Cert, a.Root), 0o644},
	})
}

// CreateNode issues a node certificate signed by the CA or agency in
// issuerDir and writes node.key, node.crt (with the agency certificate
// appended when an agency signed it) and ca.crt into dir. It returns the node
// as LoadNode would.
func CreateNode(issuerDir, dir string, opts Options) (*Node, error) {
	a, err := LoadAuthority(issuerDir)
	if err != nil {
		return nil, err
	}
	cert, err := a.NewNode(opts)
	if err != nil {
		return nil, err
	}
	keyPEM, err := encodeKey(cert.PrivateKey.(crypto.Signer))
	if err != nil {
		return nil, err
	}
	var chain bytes.Buffer
	for _, der := range cert.Certificate {
		pem.Encode(&chain, &pem.Block{Type: pemCertificate, Bytes: der})
	}
	if err := writeFiles(dir, []file{
		{NodeKeyFile, keyPEM, 0o600},
		{NodeCertFile, chain.Bytes(), 0o644},
		{CACertFile, encodeCerts(a.Root), 0o644},
	}); err != nil {
		return nil, err
	}
	id, _ := NodeID(cert.Leaf.PublicKey) // NewNode already derived it
	return &Node{
		Certificate: cert,
		ID:          id,
		Roots:       []*x509.Certificate{a.Root},
		CRLFile:     filepath.Join(dir, CRLFile),
	}, nil
}

// LoadAuthority loads the CA in dir: the agency (agency.crt, agency.key and
// ca.crt) when agency.key exists, else the root CA (ca.crt, ca.key).
func LoadAuthority(dir string) (*Authority, error) {
	certName, keyName := AgencyCertFile, AgencyKeyFile
	if _, err := os.Stat(filepath.Join(dir, keyName)); errors.Is(err, fs.ErrNotExist) {
		certName, keyName = CACertFile, CAKeyFile
	}
	key, err := readKey(filepath.Join(dir, keyName))
	if err != nil {
		return nil, err
	}
	cert, err := readFirstCert(filepath.Join(dir, certName))
	if err != nil {
		return nil, err
	}
	if !cert.IsCA {
		return nil, fmt.Errorf("certs: %s is not a CA certificate", filepath.Join(dir, certName))
	}
	if pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("certs: %s does not match %s", keyName, filepath.Join(dir, certName))
	}
	a := &Authority{Cert: cert, Key: key, Root: cert}
	if certName == AgencyCertFile {
		if a.Root, err = readFirstCert(filepath.Join(dir, CACertFile)); err != nil {
			return nil, err
		}
		if err := cert.CheckSignatureFrom(a.Root); err != nil {
			return nil, fmt.Errorf("certs: %s is not signed by %s: %w", certName, CACertFile, err)
		}
	}
	return a, nil
}

// Node is what a node loads from its certificates directory.
type Node struct {
	// Certificate is node.crt's chain with node.key; Leaf is set.
	Certificate tls.Certificate
	ID          enode.ID
	// Roots are the certificates of ca.crt, the trusted roots.
	Roots []*x509.Certificate
	// CRLFile is the path of the directory's crl.pem, which may not exist.
	CRLFile string
}

// LoadNode loads node.crt, node.key and ca.crt from dir.
func LoadNode(dir string) (*Node, error) {
	certPEM, err := readFile(filepath.Join(dir, NodeCertFile))
	if err != nil {
		return nil, err
	}
	keyPEM, err := readFile(filepath.Join(dir, NodeKeyFile))
	if err != nil {
		return nil, err
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("certs: %s: %w", dir, err)
	}
	if cert.Leaf == nil {
		if cert.Leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return nil, fmt.Errorf("certs: %s: %w", filepath.Join(dir, NodeCertFile), err)
		}
	}
	id, err := NodeID(cert.Leaf.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("certs: %s: %w", filepath.Join(dir, NodeCertFile), err)
	}
	roots, err := ReadCertificates(filepath.Join(dir, CACertFile))
	if err != nil {
		return nil, err
	}
	return &Node{Certificate: cert, ID: id, Roots: roots, CRLFile: filepath.Join(dir, CRLFile)}, nil
}

// ReadCertificates reads every CERTIFICATE block of a PEM file; other blocks
// are skipped. It fails when there is none.
func ReadCertificates(path string) ([]*x509.Certificate, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for b, rest := pem.Decode(data); b != nil; b, rest = pem.Decode(rest) {
		if b.Type != pemCertificate {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certs: %s: %w", path, err)
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("certs: %s: no %s block", path, pemCertificate)
	}
	return certs, nil
}

func readFirstCert(path string) (*x509.Certificate, error) {
	certs, err := ReadCertificates(path)
	if err != nil {
		return nil, err
	}
	return certs[0], nil
}

func readKey(path string) (crypto.Signer, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	for b, rest := pem.Decode(data); b != nil; b, rest = pem.Decode(rest) {
		if b.Type != pemPrivateKey {
			continue
		}
		k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certs: %s: %w", path, err)
		}
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("certs: %s: key %T: %w", path, k, ErrUnsupportedKey)
		}
		if _, err := KeyTypeOf(s.Public()); err != nil {
			return nil, fmt.Errorf("certs: %s: %w", path, err)
		}
		return s, nil
	}
	return nil, fmt.Errorf("certs: %s: no %s block", path, pemPrivateKey)
}

// readFile reads a whole file of at most maxFileSize bytes.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("certs: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("certs: %w", err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("certs: %s is larger than %d bytes", path, maxFileSize)
	}
	return data, nil
}

func encodeKey(k crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, fmt.Errorf("certs: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemPrivateKey, Bytes: der}), nil
}

func encodeCerts(certs ...*x509.Certificate) []byte {
	var b bytes.Buffer
	for _, c := range certs {
		pem.Encode(&b, &pem.Block{Type: pemCertificate, Bytes: c.Raw})
	}
	return b.Bytes()
}

type file struct {
	name string
	data []byte
	mode fs.FileMode
}

// writeFiles writes files into dir, creating dir with mode 0700 if needed.
// It refuses to replace a file that exists with other content (a key is never
// overwritten); a file that already holds the same bytes is left alone, so a
// node may be created in a directory that already has the same ca.crt.
func writeFiles(dir string, files []file) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("certs: %w", err)
	}
	var todo []file
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		old, err := os.ReadFile(path)
		switch {
		case err == nil && bytes.Equal(old, f.data):
			continue
		case err == nil:
			return fmt.Errorf("certs: %s: %w", path, fs.ErrExist)
		case !errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("certs: %w", err)
		}
		todo = append(todo, f)
	}
	for _, f := range todo {
		if err := writeFileAtomic(filepath.Join(dir, f.name), f.data, f.mode); err != nil {
			return err
		}
	}
	return nil
}

// writeFileAtomic writes through a temporary file renamed into place, so a
// reader (a Verifier polling crl.pem) never sees a half-written file and a
// crash leaves either the old or the new content.
func writeFileAtomic(path string, data []byte, mode fs.FileMode) error {
	if err := atomicfile.Replace(path, data, mode); err != nil {
		return fmt.Errorf("certs: %w", err)
	}
	return nil
}
