package wire

import "encoding/binary"

// MsgFeeFilter is the "feefilter" message (BIP133, from FeeFilterVersion): the
// peer asks not to be told of transactions paying less than MinFee
// satoshis per 1,000 virtual bytes.
type MsgFeeFilter struct {
	MinFee int64 `json:"min_fee"`
}

// Command implements Message.
func (*MsgFeeFilter) Command() string { return CmdFeeFilter }

// MaxPayloadLength implements Message.
func (*MsgFeeFilter) MaxPayloadLength(uint32) uint32 { return 8 }

// Encode implements Message.
func (m *MsgFeeFilter) Encode(b []byte, _ uint32, _ Encoding) ([]byte, error) {
	return binary.LittleEndian.AppendUint64(b, uint64(m.MinFee)), nil
}

// Decode implements Message. A negative or absurd fee rate is well-formed;
// judging it (Core ignores values outside MoneyRange) is the peer's job.
func (m *MsgFeeFilter) Decode(p []byte, _ uint32, _ Encoding) error {
	r := reader{buf: p}
	m.MinFee = int64(r.u64("fee filter"))
	r.end(CmdFeeFilter)
	return r.err
}
