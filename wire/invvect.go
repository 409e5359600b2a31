package wire

import (
	"fmt"
	"strconv"
)

// MaxInvPerMsg is the most entries in inv, getdata and notfound (Core's
// MAX_INV_SZ, btcd's MaxInvPerMsg).
const MaxInvPerMsg = 50000

// invVectSize is type (4) + hash (32).
const invVectSize = 4 + HashSize

// InvType says what an inventory entry names.
type InvType uint32

// InvWitnessFlag marks a getdata request for the witness serialization
// (BIP144).
const InvWitnessFlag InvType = 1 << 30

// Inventory types (Core's GetDataMsg).
const (
	InvTypeError         InvType = 0
	InvTypeTx            InvType = 1
	InvTypeBlock         InvType = 2
	InvTypeFilteredBlock InvType = 3 // BIP37 merkleblock
	InvTypeCmpctBlock    InvType = 4 // BIP152
	InvTypeWTx           InvType = 5 // BIP339, names a tx by wtxid

	InvTypeWitnessTx            = InvTypeTx | InvWitnessFlag
	InvTypeWitnessBlock         = InvTypeBlock | InvWitnessFlag
	InvTypeFilteredWitnessBlock = InvTypeFilteredBlock | InvWitnessFlag
)

var invTypeNames = map[InvType]string{
	InvTypeError:                "ERROR",
	InvTypeTx:                   "MSG_TX",
	InvTypeBlock:                "MSG_BLOCK",
	InvTypeFilteredBlock:        "MSG_FILTERED_BLOCK",
	InvTypeCmpctBlock:           "MSG_CMPCT_BLOCK",
	InvTypeWTx:                  "MSG_WTX",
	InvTypeWitnessTx:            "MSG_WITNESS_TX",
	InvTypeWitnessBlock:         "MSG_WITNESS_BLOCK",
	InvTypeFilteredWitnessBlock: "MSG_FILTERED_WITNESS_BLOCK",
}

// String returns Core's name for the type, or its value in hex.
func (t InvType) String() string {
	if s, ok := invTypeNames[t]; ok {
		return s
	}
	return "0x" + strconv.FormatUint(uint64(t), 16)
}

// MarshalText implements encoding.TextMarshaler with String.
func (t InvType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// InvVect is one inventory entry. Unknown types decode without error, as in
// Core and btcd: a peer ignores entries it does not understand.
type InvVect struct {
	Type InvType `json:"type"`
	Hash Hash    `json:"hash"`
}

func appendInvList(b []byte, list []InvVect) ([]byte, error) {
	if len(list) > MaxInvPerMsg {
		return b, fmt.Errorf("%w: %d inventory entries > %d", ErrTooMany, len(list), MaxInvPerMsg)
	}
	b = AppendVarInt(b, uint64(len(list)))
	for i := range list {
		b = append(b, byte(list[i].Type), byte(list[i].Type>>8), byte(list[i].Type>>16), byte(list[i].Type>>24))
		b = append(b, list[i].Hash[:]...)
	}
	return b, nil
}

// decodeInvList decodes a whole inv-shaped payload, reusing list's capacity.
func decodeInvList(p []byte, list []InvVect, cmd string) ([]InvVect, error) {
	r := reader{buf: p}
	n := r.count(MaxInvPerMsg, invVectSize, "inventory count")
	if r.err != nil {
		return list[:0], r.err
	}
	if cap(list) < n {
		list = make([]InvVect, n)
	}
	list = list[:n]
	for i := range list {
		list[i].Type = InvType(r.u32("inventory type"))
		list[i].Hash = r.hash("inventory hash")
	}
	r.end(cmd)
	if r.err != nil {
		return list[:0], r.err
	}
	return list, nil
}

func maxInvPayload() uint32 { return uint32(VarIntSize(MaxInvPerMsg) + MaxInvPerMsg*invVectSize) }
