// Package wire encodes and decodes Bitcoin's peer-to-peer messages byte for
// byte as Bitcoin Core and btcd do.
//
// Data flows in two directions. On the read path a message arrives as a
// 24-byte envelope header (network magic, NUL-padded command, payload length,
// checksum) followed by the payload. ReadMessage checks the header before it
// allocates anything: the total length cap, the magic, the command's form, the
// per-command payload cap; only then does it read the payload, verify the
// checksum, decode it into a typed Message and reject trailing bytes. Each
// failure is a distinct error that callers test with errors.Is.
//
// On the write path a Message appends its payload encoding to a buffer and
// WriteMessage frames it.
//
// The package is a pure codec: no sockets, timers or goroutines. Decoders work
// on byte slices and check every count and length against the bytes that are
// actually left before they allocate, because a peer can claim any length.
// Decoded messages may keep references into the payload slice they were
// decoded from; callers must not modify that slice afterwards.
package wire
