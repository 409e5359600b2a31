// Package metrics holds the node's Prometheus metrics.
//
// New registers every collector on a registry the caller passes in (never
// the global default one, so that tests and devnets can run many nodes in
// one process), and returns a Metrics whose typed helpers the node's parts
// call as things happen: a peer connects, a message comes in, a handshake
// fails, a block is connected. The API server serves the same registry at
// /metrics (promhttp.HandlerFor).
//
// Label values that come from the network (protocol, command, reasons) are
// bounded: a value that is not short printable ASCII becomes "invalid", and
// once a label has maxLabelValues distinct values, new ones become "other".
// A peer could otherwise grow the registry without bound by sending a new
// command name in each message.
//
// A nil *Metrics is valid and records nothing.
package metrics
