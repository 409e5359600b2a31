package api

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// DefaultAddr is the API's default listen address: loopback only.
const DefaultAddr = "127.0.0.1:8645"

// Server timeouts. Streams (server-sent events) push their write deadline
// forward at each write instead.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 64 << 10
	defaultKeepAlive  = 15 * time.Second
)

// Default caps on what local clients can hold open. A stream holds a
// connection, so MaxStreams stays below MaxConns, leaving room for the
// calls that would close the streams or inspect the node.
const (
	DefaultMaxConns   = 512
	DefaultMaxStreams = 256
)

// maxBody caps a request body: room for a MaxPayload payload in hex (a
// transaction), in base64, or as JSON text with some escapes, plus the
// envelope around it.
const maxBody = 2*MaxPayload + 64<<10

//go:embed dashboard
var dashboardFiles embed.FS

// Config configures a Server. The zero value serves on DefaultAddr with
// mutating calls disabled and no /metrics.
type Config struct {
	// Addr is the listen address (host:port). Empty means DefaultAddr.
	Addr string
	// Token is the bearer token mutating calls (POST, DELETE) must carry.
	// Empty disables those calls: each answers 401.
	Token string
	// Metrics, if set, is served at /metrics in the Prometheus text format.
	Metrics prometheus.Gatherer
	// AllowedHosts lists the Host header values accepted besides IP
	// literals and "localhost" (which are always accepted). "*" accepts
	// any. Checking Host defeats DNS rebinding: a web page cannot read the
	// API through a name it controls that resolves to 127.0.0.1.
	AllowedHosts []string
	// KeepAlive is the interval of comment lines on an idle event stream,
	// which let both ends notice a dead connection. Zero means 15s.
	KeepAlive time.Duration
	// MaxConns caps the open API connections (DefaultMaxConns when zero);
	// a connection over the cap is answered 503 with a JSON error and
	// closed, so local clients cannot take every file descriptor.
	MaxConns int
	// MaxStreams caps the open event streams (DefaultMaxStreams when zero);
	// over it a subscription is answered 503.
	MaxStreams int
	// Logger receives request failures. Nil discards.
	Logger *slog.Logger
}

// Server serves the API, /metrics and the dashboard.
type Server struct {
	b       Backend
	cfg     Config
	log     *slog.Logger
	handler http.Handler

	streams atomic.Int64 // open event streams

	quit     chan struct{} // closed by Shutdown: ends event streams
	quitOnce sync.Once

	mu   sync.Mutex // guards srv, ln
	srv  *http.Server
	ln   net.Listener
	done chan struct{} // closed when the Serve goroutine returns
}

// New returns a Server for b. It does not listen until Start; Handler can
// be used on its own (as with httptest).
func New(b Backend, cfg Config) *Server {
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.KeepAlive <= 0 {
		cfg.KeepAlive = defaultKeepAlive
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.MaxStreams <= 0 {
		cfg.MaxStreams = DefaultMaxStreams
	}
	s := &Server{b: b, cfg: cfg, log: cfg.Logger, quit: make(chan struct{})}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.handler = s.checkHost(s.routes())
	return s
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Start listens on the configured address and serves in a goroutine that
// Shutdown stops.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return errors.New("api: server already started")
	}
	select {
	case <-s.quit:
		return errors.New("api: server shut down")
	default:
	}
	raw, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("api: %w", err)
	}
	ln := newLimitListener(raw, s.cfg.MaxConns)
	s.ln = ln
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	s.done = make(chan struct{})
	go func(srv *http.Server, done chan struct{}) {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("api server stopped", "err", err)
		}
	}(s.srv, s.done)
	return nil
}

// Addr returns the listening address, or nil before Start.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return nil
	}
	return s.ln.Addr()
}

// Shutdown ends the event streams, stops accepting connections and waits
// for the requests in flight, or until ctx ends (then it closes the
// remaining connections). It may be called more than once.
func (s *Server) Shutdown(ctx context.Context) error {
	s.quitOnce.Do(func() { close(s.quit) })
	s.mu.Lock()
	srv, done := s.srv, s.done
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	err := srv.Shutdown(ctx)
	if err != nil {
		srv.Close()
	}
	<-done
	return err
}

// routes builds the mux. Each path is registered with its methods, plus a
// method-less pattern answering 405 with an Allow header, so that every
// error is JSON.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	route := func(path string, methods map[string]http.HandlerFunc) {
		var allow []string
		for m, h := range methods {
			mux.Handle(m+" "+path, h)
			allow = append(allow, m)
			if m == http.MethodGet {
				allow = append(allow, http.MethodHead)
			}
		}
		slices.Sort(allow)
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed", r.Method))
		})
	}
	get := func(h http.HandlerFunc) map[string]http.HandlerFunc {
		return map[string]http.HandlerFunc{http.MethodGet: h}
	}
	route("/api/v1/node", get(s.getNode))
	route("/api/v1/peers", get(s.getPeers))
	route("/api/v1/chain", get(s.getChain))
	route("/api/v1/status", get(s.getStatus))
	route("/api/v1/mempool", get(s.getMempool))
	route("/api/v1/network", get(s.getNetwork))
	route("/api/v1/transactions", map[string]http.HandlerFunc{http.MethodPost: s.auth(s.postTx)})
	route("/api/v1/admin/peers", map[string]http.HandlerFunc{http.MethodPost: s.auth(s.postPeer)})
	route("/api/v1/admin/peers/{peer}", map[string]http.HandlerFunc{http.MethodDelete: s.auth(s.deletePeer)})
	route("/api/v1/bans", map[string]http.HandlerFunc{
		http.MethodGet:    s.getBans,
		http.MethodPost:   s.auth(s.postBan),
		http.MethodDelete: s.auth(s.clearBans),
	})
	// {target...}: a CIDR network has a slash.
	route("/api/v1/bans/{target...}", map[string]http.HandlerFunc{http.MethodDelete: s.auth(s.deleteBan)})
	route("/api/v1/send/{node}", map[string]http.HandlerFunc{http.MethodPost: s.auth(s.postSend)})
	route("/api/v1/topics/{topic}", map[string]http.HandlerFunc{
		http.MethodGet:  s.subscribe,
		http.MethodPost: s.auth(s.postTopic),
	})
	route("/api/v1/broadcast", map[string]http.HandlerFunc{http.MethodPost: s.auth(s.postBroadcast)})
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint: "+r.URL.Path)
	})
	if s.cfg.Metrics != nil {
		route("/metrics", get(promhttp.HandlerFor(s.cfg.Metrics, promhttp.HandlerOpts{
			ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		}).ServeHTTP))
	}
	dash, err := fs.Sub(dashboardFiles, "dashboard")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	files := http.FileServerFS(dash)
	// "/" cannot take a "GET /" pattern: it would conflict with "/api/".
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed", r.Method))
			return
		}
		h := w.Header()
		// Everything the dashboard loads comes from here.
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		files.ServeHTTP(w, r)
	})
	return mux
}

// checkHost refuses requests whose Host header is a name not allowed.
func (s *Server) checkHost(next http.Handler) http.Handler {
	allowed := map[string]bool{"localhost": true}
	for _, h := range s.cfg.AllowedHosts {
		allowed[strings.ToLower(h)] = true
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
		if _, err := netip.ParseAddr(host); err != nil && !allowed[host] && !allowed["*"] {
			writeError(w, http.StatusForbidden, "host "+r.Host+" not allowed")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// auth requires the bearer token.
func (s *Server) auth(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		switch {
		case !ok || tok == "":
			w.Header().Set("WWW-Authenticate", `Bearer realm="ledgernet"`)
			writeError(w, http.StatusUnauthorized, "missing bearer token (see DATADIR/"+TokenFile+")")
		case s.cfg.Token == "":
			writeError(w, http.StatusUnauthorized, "mutating calls are disabled: the server has no token")
		case !tokenEqual(tok, s.cfg.Token):
			w.Header().Set("WWW-Authenticate", `Bearer realm="ledgernet", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "invalid bearer token")
		default:
			next(w, r)
		}
	}
}
