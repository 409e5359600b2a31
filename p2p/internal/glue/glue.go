// Package glue turns a protocol service's Run into the protocol values of
// both hosts: p2p/server (RLPx or any transport it is given) and the
// permissioned tlsconn.Host. The status and topic services share it.
package glue

import (
	"slices"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/server"
	"github.com/ledgernet/ledgernet/p2p/tlsconn"
)

// Run speaks a protocol with peer id over rw until it ends; disconnect ends
// the peer's connection with the reason carried by the error.
type Run func(id enode.ID, rw p2p.MsgReadWriter, disconnect func(error)) error

// Service describes a protocol: its name, version, code space length and
// envelope commands (code i travels as Commands[i] over tlsconn).
type Service struct {
	Name     string
	Version  uint
	Length   uint64
	Commands []string
	Run      Run
}

// Server returns the protocol for a p2p/server Server.
func (s Service) Server() server.Protocol {
	return server.Protocol{
		Name: s.Name, Version: s.Version, Length: s.Length,
		Run: func(p *server.Peer, rw p2p.MsgReadWriter) error {
			return s.Run(p.ID(), rw, func(err error) { p.Disconnect(p2p.DiscReasonOf(err)) })
		},
	}
}

// Spec returns the name, version and command table for
// tlsconn.Config.Protocols.
func (s Service) Spec() tlsconn.ProtocolSpec {
	return tlsconn.ProtocolSpec{Name: s.Name, Version: s.Version, Commands: slices.Clone(s.Commands)}
}

// TLS returns the protocol for the permissioned tlsconn.Host.
func (s Service) TLS() tlsconn.Protocol {
	return tlsconn.Protocol{
		Name: s.Name, Version: s.Version, Commands: slices.Clone(s.Commands),
		Run: func(p *tlsconn.Peer, rw p2p.MsgReadWriter) error {
			return s.Run(p.ID(), rw, func(err error) { p.Disconnect(p2p.DiscReasonOf(err)) })
		},
	}
}
