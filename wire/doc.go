// Package wire encodes and decodes Bitcoin's peer-to-peer messages byte for
// byte as Bitcoin Core and btcd do.
//
// Data flows in two directions. On the read path a message arrives as a
// 24-byte envelope header (network magic, NUL-padded command, payload length,
// checksum) followed by the payload. ReadMessage checks the header before it
// allocates anything, in this order: the total length cap
// (MaxProtocolMessageLength, 4,000,000 bytes), the magic, the command's form
// (Core's rule: printable ASCII, then only NULs), the command's own cap
// (Message.MaxPayloadLength); only then does it read the payload, growing
// its buffer as bytes arrive, verify the checksum, decode it into a typed
// Message and reject trailing bytes. Each failure is a *MessageError wrapping
// a sentinel (ErrMessageTooLong, ErrWrongNetwork, ErrBadCommand,
// ErrPayloadTooLong, ErrBadChecksum, or a decoding error such as
// ErrShortPayload or ErrTooMany) that callers test with errors.Is; its
// Skipped field says whether the stream is still at a message boundary. A
// command this package does not know decodes to *MsgUnknown, which a peer
// may ignore. ReadMessageBuf lets a read loop reuse one payload buffer.
//
// On the write path a Message appends its payload encoding to a buffer and
// AppendMessage or WriteMessage frames it; encoders refuse what decoders
// would refuse (too many entries, a user agent too long, ...).
//
// Some fields depend on the negotiated protocol version (pver): ping carries
// a nonce only after BIP0031Version, addr entries a timestamp from
// NetAddressTimeVersion, version a relay flag from BIP0037Version. Messages
// whose format does not depend on pver (sendheaders, feefilter, wtxidrelay,
// ...) decode at any pver: whether a peer of some version may send them is
// the peer logic's decision, not the codec's.
//
// Where the references differ, this package follows Bitcoin Core unless
// noted: locators are capped at 101 hashes (Core; btcd allows 500); a
// headers entry's transaction count must be 0 (btcd; Core ignores it);
// trailing bytes are rejected in every message, version included (btcd;
// Core ignores them); addrv2 TorV2 entries are kept but marked unsupported
// whatever their length (Core; BIP155 asks for length 10).
//
// The package is a pure codec: no sockets, timers or goroutines. Decoders work
// on byte slices and check every count and length against the bytes that are
// actually left before they allocate, because a peer can claim any length.
// Decoded messages may keep references into the payload slice they were
// decoded from; callers must not modify that slice afterwards. Messages
// marshal to JSON for tools (DescribeEnvelope, "ledgernet wire decode").
package wire
