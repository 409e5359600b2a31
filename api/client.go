package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// callTimeout bounds a Client call whose context has no deadline.
const callTimeout = 30 * time.Second

// maxEventLine caps one server-sent event line a Client reads: a MaxPayload
// payload in base64, plus its text, plus the envelope.
const maxEventLine = 4*MaxPayload + 64<<10

// Error is an error answer from the API. It matches the sentinel errors of
// its status with errors.Is (404 is ErrNotFound, 503 ErrNotReady, 409
// ErrDuplicate, 400 ErrInvalid).
type Error struct {
	Code    int
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("api: %s (%d)", e.Message, e.Code) }

// Is maps the status to the Backend's sentinel errors.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Code == http.StatusNotFound
	case ErrNotReady:
		return e.Code == http.StatusServiceUnavailable
	case ErrDuplicate:
		return e.Code == http.StatusConflict
	case ErrInvalid:
		return e.Code == http.StatusBadRequest
	}
	return false
}

// Client calls the API of a node. The zero value is not usable; use
// NewClient.
type Client struct {
	base  string
	token string
	hc    *http.Client
}

// NewClient returns a client of the API at addr (host:port, or an http://
// URL). token is needed for mutating calls only. hc nil means a client of
// its own (no overall timeout: calls get one from callTimeout, streams
// none).
func NewClient(addr, token string, hc *http.Client) *Client {
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	if hc == nil {
		hc = &http.Client{}
	}
	return &Client{base: strings.TrimRight(addr, "/"), token: token, hc: hc}
}

// do sends a request and decodes a JSON answer into out (if not nil).
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, callTimeout)
		defer cancel()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method != http.MethodGet && c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return readError(resp)
	}
	if out == nil {
		return nil
	}
	// Answers are small except the lists; 64 MiB bounds a broken server.
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(out); err != nil {
		return fmt.Errorf("api: decoding %s answer: %w", path, err)
	}
	return nil
}

func readError(resp *http.Response) error {
	var eb ErrorBody
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(b, &eb) != nil || eb.Error == "" {
		eb.Error = strings.TrimSpace(string(b))
		if eb.Error == "" {
			eb.Error = http.StatusText(resp.StatusCode)
		}
	}
	return &Error{Code: resp.StatusCode, Message: eb.Error}
}

func get[T any](ctx context.Context, c *Client, path string) (T, error) {
	var v T
	err := c.do(ctx, http.MethodGet, path, nil, &v)
	return v, err
}

// Node calls GET /api/v1/node.
func (c *Client) Node(ctx context.Context) (NodeInfo, error) {
	return get[NodeInfo](ctx, c, "/api/v1/node")
}

// Peers calls GET /api/v1/peers.
func (c *Client) Peers(ctx context.Context) ([]PeerInfo, error) {
	return get[[]PeerInfo](ctx, c, "/api/v1/peers")
}

// Chain calls GET /api/v1/chain.
func (c *Client) Chain(ctx context.Context) (ChainInfo, error) {
	return get[ChainInfo](ctx, c, "/api/v1/chain")
}

// Status calls GET /api/v1/status.
func (c *Client) Status(ctx context.Context) ([]StatusRecord, error) {
	return get[[]StatusRecord](ctx, c, "/api/v1/status")
}

// Mempool calls GET /api/v1/mempool.
func (c *Client) Mempool(ctx context.Context) (MempoolInfo, error) {
	return get[MempoolInfo](ctx, c, "/api/v1/mempool")
}

// Network calls GET /api/v1/network.
func (c *Client) Network(ctx context.Context) (NetworkInfo, error) {
	return get[NetworkInfo](ctx, c, "/api/v1/network")
}

// SubmitTx calls POST /api/v1/transactions.
func (c *Client) SubmitTx(ctx context.Context, raw []byte) (string, error) {
	var out TxResponse
	err := c.do(ctx, http.MethodPost, "/api/v1/transactions", TxRequest{Hex: hex.EncodeToString(raw)}, &out)
	return out.TxID, err
}

// AddPeer calls POST /api/v1/admin/peers.
func (c *Client) AddPeer(ctx context.Context, addr string) error {
	return c.do(ctx, http.MethodPost, "/api/v1/admin/peers", PeerRequest{Addr: addr}, nil)
}

// RemovePeer calls DELETE /api/v1/admin/peers/{idOrAddr}.
func (c *Client) RemovePeer(ctx context.Context, idOrAddr string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/admin/peers/"+url.PathEscape(idOrAddr), nil, nil)
}

// Bans calls GET /api/v1/bans.
func (c *Client) Bans(ctx context.Context) ([]BanInfo, error) {
	var v []BanInfo
	err := c.do(ctx, http.MethodGet, "/api/v1/bans", nil, &v)
	return v, err
}

// Ban calls POST /api/v1/bans; d zero means the node's default.
func (c *Client) Ban(ctx context.Context, target string, d time.Duration, reason string) error {
	req := BanRequest{Target: target, Reason: reason}
	if d > 0 {
		req.For = d.String()
	}
	return c.do(ctx, http.MethodPost, "/api/v1/bans", req, nil)
}

// Unban calls DELETE /api/v1/bans/{target}.
func (c *Client) Unban(ctx context.Context, target string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/bans/"+target, nil, nil)
}

// ClearBans calls DELETE /api/v1/bans.
func (c *Client) ClearBans(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/bans", nil, nil)
}

// payloadReq sends text payloads as text, others (including text with
// control characters, which JSON would inflate sixfold) as base64 data.
func payloadReq(p []byte) PayloadRequest {
	if isText(p) {
		return PayloadRequest{Text: string(p)}
	}
	return PayloadRequest{Data: p}
}

func isText(p []byte) bool {
	for _, c := range p {
		if c < 0x20 && c != '\n' && c != '\t' && c != '\r' || c == 0x7f {
			return false
		}
	}
	return utf8.Valid(p)
}

// Send calls POST /api/v1/send/{nodeID}.
func (c *Client) Send(ctx context.Context, nodeID string, payload []byte) error {
	return c.do(ctx, http.MethodPost, "/api/v1/send/"+url.PathEscape(nodeID), payloadReq(payload), nil)
}

// Publish calls POST /api/v1/topics/{topic}.
func (c *Client) Publish(ctx context.Context, topic string, payload []byte) error {
	return c.do(ctx, http.MethodPost, "/api/v1/topics/"+url.PathEscape(topic), payloadReq(payload), nil)
}

// Broadcast calls POST /api/v1/broadcast.
func (c *Client) Broadcast(ctx context.Context, payload []byte) error {
	return c.do(ctx, http.MethodPost, "/api/v1/broadcast", payloadReq(payload), nil)
}

// ErrStreamEnded means the server ended an event stream.
var ErrStreamEnded = errors.New("api: event stream ended by the server")

// Subscribe calls GET /api/v1/topics/{topic} and calls fn for each message
// until ctx ends (it then returns ctx's error), the server ends the stream
// (ErrStreamEnded), or fn returns an error (returned as is). ready, if not
// nil, is called once the subscription is up.
func (c *Client) Subscribe(ctx context.Context, topic string, ready func(), fn func(Message) error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/api/v1/topics/"+url.PathEscape(topic), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return readError(resp)
	}
	if ready != nil {
		ready()
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), maxEventLine)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data:")
		if !ok {
			continue // comments, blank separators, fields we do not use
		}
		var m Message
		if err := json.Unmarshal([]byte(strings.TrimPrefix(data, " ")), &m); err != nil {
			return fmt.Errorf("api: bad event: %w", err)
		}
		if err := fn(m); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return ErrStreamEnded
}
