package wire

// Command names, as they appear in the envelope.
const (
	CmdVersion     = "version"
	CmdVerAck      = "verack"
	CmdPing        = "ping"
	CmdPong        = "pong"
	CmdGetHeaders  = "getheaders"
	CmdGetBlocks   = "getblocks"
	CmdHeaders     = "headers"
	CmdInv         = "inv"
	CmdGetData     = "getdata"
	CmdNotFound    = "notfound"
	CmdBlock       = "block"
	CmdTx          = "tx"
	CmdAddr        = "addr"
	CmdAddrV2      = "addrv2"
	CmdSendAddrV2  = "sendaddrv2"
	CmdGetAddr     = "getaddr"
	CmdMemPool     = "mempool"
	CmdSendHeaders = "sendheaders"
	CmdFeeFilter   = "feefilter"
	CmdSendCmpct   = "sendcmpct"
	CmdWTxIDRelay  = "wtxidrelay"
)

// Message is one Bitcoin P2P message: a command and its payload codec.
//
// Encode appends the payload to b. Decode reads a whole payload and must
// reject trailing bytes; it may keep references into the payload.
// MaxPayloadLength is checked against the envelope's length field before the
// payload is read.
type Message interface {
	Command() string
	Encode(b []byte, pver uint32, enc Encoding) ([]byte, error)
	Decode(payload []byte, pver uint32, enc Encoding) error
	MaxPayloadLength(pver uint32) uint32
}
