package discover

import (
	"context"
	"net/netip"
	"time"

	"github.com/ledgernet/ledgernet/p2p/discover/v4wire"
	"github.com/ledgernet/ledgernet/p2p/enode"
)

// handlePacket runs on the read loop for every datagram. The checks go from
// cheap to expensive, and everything that can be refused is refused before
// a reply is signed: rate limit per source IP, replay (by the claimed hash,
// before the ~115 µs key recovery; a forged packet claiming a seen hash
// would fail the hash check anyway), decoding, expiration, request rate
// limit, then per type.
func (t *UDPv4) handlePacket(from netip.AddrPort, data []byte) {
	now := t.now()
	if !t.packetLimit.allow(from.Addr(), now) {
		t.dropped(from, nil, errRateLimited)
		return
	}
	// A replayed request is refused, except a ping, which gets its pong
	// again and nothing else: the pong is no bigger than the ping, and a
	// sender may legitimately repeat a ping byte for byte (signatures are
	// deterministic and expirations have one-second resolution), so
	// refusing it could fail the sender's liveness check of us.
	replayed := len(data) > 97 && t.replay.contains(v4wire.Hash(data[:32]), now)
	if replayed && data[97] != v4wire.PingPacket {
		t.dropped(from, nil, errReplay)
		return
	}
	p, key, hash, err := v4wire.Decode(data)
	if err != nil {
		t.dropped(from, nil, err)
		return
	}
	until := now.Add(t.cfg.PacketExpiration) // for packets without expiration
	if exp, ok := expirationOf(p); ok {
		if v4wire.Expired(exp, now) {
			t.dropped(from, p, errExpired)
			return
		}
		until = time.Unix(int64(exp), 0)
	}
	if isRequest(p) && !t.requestLimit.allow(from.Addr(), now) {
		t.dropped(from, p, errRateLimited)
		return
	}
	if t.log.Enabled(context.Background(), levelTrace) {
		t.log.Log(context.Background(), levelTrace, "<< "+p.Name(), "addr", from, "id", key.ID().TerminalString())
	}
	fromID := key.ID()
	switch p := p.(type) {
	case *v4wire.Ping:
		err = t.handlePing(p, from, fromID, key, hash, now, replayed)
	case *v4wire.Pong:
		err = t.handlePong(p, from, fromID, now)
	case *v4wire.Findnode:
		err = t.handleFindnode(p, from, fromID, now)
	case *v4wire.Neighbors:
		err = t.handleReplyPacket(p, from, fromID)
	case *v4wire.ENRRequest:
		err = t.handleENRRequest(from, fromID, hash, now)
	case *v4wire.ENRResponse:
		err = t.handleReplyPacket(p, from, fromID)
	}
	if err != nil {
		t.dropped(from, p, err)
		return
	}
	// Only requests acted on are remembered: replaying a refused one gains
	// nothing, and a sender may legitimately repeat a request we refused.
	// Replies are not remembered: a replayed reply can only complete a
	// request waiting for exactly that reply, and our own repeated request
	// may well get byte-identical replies.
	if isRequest(p) && !replayed {
		t.replay.add(hash, until, now)
	}
}

func expirationOf(p v4wire.Packet) (uint64, bool) {
	switch p := p.(type) {
	case *v4wire.Ping:
		return p.Expiration, true
	case *v4wire.Pong:
		return p.Expiration, true
	case *v4wire.Findnode:
		return p.Expiration, true
	case *v4wire.Neighbors:
		return p.Expiration, true
	case *v4wire.ENRRequest:
		return p.Expiration, true
	}
	return 0, false
}

// isRequest reports packets that make us send: they are rate limited.
func isRequest(p v4wire.Packet) bool {
	switch p.(type) {
	case *v4wire.Ping, *v4wire.Findnode, *v4wire.ENRRequest:
		return true
	}
	return false
}

// handlePing answers with a pong to the UDP source (not the claimed From,
// which is often wrong behind NAT), then makes sure the sender is bonded
// with us: an unknown sender is pinged back and added to the table when it
// answers; a known one is added at once.
func (t *UDPv4) handlePing(req *v4wire.Ping, from netip.AddrPort, fromID enode.ID, key v4wire.Pubkey, hash v4wire.Hash, now time.Time, replayed bool) error {
	if _, err := t.send(from, &v4wire.Pong{
		To:         v4wire.NewEndpoint(from, req.From.TCP),
		ReplyTok:   hash[:],
		Expiration: t.expiration(),
		ENRSeq:     t.self().Seq(),
	}); err != nil {
		return err
	}
	if replayed {
		t.stats.replayed.Add(1)
		return nil
	}
	// Wake an ensureBond waiting for this node to ping us.
	t.handleReply(fromID, from.Addr(), req)

	pub, err := v4wire.DecodePubkey(key) // recovered keys are valid points
	if err != nil {
		return err
	}
	n := enode.NewV4(pub, from.Addr(), req.From.TCP, from.Port())
	if t.bonded(fromID, from.Addr(), now) {
		t.tab.addInboundNode(n)
	} else {
		t.sendPing(fromID, from, func() { t.tab.addInboundNode(n) })
	}
	t.db.UpdateLastPingReceived(fromID, from.Addr(), now)
	return nil
}

// handlePong accepts a pong only as the answer to our ping from that node
// and IP; that is the endpoint proof, recorded before the next packet is
// read so that a findnode right behind the pong is answered.
func (t *UDPv4) handlePong(p *v4wire.Pong, from netip.AddrPort, fromID enode.ID, now time.Time) error {
	if !t.handleReply(fromID, from.Addr(), p) {
		return errUnsolicited
	}
	t.db.UpdateLastPongReceived(fromID, from.Addr(), now)
	return nil
}

// handleReplyPacket delivers Neighbors and ENRResponse to the request
// waiting for them. Nothing else is ever done with them: an unsolicited
// Neighbors must not put nodes into our table.
func (t *UDPv4) handleReplyPacket(p v4wire.Packet, from netip.AddrPort, fromID enode.ID) error {
	if !t.handleReply(fromID, from.Addr(), p) {
		return errUnsolicited
	}
	return nil
}

// handleFindnode answers with the closest live nodes we know, in packets of
// at most MaxNeighbors, only to a bonded sender: the answer is ten times
// the question, so answering an unproven address would make us an
// amplifier for spoofed traffic.
func (t *UDPv4) handleFindnode(req *v4wire.Findnode, from netip.AddrPort, fromID enode.ID, now time.Time) error {
	if !t.bonded(fromID, from.Addr(), now) {
		return errUnknownNode
	}
	closest := t.tab.closest(req.Target.ID(), bucketSize, true)
	p := v4wire.Neighbors{Expiration: t.expiration()}
	sent := false
	for _, n := range closest {
		// Never tell a remote node about our LAN, nor anyone about
		// special-purpose addresses.
		if checkRelayIP(from.Addr(), n.IP()) != nil {
			continue
		}
		p.Nodes = append(p.Nodes, nodeToRPC(n))
		if len(p.Nodes) == v4wire.MaxNeighbors {
			t.send(from, &p)
			p.Nodes = p.Nodes[:0]
			sent = true
		}
	}
	// An empty answer is still an answer: the asker stops waiting.
	if len(p.Nodes) > 0 || !sent {
		t.send(from, &p)
	}
	return nil
}

func nodeToRPC(n *enode.Node) v4wire.Node {
	return v4wire.Node{IP: n.IP(), UDP: n.UDP(), TCP: n.TCP(), ID: v4wire.EncodePubkey(n.Pubkey())}
}

// handleENRRequest sends our record to a bonded sender.
func (t *UDPv4) handleENRRequest(from netip.AddrPort, fromID enode.ID, hash v4wire.Hash, now time.Time) error {
	if !t.bonded(fromID, from.Addr(), now) {
		return errUnknownNode
	}
	_, err := t.send(from, &v4wire.ENRResponse{ReplyTok: hash, Record: t.self().Record()})
	return err
}
