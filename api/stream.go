package api

import (
	"fmt"
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
	// Streams are capped: each holds a connection and a queue of messages.
	if n := s.streams.Add(1); n > int64(s.cfg.MaxStreams) {
		s.streams.Add(-1)
		w.Header().Set("Retry-After", "5")
		writeError(w, http.StatusServiceUnavailable, fmt.Sprintf("too many event streams (the limit is %d)", s.cfg.MaxStreams))
		return
	}
	defer s.streams.Add(-1)
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
			ev, err := eventFrame(m)
			if err != nil {
				continue
			}
			if !write(ev) {
				return
			}
		}
	}
}
