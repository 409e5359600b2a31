package certs

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/ledgernet/ledgernet/p2p/enode"
)

// DefaultReloadInterval is how often at most a Verifier looks at its CRL
// file's modification time.
const DefaultReloadInterval = time.Second

// maxChainLen caps the certificates a peer may send: node, agency, and a
// root some implementations include. Checked before any chain building.
const maxChainLen = 4

// maxCRLSigCache bounds the cache of checked CRL signatures. Only issuers that
// chain to a trusted root reach it, so it stays tiny in practice.
const maxCRLSigCache = 256

// VerifierConfig configures a Verifier. Only Roots is required.
type VerifierConfig struct {
	// Roots are the trusted root CAs (ca.crt).
	Roots []*x509.Certificate
	// Intermediates are agency certificates known locally, used when a peer
	// does not send its agency. Optional.
	Intermediates []*x509.Certificate
	// CRLFile is the revocation list file (crl.pem); "" means none. The file
	// may not exist yet.
	CRLFile string
	// ReloadInterval is the least time between two checks of CRLFile;
	// zero means DefaultReloadInterval.
	ReloadInterval time.Duration
	// Now is the clock for validity periods and reloads; nil means time.Now.
	Now func() time.Time
	// Logger receives warnings about a CRL file that cannot be used; nil
	// discards them.
	Logger *slog.Logger
}

// Verifier checks the certificate chains of peers against the network's
// roots and revocation list. It is safe for concurrent use and owns no
// goroutine: the revocation list is reloaded in the verification path.
type Verifier struct {
	roots         *x509.CertPool
	intermediates []*x509.Certificate
	crlFile       string
	interval      time.Duration
	now           func() time.Time
	log           *slog.Logger

	mu        sync.Mutex // guards revoked, lastCheck, lastStat
	revoked   *revocations
	lastCheck time.Time
	lastStat  os.FileInfo
}

// NewVerifier returns a Verifier. It reads the CRL file once and fails if
// the file exists but cannot be parsed.
func NewVerifier(cfg VerifierConfig) (*Verifier, error) {
	if len(cfg.Roots) == 0 {
		return nil, errors.New("certs: verifier needs at least one root CA")
	}
	v := &Verifier{
		roots:         x509.NewCertPool(),
		intermediates: slices.Clone(cfg.Intermediates),
		crlFile:       cfg.CRLFile,
		interval:      cfg.ReloadInterval,
		now:           cfg.Now,
		log:           cfg.Logger,
	}
	for _, r := range cfg.Roots {
		v.roots.AddCert(r)
	}
	if v.interval <= 0 {
		v.interval = DefaultReloadInterval
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.log == nil {
		v.log = slog.New(slog.DiscardHandler)
	}
	if v.crlFile != "" {
		if err := v.Reload(); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// Reload rereads the CRL file now, whether or not it changed. On error the
// previous list stays in force. Verify rereads the file by itself when its
// modification time, size or inode change; Reload is for a change that keeps
// all three (two writes of one size within the file system's timestamp
// granularity) or for a reload on a signal.
func (v *Verifier) Reload() error {
	if v.crlFile == "" {
		return nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.lastCheck = v.now()
	return v.reloadLocked(true)
}

// Verify checks a peer's certificate chain (leaf first, as TLS delivers it)
// and returns the peer's node ID. When expected is not nil the ID must equal
// it. Errors wrap one of the refusal sentinels (ErrUnknownCA, ErrExpired,
// ErrRevoked, ...).
func (v *Verifier) Verify(chain []*x509.Certificate, expected *enode.ID) (enode.ID, error) {
	var id enode.ID
	if len(chain) == 0 {
		return id, fmt.Errorf("certs: peer sent %w", ErrNoCertificate)
	}
	leaf := chain[0]
	if len(chain) > maxChainLen {
		return id, fmt.Errorf("certs: peer %q sent %d certificates, at most %d allowed: %w",
			leaf.Subject.CommonName, len(chain), maxChainLen, ErrInvalidCertificate)
	}
	pool := x509.NewCertPool()
	for _, c := range chain[1:] {
		pool.AddCert(c)
	}
	for _, c := range v.intermediates {
		pool.AddCert(c)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{
		Roots:         v.roots,
		Intermediates: pool,
		CurrentTime:   v.now(),
		// Usages are checked below, and more strictly: x509 takes a leaf
		// without extended key usages as good for anything.
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return id, fmt.Errorf("certs: peer %q: %w: %w", leaf.Subject.CommonName, classify(err), err)
	}
	if err := checkNodeUsage(leaf); err != nil {
		return id, fmt.Errorf("certs: peer %q: %w", leaf.Subject.CommonName, err)
	}
	if id, err = NodeID(leaf.PublicKey); err != nil {
		return id, fmt.Errorf("certs: peer %q: %w", leaf.Subject.CommonName, err)
	}
	if rev := v.current(); rev != nil {
		for _, ch := range chains {
			// The root is the last element; a CA cannot revoke itself.
			for i := 0; i+1 < len(ch); i++ {
				if rev.has(ch[i], ch[i+1], v.log) {
					return id, fmt.Errorf("certs: peer %q: certificate %q serial %x: %w",
						leaf.Subject.CommonName, ch[i].Subject.CommonName, ch[i].SerialNumber, ErrRevoked)
				}
			}
		}
	}
	if expected != nil && id != *expected {
		return id, fmt.Errorf("certs: peer %q has ID %x, want %x: %w", leaf.Subject.CommonName, id, *expected, ErrUnexpectedID)
	}
	return id, nil
}

// classify maps a crypto/x509 verification error to a refusal sentinel.
func classify(err error) error {
	if _, ok := errors.AsType[x509.UnknownAuthorityError](err); ok {
		return ErrUnknownCA
	}
	if ci, ok := errors.AsType[x509.CertificateInvalidError](err); ok {
		switch ci.Reason {
		case x509.Expired:
			return ErrExpired
		case x509.IncompatibleUsage, x509.NotAuthorizedToSign, x509.CANotAuthorizedForExtKeyUsage:
			return ErrBadKeyUsage
		}
	}
	return ErrInvalidCertificate
}

// checkNodeUsage requires what Issue puts in node certificates: not a CA,
// digital signature, and both TLS server and client auth, since every node
// both dials and accepts.
func checkNodeUsage(c *x509.Certificate) error {
	if c.IsCA {
		return fmt.Errorf("CA certificate used as a node certificate: %w", ErrBadKeyUsage)
	}
	if c.KeyUsage != 0 && c.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		return fmt.Errorf("key usage lacks digital signature: %w", ErrBadKeyUsage)
	}
	if !slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageServerAuth) || !slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageClientAuth) {
		return fmt.Errorf("extended key usage must hold TLS server and client auth: %w", ErrBadKeyUsage)
	}
	return nil
}

// current returns the revocation lists in force, rereading the file first if
// the last look at it is ReloadInterval old and it changed since.
func (v *Verifier) current() *revocations {
	if v.crlFile == "" {
		return nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	now := v.now()
	if d := now.Sub(v.lastCheck); d >= 0 && d < v.interval {
		return v.revoked
	}
	v.lastCheck = now
	if err := v.reloadLocked(false); err != nil {
		v.log.Warn("revocation list not reloaded; keeping the previous one", "file", v.crlFile, "err", err)
	}
	return v.revoked
}

// reloadLocked rereads the CRL file if force is set or it changed. v.mu must
// be held.
func (v *Verifier) reloadLocked(force bool) error {
	fi, err := os.Stat(v.crlFile)
	if errors.Is(err, fs.ErrNotExist) {
		v.revoked, v.lastStat = nil, nil // removed: nothing is revoked
		return nil
	}
	if err != nil {
		return fmt.Errorf("certs: %w", err)
	}
	if !force && v.lastStat != nil && os.SameFile(fi, v.lastStat) &&
		fi.ModTime().Equal(v.lastStat.ModTime()) && fi.Size() == v.lastStat.Size() {
		return nil
	}
	// Remember the file even if it is bad, so it is reported once, not on
	// every check; fixing it changes its modification time.
	v.lastStat = fi
	lists, err := readCRLs(v.crlFile)
	if err != nil {
		return err
	}
	v.revoked = newRevocations(lists)
	return nil
}

// revocations is one parsed CRL file. Apart from sigs it is immutable.
type revocations struct {
	lists []crl

	mu   sync.Mutex // guards sigs
	sigs map[sigKey]bool
}

type crl struct {
	list    *x509.RevocationList
	serials map[string]struct{} // big-endian serial bytes
}

// sigKey names a (CRL, issuer certificate) pair whose signature was checked.
type sigKey struct {
	list   int
	issuer string // the issuer certificate's DER
}

func newRevocations(lists []*x509.RevocationList) *revocations {
	r := &revocations{sigs: make(map[sigKey]bool)}
	for _, l := range lists {
		c := crl{list: l, serials: make(map[string]struct{}, len(l.RevokedCertificateEntries))}
		for _, e := range l.RevokedCertificateEntries {
			c.serials[string(e.SerialNumber.Bytes())] = struct{}{}
		}
		r.lists = append(r.lists, c)
	}
	return r
}

// has reports whether cert, signed by issuer, is on a CRL that issuer signed.
// A CRL naming the issuer but with a bad signature is ignored, and logged:
// it is not authentic.
func (r *revocations) has(cert, issuer *x509.Certificate, log *slog.Logger) bool {
	serial := cert.SerialNumber.Bytes()
	for i, c := range r.lists {
		if !bytes.Equal(c.list.RawIssuer, cert.RawIssuer) {
			continue
		}
		if _, ok := c.serials[string(serial)]; !ok {
			continue
		}
		if r.signedBy(i, issuer, log) {
			return true
		}
	}
	return false
}

func (r *revocations) signedBy(i int, issuer *x509.Certificate, log *slog.Logger) bool {
	k := sigKey{i, string(issuer.Raw)}
	r.mu.Lock()
	ok, cached := r.sigs[k]
	r.mu.Unlock()
	if cached {
		return ok
	}
	err := r.lists[i].list.CheckSignatureFrom(issuer)
	if err != nil {
		log.Warn("ignoring a revocation list with a bad signature", "issuer", issuer.Subject.CommonName, "err", err)
	}
	r.mu.Lock()
	if len(r.sigs) < maxCRLSigCache {
		r.sigs[k] = err == nil
	}
	r.mu.Unlock()
	return err == nil
}
