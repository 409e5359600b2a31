package v4wire

import (
	"bytes"

	"github.com/ledgernet/ledgernet/rlp"
)

// Pong answers Ping. A Pong whose ReplyTok is the hash of our Ping, from
// the node and IP we pinged, proves that the node controls that endpoint.
type Pong struct {
	// To mirrors the UDP envelope source of the Ping: it tells the pinger
	// how it is seen from outside (after NAT).
	To Endpoint
	// ReplyTok is the hash of the Ping packet.
	ReplyTok   []byte
	Expiration uint64
	// ENRSeq is the sequence number of the sender's record (EIP-868), 0
	// when absent.
	ENRSeq uint64
	// Rest holds list elements after the known ones, as raw RLP.
	Rest [][]byte
}

// Name implements Packet.
func (*Pong) Name() string { return "PONG/v4" }

// Kind implements Packet.
func (*Pong) Kind() byte { return PongPacket }

// AppendRLP implements Packet.
func (p *Pong) AppendRLP(b []byte) []byte {
	b, start := rlp.StartList(b)
	b = p.To.appendRLP(b)
	b = rlp.AppendBytes(b, p.ReplyTok)
	b = rlp.AppendUint(b, p.Expiration)
	if p.ENRSeq != 0 || len(p.Rest) > 0 {
		b = rlp.AppendUint(b, p.ENRSeq)
	}
	b = appendTail(b, p.Rest)
	return rlp.EndList(b, start)
}

func decodePong(s *rlp.Stream) (*Pong, error) {
	p := new(Pong)
	var err error
	if p.To, err = decodeEndpoint(s); err != nil {
		return nil, err
	}
	tok, err := s.Bytes()
	if err != nil {
		return nil, err
	}
	p.ReplyTok = bytes.Clone(tok)
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
