package server

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/devp2p"
)

// Cap is a capability: a protocol name and version, as offered in the
// handshake. It is devp2p's type, so RLPx sessions need no conversion; other
// transports fill it from their own handshake.
type Cap = devp2p.Cap

// Protocol is a capability protocol the server offers: chain, topic, status,
// or a test protocol.
type Protocol struct {
	// Name and Version are offered as the capability Name/Version. The
	// server may offer several versions of one name; a peer runs the
	// highest version both sides have.
	Name    string
	Version uint
	// Length is the number of message codes the protocol uses, 0 to
	// Length-1. It must be at least 1 and at most MaxProtocolLength.
	Length uint64
	// Run speaks the protocol with one peer, on its own goroutine. rw's
	// codes are the protocol's own, from 0. Run must return when
	// rw.ReadMsg or rw.WriteMsg returns an error (the peer is going away).
	// Returning ends the connection: nil disconnects with
	// p2p.DiscQuitting; an error with the p2p.DiscReason in its chain, or
	// p2p.DiscSubprotocolError when there is none.
	Run func(p *Peer, rw p2p.MsgReadWriter) error
	// Commands optionally names the codes for Config.Observer: code i is
	// reported as Commands[i]; codes past its end, or all codes when it is
	// nil, as their decimal value. It changes nothing on the wire.
	Commands []string
}

// Cap returns the protocol's capability.
func (p Protocol) Cap() Cap { return Cap{Name: p.Name, Version: p.Version} }

// MaxProtocolLength caps Protocol.Length: far above what any protocol uses
// (eth has 17 codes), low enough that the code space of many protocols never
// overflows.
const MaxProtocolLength = 1 << 16

// ErrProtocolReturned ends a peer whose protocol's Run returned nil. It
// wraps p2p.DiscQuitting, the reason sent, as go-ethereum does.
var ErrProtocolReturned = fmt.Errorf("server: protocol returned: %w", p2p.DiscQuitting)

func validateProtocols(ps []Protocol) error {
	seen := make(map[Cap]bool, len(ps))
	for _, p := range ps {
		switch {
		case p.Name == "":
			return errors.New("server: protocol with empty name")
		case p.Length == 0 || p.Length > MaxProtocolLength:
			return fmt.Errorf("server: protocol %s: length %d not in 1..%d", p.Cap(), p.Length, MaxProtocolLength)
		case p.Run == nil:
			return fmt.Errorf("server: protocol %s: Run is nil", p.Cap())
		case seen[p.Cap()]:
			return fmt.Errorf("server: protocol %s offered twice", p.Cap())
		}
		seen[p.Cap()] = true
	}
	return nil
}

// localCaps returns the capabilities to offer, sorted by name and version.
func localCaps(ps []Protocol) []Cap {
	caps := make([]Cap, len(ps))
	for i, p := range ps {
		caps[i] = p.Cap()
	}
	slices.SortFunc(caps, Cap.Cmp)
	return caps
}

// match is a protocol both sides run, and where its codes start in the
// session's code space.
type match struct {
	Protocol
	offset uint64
}

// matchProtocols picks, for each protocol name both sides offer, the
// highest version both have, and lays the matches out in alphabetical order
// of name: the first gets codes from 0 (the session adds the transport's
// base, 16 on RLPx), each next one starts after the previous one's Length.
// This is devp2p's rule, so both sides number codes the same way without
// talking about it. Duplicates in remote are harmless.
func matchProtocols(local []Protocol, remote []Cap) []match {
	has := make(map[Cap]bool, len(remote))
	for _, c := range remote {
		has[c] = true
	}
	best := make(map[string]Protocol)
	for _, p := range local {
		if !has[p.Cap()] {
			continue
		}
		if b, ok := best[p.Name]; !ok || p.Version > b.Version {
			best[p.Name] = p
		}
	}
	ms := make([]match, 0, len(best))
	for _, p := range best {
		ms = append(ms, match{Protocol: p})
	}
	slices.SortFunc(ms, func(a, b match) int { return cmp.Compare(a.Name, b.Name) })
	var off uint64
	for i := range ms {
		ms[i].offset = off
		off += ms[i].Length
	}
	return ms
}
