package topic

import (
	"slices"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/server"
	"github.com/ledgernet/ledgernet/p2p/tlsconn"
)

// Protocol returns topic/1 for a p2p/server Server, whatever its
// transport: RLPx (devnet), or tlsconn's Transport (permissioned; then put
// Spec() in tlsconn.Config.Protocols too).
func (s *Service) Protocol() server.Protocol {
	return server.Protocol{
		Name: Name, Version: Version, Length: Length,
		Run: func(p *server.Peer, rw p2p.MsgReadWriter) error {
			return s.Run(p.ID(), rw, func(err error) { p.Disconnect(p2p.DiscReasonOf(err)) })
		},
	}
}

// Spec returns topic/1's name, version and envelope command table, for
// tlsconn.Config.Protocols.
func Spec() tlsconn.ProtocolSpec {
	return tlsconn.ProtocolSpec{Name: Name, Version: Version, Commands: slices.Clone(Commands)}
}

// TLSProtocol returns topic/1 for the permissioned tlsconn.Host.
func (s *Service) TLSProtocol() tlsconn.Protocol {
	return tlsconn.Protocol{
		Name: Name, Version: Version, Commands: slices.Clone(Commands),
		Run: func(p *tlsconn.Peer, rw p2p.MsgReadWriter) error {
			return s.Run(p.ID(), rw, func(err error) { p.Disconnect(p2p.DiscReasonOf(err)) })
		},
	}
}
