package wire

import "fmt"

// MaxAddrPerMsg is the most addresses in addr and addrv2 (Core's
// MAX_ADDR_TO_SEND, btcd's MaxAddrPerMsg).
const MaxAddrPerMsg = 1000

// MsgAddr is the "addr" message: addresses of peers the sender knows. Each
// entry carries a timestamp from NetAddressTimeVersion on; before
// MultipleAddressVersion a message held one address at most.
type MsgAddr struct {
	AddrList []NetAddress `json:"addresses"`
}

// Command implements Message.
func (*MsgAddr) Command() string { return CmdAddr }

func maxAddrs(pver uint32) int {
	if pver < MultipleAddressVersion {
		return 1
	}
	return MaxAddrPerMsg
}

func addrEntrySize(pver uint32) int {
	if pver >= NetAddressTimeVersion {
		return 4 + netAddressSize
	}
	return netAddressSize
}

// MaxPayloadLength implements Message.
func (*MsgAddr) MaxPayloadLength(pver uint32) uint32 {
	n := maxAddrs(pver)
	return uint32(VarIntSize(uint64(n)) + n*addrEntrySize(pver))
}

// Encode implements Message.
func (m *MsgAddr) Encode(b []byte, pver uint32, _ Encoding) ([]byte, error) {
	if max := maxAddrs(pver); len(m.AddrList) > max {
		return b, fmt.Errorf("%w: %d addresses > %d", ErrTooMany, len(m.AddrList), max)
	}
	withTime := pver >= NetAddressTimeVersion
	b = AppendVarInt(b, uint64(len(m.AddrList)))
	for i := range m.AddrList {
		b = m.AddrList[i].append(b, withTime)
	}
	return b, nil
}

// Decode implements Message.
func (m *MsgAddr) Decode(p []byte, pver uint32, _ Encoding) error {
	r := reader{buf: p}
	m.AddrList = nil
	n := r.count(uint64(maxAddrs(pver)), addrEntrySize(pver), "address count")
	if r.err != nil {
		return r.err
	}
	list := make([]NetAddress, n)
	withTime := pver >= NetAddressTimeVersion
	for i := range list {
		r.netAddress(&list[i], withTime)
	}
	r.end(CmdAddr)
	if r.err != nil {
		return r.err
	}
	m.AddrList = list
	return nil
}
