package btcpeer

import (
	"net"
	"time"

	"github.com/ledgernet/ledgernet/p2p/plain"
	"github.com/ledgernet/ledgernet/wire"
)

// Info is a snapshot of a peer for APIs and metrics.
type Info struct {
	Addr    string `json:"addr"`
	Inbound bool   `json:"inbound"`
	// Handshake says whether version/verack completed; the fields from
	// Version to Relay are zero until it has.
	Handshake   bool             `json:"handshake"`
	Version     int32            `json:"version"`
	Negotiated  uint32           `json:"negotiated_version"`
	UserAgent   string           `json:"user_agent"`
	Services    wire.ServiceFlag `json:"services"`
	StartHeight int32            `json:"start_height"`
	Relay       bool             `json:"relay"`
	ConnectedAt time.Time        `json:"connected_at,omitzero"`

	// PingMs is the last ping round trip in milliseconds; 0 before the
	// first pong.
	PingMs float64 `json:"ping_ms"`

	SendHeaders bool   `json:"send_headers"`
	AddrV2      bool   `json:"addr_v2"`
	WTxIDRelay  bool   `json:"wtxid_relay"`
	FeeFilter   int64  `json:"fee_filter"` // satoshis per kvB
	CmpctBlocks bool   `json:"cmpct_announce"`
	CmpctVer    uint64 `json:"cmpct_version"`

	BanScore int `json:"ban_score"`

	BytesIn  uint64 `json:"bytes_in"`
	BytesOut uint64 `json:"bytes_out"`
	MsgsIn   uint64 `json:"msgs_in"`
	MsgsOut  uint64 `json:"msgs_out"`
	// PerCommand holds the commands used at least once; commands the
	// transport skipped as unknown are counted under "*other*" (as Core's
	// getpeerinfo does) when the transport reports them.
	PerCommand map[string]CommandStats `json:"per_command"`
	// DroppedSends counts messages refused because the data queue was full.
	DroppedSends uint64 `json:"dropped_sends"`
}

// CommandStats counts one command's traffic; bytes include the envelope
// header.
type CommandStats struct {
	MsgsIn   uint64 `json:"msgs_in"`
	BytesIn  uint64 `json:"bytes_in"`
	MsgsOut  uint64 `json:"msgs_out"`
	BytesOut uint64 `json:"bytes_out"`
}

// Info returns a snapshot of the peer.
func (p *Peer) Info() Info {
	in := Info{
		Inbound:      p.inbound,
		Negotiated:   p.pver.Load(),
		SendHeaders:  p.sendHeaders.Load(),
		AddrV2:       p.wantsAddrV2.Load(),
		WTxIDRelay:   p.wtxidRelay.Load(),
		FeeFilter:    p.feeFilter.Load(),
		CmpctBlocks:  p.cmpctAnnounce.Load(),
		CmpctVer:     p.cmpctVersion.Load(),
		BanScore:     int(p.score.Load()),
		PingMs:       float64(p.pingRTT.Load()) / float64(time.Millisecond),
		PerCommand:   make(map[string]CommandStats),
		DroppedSends: p.queue.droppedCount(),
	}
	if a := p.Addr(); a != nil {
		in.Addr = a.String()
	}
	select {
	case <-p.ready:
		r := p.remote
		in.Handshake = true
		in.Version, in.UserAgent, in.Services = r.version, r.userAgent, r.services
		in.StartHeight, in.Relay, in.ConnectedAt = r.startHeight, r.relay, r.readyAt
	default:
	}
	for i := range p.stats {
		c := &p.stats[i]
		cs := CommandStats{MsgsIn: c.msgsIn.Load(), BytesIn: c.bytesIn.Load(), MsgsOut: c.msgsOut.Load(), BytesOut: c.bytesOut.Load()}
		if cs != (CommandStats{}) {
			in.PerCommand[commands[i]] = cs
		}
		in.MsgsIn += cs.MsgsIn
		in.BytesIn += cs.BytesIn
		in.MsgsOut += cs.MsgsOut
		in.BytesOut += cs.BytesOut
	}
	if sc, ok := p.conn.(interface{ Stats() plain.Stats }); ok {
		if st := sc.Stats(); st.UnknownMessages > 0 {
			in.PerCommand["*other*"] = CommandStats{MsgsIn: st.UnknownMessages, BytesIn: st.UnknownBytes}
			in.MsgsIn += st.UnknownMessages
			in.BytesIn += st.UnknownBytes
		}
	}
	return in
}

// Addr returns the peer's address.
func (p *Peer) Addr() net.Addr { return p.conn.RemoteAddr() }

// Inbound reports whether the peer dialled us.
func (p *Peer) Inbound() bool { return p.inbound }

// ProtocolVersion returns the negotiated protocol version, 0 before the
// peer's version arrived.
func (p *Peer) ProtocolVersion() uint32 { return p.pver.Load() }

// Services returns the services the peer announced, 0 before the handshake.
func (p *Peer) Services() wire.ServiceFlag {
	select {
	case <-p.ready:
		return p.remote.services
	default:
		return 0
	}
}

// StartHeight returns the height the peer announced, 0 before the handshake.
func (p *Peer) StartHeight() int32 {
	select {
	case <-p.ready:
		return p.remote.startHeight
	default:
		return 0
	}
}

// WantsHeaders reports whether the peer sent sendheaders (BIP130): announce
// new blocks to it with headers rather than inv.
func (p *Peer) WantsHeaders() bool { return p.sendHeaders.Load() }

// WantsAddrV2 reports whether the peer sent sendaddrv2 (BIP155).
func (p *Peer) WantsAddrV2() bool { return p.wantsAddrV2.Load() }

// WTxIDRelay reports whether the peer sent wtxidrelay (BIP339).
func (p *Peer) WTxIDRelay() bool { return p.wtxidRelay.Load() }

// FeeFilter returns the peer's minimum fee rate for tx announcements
// (BIP133), in satoshis per 1000 vbytes; 0 if it sent none.
func (p *Peer) FeeFilter() int64 { return p.feeFilter.Load() }

// PingRTT returns the last ping round trip, 0 before the first pong.
func (p *Peer) PingRTT() time.Duration { return time.Duration(p.pingRTT.Load()) }

// BanScore returns the misbehaviour score.
func (p *Peer) BanScore() int { return int(p.score.Load()) }
