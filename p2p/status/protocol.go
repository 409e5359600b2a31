package status

import (
	"github.com/ledgernet/ledgernet/p2p/internal/glue"
	"github.com/ledgernet/ledgernet/p2p/server"
	"github.com/ledgernet/ledgernet/p2p/tlsconn"
)

func describe(run glue.Run) glue.Service {
	return glue.Service{Name: Name, Version: Version, Length: Length, Commands: Commands, Run: run}
}

// Protocol returns status/1 for a p2p/server Server, whatever its
// transport: RLPx (devnet), or tlsconn's Transport (permissioned; then put
// Spec() in tlsconn.Config.Protocols too).
func (s *Service) Protocol() server.Protocol { return describe(s.Run).Server() }

// Spec returns status/1's name, version and envelope command table, for
// tlsconn.Config.Protocols.
func Spec() tlsconn.ProtocolSpec { return describe(nil).Spec() }

// TLSProtocol returns status/1 for the permissioned tlsconn.Host.
func (s *Service) TLSProtocol() tlsconn.Protocol { return describe(s.Run).TLS() }
