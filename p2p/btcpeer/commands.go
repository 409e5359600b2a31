package btcpeer

import (
	"slices"

	"github.com/ledgernet/ledgernet/wire"
)

// commands is the chain protocol's command table: code i travels as
// commands[i]. Transports map codes to envelope commands with it; a command
// missing here (reject, sendtxrcncl, ...) is skipped by the transport.
var commands = []string{
	wire.CmdVersion,
	wire.CmdVerAck,
	wire.CmdPing,
	wire.CmdPong,
	wire.CmdGetHeaders,
	wire.CmdGetBlocks,
	wire.CmdHeaders,
	wire.CmdInv,
	wire.CmdGetData,
	wire.CmdNotFound,
	wire.CmdBlock,
	wire.CmdTx,
	wire.CmdAddr,
	wire.CmdAddrV2,
	wire.CmdSendAddrV2,
	wire.CmdGetAddr,
	wire.CmdMemPool,
	wire.CmdSendHeaders,
	wire.CmdFeeFilter,
	wire.CmdSendCmpct,
	wire.CmdWTxIDRelay,
}

// commandCodes is the inverse of commands.
var commandCodes = func() map[string]uint64 {
	m := make(map[string]uint64, len(commands))
	for i, c := range commands {
		m[c] = uint64(i)
	}
	return m
}()

// maxPayloads caps each code's payload at what wire allows at our newest
// version (caps only grow with the version).
var maxPayloads = func() []uint32 {
	m := make([]uint32, len(commands))
	for i, c := range commands {
		m[i] = wire.MakeEmptyMessage(c).MaxPayloadLength(wire.ProtocolVersion)
	}
	return m
}()

// Commands returns the chain protocol's command table, for the transport's
// config (plain.Config.Commands): code i is Commands()[i].
func Commands() []string { return slices.Clone(commands) }

// MaxPayload returns the largest payload a code may carry, for the
// transport's config (plain.Config.MaxPayload), so that an oversized message
// is refused from its header. Unknown codes get 0.
func MaxPayload(code uint64) uint32 {
	if code >= uint64(len(maxPayloads)) {
		return 0
	}
	return maxPayloads[code]
}
