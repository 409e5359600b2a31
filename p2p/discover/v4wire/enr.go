package v4wire

import (
	"errors"

	"github.com/ledgernet/ledgernet/p2p/enr"
	"github.com/ledgernet/ledgernet/rlp"
)

// ENRRequest asks for the recipient's node record (EIP-868). Like
// Findnode, it is answered only after the endpoint proof.
type ENRRequest struct {
	Expiration uint64
	// Rest holds list elements after the known ones, as raw RLP.
	Rest [][]byte
}

// Name implements Packet.
func (*ENRRequest) Name() string { return "ENRREQUEST/v4" }

// Kind implements Packet.
func (*ENRRequest) Kind() byte { return ENRRequestPacket }

// AppendRLP implements Packet.
func (p *ENRRequest) AppendRLP(b []byte) []byte {
	b, start := rlp.StartList(b)
	b = rlp.AppendUint(b, p.Expiration)
	b = appendTail(b, p.Rest)
	return rlp.EndList(b, start)
}

func decodeENRRequest(s *rlp.Stream) (*ENRRequest, error) {
	p := new(ENRRequest)
	var err error
	if p.Expiration, err = s.Uint64(); err != nil {
		return nil, err
	}
	if p.Rest, err = decodeTail(s); err != nil {
		return nil, err
	}
	return p, nil
}

// ENRResponse answers ENRRequest with the sender's record.
type ENRResponse struct {
	// ReplyTok is the hash of the ENRRequest packet.
	ReplyTok Hash
	// Record is the sender's record. Decode checks its structure and size
	// but not its signature, as go-ethereum does; the receiver verifies it
	// and that it belongs to the sender.
	Record *enr.Record
	// Rest holds list elements after the known ones, as raw RLP.
	Rest [][]byte
}

// Name implements Packet.
func (*ENRResponse) Name() string { return "ENRRESPONSE/v4" }

// Kind implements Packet.
func (*ENRResponse) Kind() byte { return ENRResponsePacket }

// AppendRLP implements Packet. A record that cannot be encoded (unsigned)
// is written as an empty list, which receivers reject.
func (p *ENRResponse) AppendRLP(b []byte) []byte {
	b, start := rlp.StartList(b)
	b = rlp.AppendBytes(b, p.ReplyTok[:])
	enc := []byte{0xc0}
	if p.Record != nil {
		if e, err := p.Record.Encode(); err == nil {
			enc = e
		}
	}
	b = append(b, enc...)
	b = appendTail(b, p.Rest)
	return rlp.EndList(b, start)
}

var errReplyTokSize = errors.New("reply token must be 32 bytes")

func decodeENRResponse(s *rlp.Stream) (*ENRResponse, error) {
	p := new(ENRResponse)
	tok, err := s.Bytes()
	if err != nil {
		return nil, err
	}
	if len(tok) != len(p.ReplyTok) {
		return nil, errReplyTokSize
	}
	copy(p.ReplyTok[:], tok)
	raw, err := s.Raw()
	if err != nil {
		return nil, err
	}
	if p.Record, err = enr.DecodeUnverified(raw); err != nil {
		return nil, err
	}
	if p.Rest, err = decodeTail(s); err != nil {
		return nil, err
	}
	return p, nil
}
