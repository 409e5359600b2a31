package btcpeer_test

import (
	"context"
	"log/slog"
	"net"

	"github.com/ledgernet/ledgernet/p2p/btcpeer"
	"github.com/ledgernet/ledgernet/p2p/plain"
	"github.com/ledgernet/ledgernet/wire"
)

// Example shows how a node wires a dialled connection: the plain transport
// with the chain protocol's command table, then a peer with the node's
// shared NonceSet and its handler.
func Example() {
	nonces := btcpeer.NewNonceSet(0) // one per node
	cfg := btcpeer.Config{
		Services: wire.SFNodeNetwork | wire.SFNodeWitness,
		Nonces:   nonces,
		Logger:   slog.Default(),
		Handler: btcpeer.HandlerFunc(func(p *btcpeer.Peer, msg wire.Message) {
			switch m := msg.(type) {
			case *wire.MsgHeaders:
				_ = m // hand to the sync manager
			case *wire.MsgInv:
				// ask for what we lack; getdata arms a stall deadline
				p.Send(&wire.MsgGetData{InvList: m.InvList})
			}
		}),
		OnMisbehavior: func(p *btcpeer.Peer, m btcpeer.Misbehavior) {
			if m.Threshold {
				_ = p.Addr() // ban it, if the node's policy says so
			}
		},
	}

	nc, err := net.Dial("tcp", "127.0.0.1:18444")
	if err != nil {
		return
	}
	conn, err := plain.New(nc, plain.Config{
		Net:        wire.RegTest,
		Commands:   btcpeer.Commands(),
		MaxPayload: btcpeer.MaxPayload,
	})
	if err != nil {
		nc.Close()
		return
	}
	p := btcpeer.New(conn, false, cfg)
	go p.Run(context.Background())
	select {
	case <-p.Ready():
		p.Send(&wire.MsgGetHeaders{ProtocolVersion: wire.ProtocolVersion}) // arms a 90 s deadline for headers
	case <-p.Done():
	}
	p.Disconnect(nil)
	<-p.Done()
}
