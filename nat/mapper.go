package nat

import (
	"context"
	"log/slog"
	"net/netip"
	"sync"
	"time"
)

// Mapper defaults.
const (
	DefaultLifetime   = 20 * time.Minute
	defaultRetry      = 30 * time.Second
	maxRetry          = 10 * time.Minute
	defaultReqTimeout = 10 * time.Second
	deleteTimeout     = 5 * time.Second
)

// Mapping is a port to keep mapped.
type Mapping struct {
	Proto   string // "tcp" or "udp"
	Port    uint16 // the local port
	ExtPort uint16 // the external port to ask for; zero means Port
	Name    string // description shown by the router
}

// MapperConfig configures a Mapper. The zero value renews 20-minute leases.
type MapperConfig struct {
	// Lifetime is the lease asked for; the mapper renews at two thirds of
	// it. Zero means DefaultLifetime.
	Lifetime time.Duration
	// Retry is the first wait after a failure; it doubles up to 10 minutes
	// until a success. Zero means 30s.
	Retry time.Duration
	// Timeout bounds each request (and the first discovery of a gateway).
	// Zero means 10s.
	Timeout time.Duration
	// OnExternal, if set, is called from the mapper's goroutine each time the
	// external address of the mapping changes (first success included). It
	// must not block for long, and must not call Stop.
	OnExternal func(Mapping, netip.AddrPort)
	// Logger receives failures. Nil discards.
	Logger *slog.Logger
}

// Mapper keeps one mapping alive on an Interface.
type Mapper struct {
	nat    Interface
	m      Mapping
	cfg    MapperConfig
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}

	extPort uint16 // the port to renew and delete: the last one granted; owned by loop

	mu  sync.Mutex // guards ext
	ext netip.AddrPort
}

// StartMapper starts a goroutine that maps m on nat and keeps it mapped
// until Stop.
func StartMapper(nat Interface, m Mapping, cfg MapperConfig) *Mapper {
	if cfg.Lifetime <= 0 {
		cfg.Lifetime = DefaultLifetime
	}
	if cfg.Retry <= 0 {
		cfg.Retry = defaultRetry
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultReqTimeout
	}
	if m.ExtPort == 0 {
		m.ExtPort = m.Port
	}
	mp := &Mapper{nat: nat, m: m, cfg: cfg, log: cfg.Logger, done: make(chan struct{}), extPort: m.ExtPort}
	if mp.log == nil {
		mp.log = slog.New(slog.DiscardHandler)
	}
	mp.log = mp.log.With("nat", nat.String(), "proto", m.Proto, "port", m.Port)
	ctx, cancel := context.WithCancel(context.Background())
	mp.cancel = cancel
	go mp.loop(ctx)
	return mp
}

// External returns the mapping's external address, and false while there
// is none yet.
func (mp *Mapper) External() (netip.AddrPort, bool) {
	mp.mu.Lock()
	defer mp.mu.Unlock()
	return mp.ext, mp.ext.IsValid()
}

// Stop ends the mapper: it deletes the mapping (waiting at most 5s for
// the gateway) and returns when the goroutine is gone. It may be called more
// than once.
func (mp *Mapper) Stop() {
	mp.cancel()
	<-mp.done
}

func (mp *Mapper) loop(ctx context.Context) {
	defer close(mp.done)
	retry := mp.cfg.Retry
	mapped := false
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			if mapped {
				dctx, cancel := context.WithTimeout(context.Background(), deleteTimeout)
				if err := mp.nat.DeleteMapping(dctx, mp.m.Proto, mp.extPort, mp.m.Port); err != nil {
					mp.log.Debug("NAT mapping not deleted", "err", err)
				}
				cancel()
			}
			return
		case <-timer.C:
		}
		var next time.Duration
		if err := mp.refresh(ctx); err != nil {
			if ctx.Err() != nil {
				continue // stopping
			}
			mp.log.Info("NAT mapping failed", "err", err, "retry", retry)
			next, retry = retry, min(2*retry, maxRetry)
		} else {
			mapped = true
			next, retry = mp.cfg.Lifetime*2/3, mp.cfg.Retry
		}
		timer.Reset(next)
	}
}

// refresh adds (renews) the mapping and learns the external address.
func (mp *Mapper) refresh(ctx context.Context) error {
	rctx, cancel := context.WithTimeout(ctx, mp.cfg.Timeout)
	defer cancel()
	// Renewals ask for the port granted last time (RFC 6886 section 3.3).
	port, err := mp.nat.AddMapping(rctx, mp.m.Proto, mp.extPort, mp.m.Port, mp.m.Name, mp.cfg.Lifetime)
	if err != nil {
		return err
	}
	mp.extPort = port
	ip, err := mp.nat.ExternalIP(rctx)
	if err != nil {
		return err
	}
	ext := netip.AddrPortFrom(ip, port)
	mp.mu.Lock()
	changed := ext != mp.ext
	mp.ext = ext
	mp.mu.Unlock()
	if changed {
		mp.log.Info("NAT mapping", "external", ext)
		if mp.cfg.OnExternal != nil {
			mp.cfg.OnExternal(mp.m, ext)
		}
	}
	return nil
}
