package api

import (
	"net/http"
	"time"
)

// subscribe serves GET /api/v1/topics/{topic} as server-sent events: a
// comment line first (so the client knows the subscription is up), then one
// "data:" line of JSON per message, and a comment line every KeepAlive when
// idle. It ends when the client goes away, the backend closes the channel,
// or the server shuts down.
func (s *Server) subscribe(w http.ResponseWriter, r *http.Request) {
	topic := r.PathValue("topic")
	if err := checkTopic(topic); err != nil {
		s.fail(w, r, err)
		return
	}
	if r.Method == http.MethodHead {
		// The headers a GET would get, without holding a stream open.
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-store")
		return
	}
	msgs, cancel, err := s.b.Subscribe(r.Context(), topic)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer cancel()

	rc := http.NewResponseController(w)
	// write sends one event and flushes it. A client that does not read
	// cannot hold the handler: each write has its own deadline.
	write := func(b []byte) bool {
		rc.SetWriteDeadline(time.Now().Add(writeTimeout))
		if _, err := w.Write(b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if !write([]byte(": subscribed\n\n")) {
		return
	}
	tick := time.NewTicker(s.cfg.KeepAlive)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.quit:
			return
		case <-tick.C:
			if !write([]byte(": keepalive\n\n")) {
				return
			}
		case m, ok := <-msgs:
			if !ok {
				return
			}
			b, err := eventJSON(m)
			if err != nil {
				continue
			}
			// json.Marshal never writes a newline, so this is one line.
			ev := make([]byte, 0, len(b)+8)
			ev = append(append(append(ev, "data: "...), b...), "\n\n"...)
			if !write(ev) {
				return
			}
		}
	}
}
