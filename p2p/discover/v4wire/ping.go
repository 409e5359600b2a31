package v4wire

import "github.com/ledgernet/ledgernet/rlp"

// Ping asks a node to answer with Pong; it is also the first half of the
// endpoint proof.
type Ping struct {
	// Version is 4. Receivers do not check it (EIP-8).
	Version uint64
	// From is the sender's endpoint as the sender believes it to be.
	// Receivers use the UDP envelope's source instead.
	From Endpoint
	// To is the recipient's endpoint as the sender sees it.
	To         Endpoint
	Expiration uint64
	// ENRSeq is the sequence number of the sender's record (EIP-868), 0
	// when absent.
	ENRSeq uint64
	// Rest holds list elements after the known ones, as raw RLP.
	Rest [][]byte
}

// Name implements Packet.
func (*Ping) Name() string { return "PING/v4" }

// Kind implements Packet.
func (*Ping) Kind() byte { return PingPacket }

// AppendRLP implements Packet. ENRSeq is written when it is non-zero or
// Rest is not empty (it must hold its place before Rest).
func (p *Ping) AppendRLP(b []byte) []byte {
	b, start := rlp.StartList(b)
	b = rlp.AppendUint(b, p.Version)
	b = p.From.appendRLP(b)
	b = p.To.appendRLP(b)
	b = rlp.AppendUint(b, p.Expiration)
	if p.ENRSeq != 0 || len(p.Rest) > 0 {
		b = rlp.AppendUint(b, p.ENRSeq)
	}
	b = appendTail(b, p.Rest)
	return rlp.EndList(b, start)
}

func decodePing(s *rlp.Stream) (*Ping, error) {
	p := new(Ping)
	var err error
	if p.Version, err = s.Uint64(); err != nil {
		return nil, err
	}
	if p.From, err = decodeEndpoint(s); err != nil {
		return nil, err
	}
	if p.To, err = decodeEndpoint(s); err != nil {
		return nil, err
	}
	if p.Expiration, err = s.Uint64(); err != nil {
		return nil, err
	}
	if s.More() {
		if p.ENRSeq, err = s.Uint64(); err != nil {
			return nil, err
		}
	}
	if p.Rest, err = decodeTail(s); err != nil {
		return nil, err
	}
	return p, nil
}
