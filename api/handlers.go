package api

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	Error string `json:"error"`
	Code  int    `json:"code"`
}

// httpError is a failure with its status, raised by the handlers
// themselves (bad input) rather than by the backend.
type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "encoding response: "+err.Error())
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, ErrorBody{Error: msg, Code: code})
}

// fail answers with the status err stands for.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	code := http.StatusInternalServerError
	switch {
	case errors.As(err, &he):
		code = he.code
	case errors.Is(err, ErrNotReady), errors.Is(err, ErrBusy):
		code = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "1")
	case errors.Is(err, ErrNotFound):
		code = http.StatusNotFound
	case errors.Is(err, ErrInvalid):
		code = http.StatusBadRequest
	case errors.Is(err, ErrDuplicate):
		code = http.StatusConflict
	default:
		s.log.Warn("api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeError(w, code, err.Error())
}

// reply writes v, or the error.
func reply[T any](s *Server, w http.ResponseWriter, r *http.Request, v T, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// decodeBody reads a JSON request body into v: size capped before reading
// (a client can send any length), unknown fields and trailing data refused.
//
// Every call with a body needs the bearer token, and a browser cannot send
// that header cross-site without a CORS preflight, which this server never
// grants; so the Content-Type is not what stops cross-site posts, and the
// body is read as JSON whether the client sets none (curl -d sends
// application/x-www-form-urlencoded), application/json or text/plain. A type
// that says the body is something else entirely is refused.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	if !jsonish(r.Header.Get("Content-Type")) {
		return &httpError{http.StatusUnsupportedMediaType, "the body must be JSON (Content-Type application/json, text/plain, or none)"}
	}
	body := http.MaxBytesReader(w, r.Body, maxBody)
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("trailing data after the JSON object")
			if terr != nil {
				err = terr
			}
		}
	}
	var mbe *http.MaxBytesError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &mbe):
		return &httpError{http.StatusRequestEntityTooLarge, fmt.Sprintf("request body over %d bytes", mbe.Limit)}
	case errors.Is(err, io.EOF):
		return badRequest("bad JSON: empty body")
	default:
		return badRequest("bad JSON: %v", err)
	}
}

// jsonish reports whether a request's Content-Type may carry a JSON body.
func jsonish(ct string) bool {
	if strings.TrimSpace(ct) == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch mt {
	case "application/json", "text/plain", "application/x-www-form-urlencoded":
		return true
	}
	return strings.HasSuffix(mt, "+json")
}

func (s *Server) getNode(w http.ResponseWriter, r *http.Request) {
	v, err := s.b.Node(r.Context())
	if v.Listen == nil {
		v.Listen = []string{}
	}
	reply(s, w, r, v, err)
}

func (s *Server) getPeers(w http.ResponseWriter, r *http.Request) {
	v, err := s.b.Peers(r.Context())
	if v == nil {
		v = []PeerInfo{}
	}
	reply(s, w, r, v, err)
}

func (s *Server) getChain(w http.ResponseWriter, r *http.Request) {
	v, err := s.b.Chain(r.Context())
	reply(s, w, r, v, err)
}

func (s *Server) getStatus(w http.ResponseWriter, r *http.Request) {
	v, err := s.b.Status(r.Context())
	if v == nil {
		v = []StatusRecord{}
	}
	for i := range v {
		if v[i].Topics == nil {
			v[i].Topics = []string{}
		}
	}
	reply(s, w, r, v, err)
}

func (s *Server) getMempool(w http.ResponseWriter, r *http.Request) {
	v, err := s.b.Mempool(r.Context())
	if v.TxIDs == nil {
		v.TxIDs = []string{}
	}
	reply(s, w, r, v, err)
}

func (s *Server) getNetwork(w http.ResponseWriter, r *http.Request) {
	v, err := s.b.Network(r.Context())
	if v.Nodes == nil {
		v.Nodes = []NetworkNode{}
	}
	if v.Links == nil {
		v.Links = []NetworkLink{}
	}
	reply(s, w, r, v, err)
}

// TxRequest is the body of POST /api/v1/transactions.
type TxRequest struct {
	Hex string `json:"hex"`
}

// TxResponse answers POST /api/v1/transactions.
type TxResponse struct {
	TxID string `json:"txid"`
}

func (s *Server) postTx(w http.ResponseWriter, r *http.Request) {
	var req TxRequest
	if err := decodeBody(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	raw, err := hex.DecodeString(strings.TrimSpace(req.Hex))
	if err != nil || len(raw) == 0 {
		s.fail(w, r, badRequest("hex: want a serialized transaction in hex"))
		return
	}
	txid, err := s.b.SubmitTx(r.Context(), raw)
	reply(s, w, r, TxResponse{TxID: txid}, err)
}

// PeerRequest is the body of POST /api/v1/admin/peers.
type PeerRequest struct {
	Addr string `json:"addr"`
}

// Accepted answers the calls whose effect happens after the reply.
type Accepted struct {
	Accepted bool `json:"accepted"`
}

func (s *Server) postPeer(w http.ResponseWriter, r *http.Request) {
	var req PeerRequest
	if err := decodeBody(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	addr := strings.TrimSpace(req.Addr)
	if addr == "" {
		s.fail(w, r, badRequest("addr: want host:port or an enode URL"))
		return
	}
	if err := s.b.AddPeer(r.Context(), addr); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, Accepted{true})
}

// Removed answers DELETE /api/v1/admin/peers/{peer}.
type Removed struct {
	Removed bool `json:"removed"`
}

func (s *Server) deletePeer(w http.ResponseWriter, r *http.Request) {
	peer := r.PathValue("peer")
	if peer == "" {
		s.fail(w, r, badRequest("want a node ID or an address"))
		return
	}
	err := s.b.RemovePeer(r.Context(), peer)
	reply(s, w, r, Removed{true}, err)
}

func (s *Server) getBans(w http.ResponseWriter, r *http.Request) {
	v, err := s.b.Bans(r.Context())
	if v == nil {
		v = []BanInfo{}
	}
	reply(s, w, r, v, err)
}

func (s *Server) postBan(w http.ResponseWriter, r *http.Request) {
	var req BanRequest
	if err := decodeBody(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if strings.TrimSpace(req.Target) == "" {
		s.fail(w, r, badRequest("target: want an IP address, a CIDR network or a node ID"))
		return
	}
	var d time.Duration
	if req.For != "" {
		var err error
		if d, err = time.ParseDuration(req.For); err != nil || d <= 0 {
			s.fail(w, r, badRequest("for: want a positive duration such as 24h"))
			return
		}
	}
	s.accepted(w, r, s.b.Ban(r.Context(), strings.TrimSpace(req.Target), d, req.Reason))
}

func (s *Server) deleteBan(w http.ResponseWriter, r *http.Request) {
	err := s.b.Unban(r.Context(), r.PathValue("target"))
	reply(s, w, r, Removed{true}, err)
}

func (s *Server) clearBans(w http.ResponseWriter, r *http.Request) {
	reply(s, w, r, Removed{true}, s.b.ClearBans(r.Context()))
}

// PayloadRequest is the body of send, publish and broadcast: the payload as
// Text (UTF-8) or as Data (base64 in JSON), not both.
type PayloadRequest struct {
	Text string `json:"text,omitempty"`
	Data []byte `json:"data,omitempty"`
}

func readPayload(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	var req PayloadRequest
	if err := decodeBody(w, r, &req); err != nil {
		return nil, err
	}
	p := req.Data
	switch {
	case req.Text != "" && len(req.Data) > 0:
		return nil, badRequest("give text or data, not both")
	case req.Text != "":
		p = []byte(req.Text)
	case len(p) == 0:
		return nil, badRequest("empty payload: give text or data (base64)")
	}
	if len(p) > MaxPayload {
		return nil, &httpError{http.StatusRequestEntityTooLarge, fmt.Sprintf("payload of %d bytes, over %d", len(p), MaxPayload)}
	}
	return p, nil
}

// checkNodeID accepts 64 hex digits and returns them in lower case.
func checkNodeID(id string) (string, error) {
	if len(id) != 64 {
		return "", badRequest("node ID %q: want 64 hex digits", id)
	}
	if _, err := hex.DecodeString(id); err != nil {
		return "", badRequest("node ID %q: want 64 hex digits", id)
	}
	return strings.ToLower(id), nil
}

func checkTopic(topic string) error {
	if topic == "" || len(topic) > MaxTopicLen || !utf8.ValidString(topic) {
		return badRequest("topic: want 1 to %d bytes of UTF-8", MaxTopicLen)
	}
	return nil
}

func (s *Server) postSend(w http.ResponseWriter, r *http.Request) {
	id, err := checkNodeID(r.PathValue("node"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := readPayload(w, r)
	if err == nil {
		err = s.b.Send(r.Context(), id, p)
	}
	s.accepted(w, r, err)
}

func (s *Server) postTopic(w http.ResponseWriter, r *http.Request) {
	topic := r.PathValue("topic")
	if err := checkTopic(topic); err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := readPayload(w, r)
	if err == nil {
		err = s.b.Publish(r.Context(), topic, p)
	}
	s.accepted(w, r, err)
}

func (s *Server) postBroadcast(w http.ResponseWriter, r *http.Request) {
	p, err := readPayload(w, r)
	if err == nil {
		err = s.b.Broadcast(r.Context(), p)
	}
	s.accepted(w, r, err)
}

func (s *Server) accepted(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, Accepted{true})
}

// eventJSON is a Message as a stream event carries it.
func eventJSON(m Message) ([]byte, error) {
	if m.Text == "" && utf8.Valid(m.Payload) {
		m.Text = string(m.Payload)
	}
	return json.Marshal(m)
}

// eventFrame returns m as one server-sent event ("data: JSON" and a blank
// line), encoded once for all copies of a Shared message.
func eventFrame(m Message) ([]byte, error) {
	encode := func() ([]byte, error) {
		b, err := eventJSON(m)
		if err != nil {
			return nil, err
		}
		// json.Marshal never writes a newline, so this is one line.
		ev := make([]byte, 0, len(b)+8)
		return append(append(append(ev, "data: "...), b...), "\n\n"...), nil
	}
	if m.enc == nil {
		return encode()
	}
	m.enc.once.Do(func() { m.enc.frame, m.enc.err = encode() })
	return m.enc.frame, m.enc.err
}
