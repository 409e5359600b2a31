// Package api is the node's HTTP JSON API, its Prometheus /metrics endpoint
// and its web dashboard.
//
// The node implements Backend; a Server turns HTTP requests under /api/v1
// into Backend calls and the results into JSON. Reads (GET) are open to
// whoever can reach the address, which is loopback by default; calls that
// change something (POST, DELETE) need "Authorization: Bearer TOKEN", where
// TOKEN is the content of DATADIR/api.token (see LoadOrCreateToken).
//
// Every error is a JSON object {"error": "...", "code": N} whose code is the
// HTTP status. A Backend reports the kind of a failure by wrapping one of the
// sentinel errors (ErrNotReady, ErrNotFound, ErrInvalid, ErrDuplicate); any
// other error is a 500.
//
// GET /api/v1/topics/{topic} is a server-sent events stream: one "data:" line
// of JSON (a Message) per message received on the topic, until the client
// goes away or the server shuts down.
//
// The dashboard (GET /) is plain HTML, CSS and JavaScript embedded in the
// binary, with no build step and no external resource. It polls
// /api/v1/network, /api/v1/node and /api/v1/chain about once a second and
// draws the peer graph the node knows as SVG.
//
// Client is a Go client of the same API, used by the ledgernet command line.
package api
