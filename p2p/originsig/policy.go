package originsig

import (
	"errors"
	"fmt"

	"github.com/ledgernet/ledgernet/p2p/enode"
)

// Policy says whether signatures are required on what peers relay.
type Policy uint8

const (
	// Require refuses anything unsigned. It is the zero value: the open
	// network must never trust a relay's word for who originated something.
	Require Policy = iota
	// Optional accepts unsigned content (a permissioned network, where every
	// peer is a CA-certified member) but still verifies every signature that
	// is present.
	Optional
)

// ErrUnsigned is returned by Check for missing signatures under Require.
var ErrUnsigned = errors.New("originsig: unsigned")

// Check applies the policy: an empty sig is ErrUnsigned under Require and
// accepted under Optional; any other sig must verify.
func (p Policy) Check(origin enode.ID, digest [32]byte, sig []byte) error {
	if len(sig) == 0 {
		if p == Optional {
			return nil
		}
		return ErrUnsigned
	}
	return Verify(origin, digest, sig)
}

func (p Policy) String() string {
	switch p {
	case Require:
		return "require"
	case Optional:
		return "optional"
	}
	return "invalid"
}

// Identity checks a service's signing setup and returns the node ID the
// service speaks for: the Signer's, when there is one (id, if set, must
// match it); otherwise id, which is allowed only under the Optional policy,
// since without a Signer nothing can be signed.
func Identity(s Signer, id enode.ID, p Policy) (enode.ID, error) {
	switch {
	case s != nil:
		if !id.IsZero() && id != s.ID() {
			return id, errors.New("Config.ID is not the Signer's ID")
		}
		id = s.ID()
	case p != Optional:
		return id, errors.New("no Signer, and signatures are required")
	case id.IsZero():
		return id, errors.New("no Signer and no ID")
	}
	if p > Optional {
		return id, fmt.Errorf("invalid signature policy %d", p)
	}
	return id, nil
}
