package certs

import "errors"

// Reasons a peer's certificate is refused. Each verification error wraps
// exactly one of them; test with errors.Is, label metrics with Reason.
var (
	ErrNoCertificate      = errors.New("no certificate")
	ErrUnknownCA          = errors.New("unknown CA")
	ErrExpired            = errors.New("expired") // also not yet valid
	ErrRevoked            = errors.New("revoked")
	ErrBadKeyUsage        = errors.New("bad key usage")
	ErrUnexpectedID       = errors.New("unexpected node ID")
	ErrUnsupportedKey     = errors.New("unsupported key")
	ErrInvalidCertificate = errors.New("invalid certificate")
	ErrOldTLSVersion      = errors.New("old TLS version")
)

// Errors of issuing and revoking.
var (
	// ErrNotIssuer is returned by Revoke for a certificate that the given CA
	// did not sign.
	ErrNotIssuer = errors.New("certificate not issued by this CA")
	// ErrNotRoot is returned when an agency is asked to issue an agency: the
	// hierarchy has at most one intermediate level.
	ErrNotRoot = errors.New("only the root CA can issue agencies")
)

// refusals lists the refusal sentinels in the order Reason tests them.
var refusals = []error{
	ErrNoCertificate, ErrUnknownCA, ErrExpired, ErrRevoked, ErrBadKeyUsage,
	ErrUnexpectedID, ErrUnsupportedKey, ErrInvalidCertificate, ErrOldTLSVersion,
}

// Reason returns the short label of the refusal in err's chain ("unknown CA",
// "revoked", ...), "" for a nil error and "other" for an error that is not a
// refusal of this package (a network error, a TLS protocol error, the remote
// side's alert).
func Reason(err error) string {
	if err == nil {
		return ""
	}
	for _, r := range refusals {
		if errors.Is(err, r) {
			return r.Error()
		}
	}
	return "other"
}
