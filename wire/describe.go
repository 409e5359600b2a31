package wire

import (
	"encoding/hex"
	"errors"
	"fmt"
)

// EnvelopeInfo describes one envelope for tools; it marshals to JSON.
type EnvelopeInfo struct {
	// Network is the magic's registered name, or "unknown".
	Network string `json:"network"`
	// Magic is the 4 magic bytes as they appear on the wire, in hex.
	Magic      string `json:"magic"`
	Command    string `json:"command"`
	Length     uint32 `json:"length"`
	Checksum   string `json:"checksum"`
	ChecksumOK bool   `json:"checksum_ok"`
	// Known reports whether this package decodes the command.
	Known bool `json:"known"`
	// Payload is the decoded message, when it decodes.
	Payload Message `json:"payload,omitempty"`
	// Error says why the payload did not decode.
	Error string `json:"error,omitempty"`
}

// DescribeEnvelope decodes a whole envelope of any network. It fails only
// when the envelope itself is unusable (short, over the length cap, a bad
// command, or a length that does not match); a bad checksum or an
// undecodable payload is reported in the result. Payloads are decoded at
// ProtocolVersion with WitnessEncoding; the decoded message aliases raw.
func DescribeEnvelope(raw []byte) (EnvelopeInfo, error) {
	h, payload, err := DecodeEnvelope(raw)
	if err != nil {
		return EnvelopeInfo{}, err
	}
	info := EnvelopeInfo{
		Network:  "unknown",
		Magic:    h.Net.Hex(),
		Command:  h.Command,
		Length:   h.Length,
		Checksum: hex.EncodeToString(h.Checksum[:]),
	}
	if name, ok := NetName(h.Net); ok {
		info.Network = name
	}
	_, unknown := MakeEmptyMessage(h.Command).(*MsgUnknown)
	info.Known = !unknown
	info.ChecksumOK = Checksum(payload) == h.Checksum
	var errs []error
	if !info.ChecksumOK {
		sum := Checksum(payload)
		errs = append(errs, fmt.Errorf("%w: payload hashes to %x", ErrBadChecksum, sum))
	}
	msg, err := DecodePayload(h.Command, payload, ProtocolVersion, WitnessEncoding)
	if err != nil {
		errs = append(errs, err)
	} else {
		info.Payload = msg
	}
	if err := errors.Join(errs...); err != nil {
		info.Error = err.Error()
	}
	return info, nil
}
