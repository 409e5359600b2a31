package wire

import (
	"math"
	"testing"
)

func TestMsgFeeFilter(t *testing.T) {
	tests := []struct {
		name string
		fee  int64
		want string
	}{
		{"1 sat/vB", 1000, "e803000000000000"},
		{"zero", 0, "0000000000000000"},
		{"max", math.MaxInt64, "ffffffffffffff7f"},
		{"negative is well-formed", -1, "ffffffffffffffff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			roundTrip(t, &MsgFeeFilter{MinFee: tt.fee}, ProtocolVersion, BaseEncoding, mustHex(t, tt.want))
			checkTruncations(t, CmdFeeFilter, mustHex(t, tt.want), ProtocolVersion, BaseEncoding, nil, false)
		})
	}
	checkBad(t, CmdFeeFilter, BaseEncoding, []badCase{
		{"empty", ProtocolVersion, nil, ErrShortPayload},
		{"short", ProtocolVersion, make([]byte, 7), ErrShortPayload},
		{"long", ProtocolVersion, make([]byte, 9), ErrTrailingBytes},
	})
}
