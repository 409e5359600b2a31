package node

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/ledgernet/ledgernet/api"
)

// apiShutdownTimeout bounds the wait for API requests in flight at Stop.
const apiShutdownTimeout = 2 * time.Second

// startAPI serves the HTTP API, /metrics and the dashboard on Config.API,
// with the bearer token of DATADIR/api.token (created on first start).
func (n *Node) startAPI() error {
	if n.cfg.API == "" {
		return nil
	}
	token, err := api.LoadOrCreateToken(filepath.Join(n.cfg.DataDir, APITokenFile))
	if err != nil {
		return fmt.Errorf("node: api token: %w", err)
	}
	// The API's share of the descriptors: what peers and handshakes leave.
	conns := apiConnLimit(openFilesLimit(), n.cfg.MaxPeers, 64)
	srv := api.New(n, api.Config{Addr: n.cfg.API, Token: token, Metrics: n.registry, Logger: n.logger("api"),
		MaxConns: conns, MaxStreams: min(api.DefaultMaxStreams, conns*3/4)})
	if err := srv.Start(); err != nil {
		return fmt.Errorf("node: %w", err)
	}
	n.api = srv
	n.log.Info("API listening", "url", "http://"+srv.Addr().String()+"/")
	return nil
}

// APIAddr returns the address the API listens on, "" when it does not.
func (n *Node) APIAddr() string {
	if n.api == nil || n.api.Addr() == nil {
		return ""
	}
	return n.api.Addr().String()
}

func (n *Node) stopAPI() {
	if n.api == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), apiShutdownTimeout)
	defer cancel()
	n.api.Shutdown(ctx)
}
