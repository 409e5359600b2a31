package certs

import (
	"crypto"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net"
	"time"
)

// Default validity periods (see the package documentation).
const (
	DefaultCAValidity   = 20 * 365 * 24 * time.Hour
	DefaultNodeValidity = 10 * 365 * 24 * time.Hour
	// backdate is subtracted from the current time for NotBefore, so that a
	// peer whose clock is a little behind accepts a certificate just issued.
	backdate = time.Hour
)

// Options control how a certificate is issued. The zero value issues a P-256
// certificate with a default name, valid from now for the default period.
type Options struct {
	KeyType KeyType
	// Name is the subject common name. Defaults: "ledgernet CA",
	// "ledgernet agency", and "node-" with the first 16 hex digits of the
	// node ID.
	Name string
	// Validity is how long the certificate is valid from now; zero means
	// DefaultCAValidity for CAs and DefaultNodeValidity for nodes. It is cut
	// to the issuer's NotAfter.
	Validity time.Duration
	// NotBefore and NotAfter, when set, replace the computed bounds and are
	// used as given (tests issue expired certificates this way).
	NotBefore, NotAfter time.Time
	// Hosts are host names and IP addresses put in a node certificate's
	// subject alternative names, so the certificate also works for standard
	// host-name TLS (an HTTPS API). Peers of the network ignore them.
	Hosts []string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// bounds returns NotBefore and NotAfter for a certificate signed by issuer
// (nil for a self-signed root).
func (o *Options) bounds(def time.Duration, issuer *x509.Certificate) (time.Time, time.Time, error) {
	now := o.now()
	nb := now.Add(-backdate)
	if !o.NotBefore.IsZero() {
		nb = o.NotBefore
	}
	na := o.NotAfter
	if na.IsZero() {
		v := o.Validity
		if v == 0 {
			v = def
		}
		if v < 0 {
			return nb, na, fmt.Errorf("certs: negative validity %v", v)
		}
		na = now.Add(v)
		if issuer != nil && na.After(issuer.NotAfter) {
			na = issuer.NotAfter
		}
	}
	if !na.After(nb) {
		return nb, na, fmt.Errorf("certs: NotAfter %v is not after NotBefore %v", na, nb)
	}
	return nb, na, nil
}

// Authority is a certificate authority that issues certificates: the root CA
// or an agency CA signed by it.
type Authority struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	// Root is the root CA certificate; it is Cert itself for the root.
	Root *x509.Certificate
}

// isRoot reports whether a is the root CA (not an agency).
func (a *Authority) isRoot() bool { return a.Cert.Equal(a.Root) }

// NewCA creates a self-signed root CA.
func NewCA(opts Options) (*Authority, error) {
	key, err := generateKey(opts.KeyType)
	if err != nil {
		return nil, err
	}
	tmpl, err := caTemplate(&opts, "ledgernet CA", nil)
	if err != nil {
		return nil, err
	}
	tmpl.MaxPathLen = 1 // room for one agency level
	cert, err := sign(tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	return &Authority{Cert: cert, Key: key, Root: cert}, nil
}

// NewAgency creates an agency CA signed by a, which must be the root CA.
func (a *Authority) NewAgency(opts Options) (*Authority, error) {
	if !a.isRoot() {
		return nil, fmt.Errorf("certs: agency %q: %w", a.Cert.Subject.CommonName, ErrNotRoot)
	}
	key, err := generateKey(opts.KeyType)
	if err != nil {
		return nil, err
	}
	tmpl, err := caTemplate(&opts, "ledgernet agency", a.Cert)
	if err != nil {
		return nil, err
	}
	tmpl.MaxPathLen, tmpl.MaxPathLenZero = 0, true // agencies sign nodes only
	cert, err := sign(tmpl, a.Cert, key.Public(), a.Key)
	if err != nil {
		return nil, err
	}
	return &Authority{Cert: cert, Key: key, Root: a.Root}, nil
}

// NewNode issues a node certificate signed by a. The result's Certificate
// chain is the node certificate followed by a's certificate when a is an
// agency: the chain the node presents in TLS. Leaf is set.
func (a *Authority) NewNode(opts Options) (tls.Certificate, error) {
	key, err := generateKey(opts.KeyType)
	if err != nil {
		return tls.Certificate{}, err
	}
	id, err := NodeID(key.Public())
	if err != nil {
		return tls.Certificate{}, err
	}
	name := opts.Name
	if name == "" {
		name = "node-" + hex.EncodeToString(id[:8])
	}
	nb, na, err := opts.bounds(DefaultNodeValidity, a.Cert)
	if err != nil {
		return tls.Certificate{}, err
	}
	serial, err := randomSerial()
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             nb,
		NotAfter:              na,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
	for _, h := range opts.Hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	cert, err := sign(tmpl, a.Cert, key.Public(), a.Key)
	if err != nil {
		return tls.Certificate{}, err
	}
	chain := [][]byte{cert.Raw}
	if !a.isRoot() {
		chain = append(chain, a.Cert.Raw)
	}
	return tls.Certificate{Certificate: chain, PrivateKey: key, Leaf: cert}, nil
}

func caTemplate(opts *Options, defName string, issuer *x509.Certificate) (*x509.Certificate, error) {
	name := opts.Name
	if name == "" {
		name = defName
	}
	nb, na, err := opts.bounds(DefaultCAValidity, issuer)
	if err != nil {
		return nil, err
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	return &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             nb,
		NotAfter:              na,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}, nil
}

// sign creates and parses a certificate. crypto/x509 fills the subject key
// identifier of CAs and the authority key identifier from the parent.
func sign(tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		return nil, fmt.Errorf("certs: sign %q: %w", tmpl.Subject.CommonName, err)
	}
	return x509.ParseCertificate(der)
}

// serialLimit is 2^128: serial numbers are random 128-bit integers.
var serialLimit = new(big.Int).Lsh(big.NewInt(1), 128)

func randomSerial() (*big.Int, error) {
	for range 8 {
		n, err := rand.Int(rand.Reader, serialLimit)
		if err != nil {
			return nil, fmt.Errorf("certs: serial number: %w", err)
		}
		if n.Sign() > 0 { // RFC 5280 wants a positive serial
			return n, nil
		}
	}
	return nil, errors.New("certs: serial number: random source returns zeros")
}
