package v4wire

import "github.com/ledgernet/ledgernet/rlp"

// Findnode asks for the nodes closest to Target. It is answered only to a
// node that has completed the endpoint proof, because the answer is up to
// ~10 times larger than the question.
type Findnode struct {
	// Target is a public key; the distance is measured to its node ID,
	// keccak256(Target). It need not be a point on the curve.
	Target     Pubkey
	Expiration uint64
	// Rest holds list elements after the known ones, as raw RLP.
	Rest [][]byte
}

// Name implements Packet.
func (*Findnode) Name() string { return "FINDNODE/v4" }

// Kind implements Packet.
func (*Findnode) Kind() byte { return FindnodePacket }

// AppendRLP implements Packet.
func (p *Findnode) AppendRLP(b []byte) []byte {
	b, start := rlp.StartList(b)
	b = rlp.AppendBytes(b, p.Target[:])
	b = rlp.AppendUint(b, p.Expiration)
	b = appendTail(b, p.Rest)
	return rlp.EndList(b, start)
}

func decodeFindnode(s *rlp.Stream) (*Findnode, error) {
	p := new(Findnode)
	var err error
	if err = decodePubkey(s, &p.Target); err != nil {
		return nil, err
	}
	if p.Expiration, err = s.Uint64(); err != nil {
		return nil, err
	}
	if p.Rest, err = decodeTail(s); err != nil {
		return nil, err
	}
	return p, nil
}
