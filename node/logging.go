package node

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// ParseLevel reads a log level: debug, info, warn (warning) or error.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(s) {
	case "debug":
		return slog.LevelDebug, nil
	case "", "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("log level %q (want debug, info, warn or error)", s)
}

// LogConfig says how NewLogger writes.
type LogConfig struct {
	// Format is "text" or "json"; "" means text when TTY is set, JSON
	// otherwise.
	Format string
	TTY    bool
	// Level is the default level; Levels overrides it per component (the
	// value of a logger's "component" attribute: node, chain, sync, peer,
	// p2p, discover, miner, mempool, status, topic, api, btc).
	Level  string
	Levels map[string]string
}

// NewLogger returns a logger writing to w as lc says. Nodes give each
// component a logger with a "component" attribute; the level of that
// component applies to everything logged through it.
func NewLogger(w io.Writer, lc LogConfig) (*slog.Logger, error) {
	def, err := ParseLevel(lc.Level)
	if err != nil {
		return nil, err
	}
	levels := make(map[string]slog.Level, len(lc.Levels))
	lowest := def
	for comp, s := range lc.Levels {
		l, err := ParseLevel(s)
		if err != nil {
			return nil, fmt.Errorf("component %s: %w", comp, err)
		}
		levels[comp] = l
		lowest = min(lowest, l)
	}
	opts := &slog.HandlerOptions{Level: lowest}
	var h slog.Handler
	switch {
	case lc.Format == "json", lc.Format == "" && !lc.TTY:
		h = slog.NewJSONHandler(w, opts)
	case lc.Format == "text", lc.Format == "":
		h = slog.NewTextHandler(w, opts)
	default:
		return nil, fmt.Errorf("log format %q (want text or json)", lc.Format)
	}
	return slog.New(&componentHandler{h: h, def: def, levels: levels, level: def}), nil
}

// componentHandler filters records by the level of the logger's
// component: the "component" attribute given to With sets it.
type componentHandler struct {
	h      slog.Handler
	def    slog.Level
	levels map[string]slog.Level
	level  slog.Level
}

func (c *componentHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= c.level && c.h.Enabled(ctx, l)
}

func (c *componentHandler) Handle(ctx context.Context, r slog.Record) error {
	return c.h.Handle(ctx, r)
}

func (c *componentHandler) WithAttrs(as []slog.Attr) slog.Handler {
	nc := *c
	nc.h = c.h.WithAttrs(as)
	for _, a := range as {
		if a.Key == "component" {
			if l, ok := c.levels[a.Value.String()]; ok {
				nc.level = l
			} else {
				nc.level = c.def
			}
		}
	}
	return &nc
}

func (c *componentHandler) WithGroup(name string) slog.Handler {
	nc := *c
	nc.h = c.h.WithGroup(name)
	return &nc
}
