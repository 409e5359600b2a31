package v4wire

import "github.com/ledgernet/ledgernet/rlp"

// Neighbors answers Findnode with up to MaxNeighbors nodes; a full answer
// of 16 nodes takes two packets.
type Neighbors struct {
	Nodes      []Node
	Expiration uint64
	// Rest holds list elements after the known ones, as raw RLP.
	Rest [][]byte
}

// Name implements Packet.
func (*Neighbors) Name() string { return "NEIGHBORS/v4" }

// Kind implements Packet.
func (*Neighbors) Kind() byte { return NeighborsPacket }

// AppendRLP implements Packet.
func (p *Neighbors) AppendRLP(b []byte) []byte {
	b, start := rlp.StartList(b)
	b, nodes := rlp.StartList(b)
	for _, n := range p.Nodes {
		b = n.appendRLP(b)
	}
	b = rlp.EndList(b, nodes)
	b = rlp.AppendUint(b, p.Expiration)
	b = appendTail(b, p.Rest)
	return rlp.EndList(b, start)
}

func decodeNeighbors(s *rlp.Stream) (*Neighbors, error) {
	p := new(Neighbors)
	l, err := s.List()
	if err != nil {
		return nil, err
	}
	// The count is bounded by the packet size (1280 bytes, at least 70 per
	// node), so counting first allocates at most a few hundred entries.
	n, err := rlp.CountValues(l.Rest())
	if err != nil {
		return nil, err
	}
	p.Nodes = make([]Node, 0, n)
	for l.More() {
		node, err := decodeNode(&l)
		if err != nil {
			return nil, err
		}
		p.Nodes = append(p.Nodes, node)
	}
	if p.Expiration, err = s.Uint64(); err != nil {
		return nil, err
	}
	if p.Rest, err = decodeTail(s); err != nil {
		return nil, err
	}
	return p, nil
}
