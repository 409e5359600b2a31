package nat

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// PMPPort is the NAT-PMP server port (RFC 6886 section 3).
const PMPPort = 5351

// NAT-PMP opcodes and sizes (RFC 6886 sections 3.2 and 3.3).
const (
	pmpVersion     = 0
	opExternalAddr = 0
	opMapUDP       = 1
	opMapTCP       = 2
	opReply        = 128
	extAddrRespLen = 12
	mapRespLen     = 16
	// The first retransmission comes after 250ms and each later one after
	// twice the previous wait (section 3.1).
	pmpInitialWait = 250 * time.Millisecond
	pmpMaxTries    = 9
)

// PMPResultError is a non-zero NAT-PMP result code.
type PMPResultError uint16

var pmpResults = map[PMPResultError]string{
	1: "unsupported version",
	2: "not authorized/refused",
	3: "network failure",
	4: "out of resources",
	5: "unsupported opcode",
}

func (e PMPResultError) Error() string {
	if s, ok := pmpResults[e]; ok {
		return fmt.Sprintf("natpmp: result %d (%s)", uint16(e), s)
	}
	return fmt.Sprintf("natpmp: result %d", uint16(e))
}

// pmp is a NAT-PMP client of one gateway.
type pmp struct {
	gw netip.AddrPort
}

// discoverPMP checks that the gateway answers.
func discoverPMP(ctx context.Context, gw netip.AddrPort) (Interface, error) {
	if !gw.IsValid() {
		ip, err := defaultGateway()
		if err != nil {
			return nil, fmt.Errorf("natpmp: %w", err)
		}
		gw = netip.AddrPortFrom(ip, PMPPort)
	}
	n := &pmp{gw: gw}
	if _, err := n.ExternalIP(ctx); err != nil {
		return nil, err
	}
	return n, nil
}

func (n *pmp) String() string { return "natpmp(" + n.gw.String() + ")" }

// ExternalIP implements Interface.
func (n *pmp) ExternalIP(ctx context.Context) (netip.Addr, error) {
	resp, err := n.call(ctx, []byte{pmpVersion, opExternalAddr}, extAddrRespLen)
	if err != nil {
		return netip.Addr{}, err
	}
	return netip.AddrFrom4([4]byte(resp[8:12])), nil
}

// AddMapping implements Interface. The gateway may grant another external
// port than the one suggested, and a shorter lifetime.
func (n *pmp) AddMapping(ctx context.Context, proto string, extport, intport uint16, _ string, lifetime time.Duration) (uint16, error) {
	if lifetime <= 0 {
		return 0, errors.New("natpmp: lifetime must be positive (zero deletes)")
	}
	resp, err := n.mapPort(ctx, proto, extport, intport, uint32(min(lifetime/time.Second, 1<<32-1)))
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint16(resp[10:12]), nil
}

// DeleteMapping implements Interface: a request with lifetime and external
// port zero (section 3.4).
func (n *pmp) DeleteMapping(ctx context.Context, proto string, _, intport uint16) error {
	_, err := n.mapPort(ctx, proto, 0, intport, 0)
	return err
}

func (n *pmp) mapPort(ctx context.Context, proto string, extport, intport uint16, lifetime uint32) ([]byte, error) {
	p, err := normProto(proto)
	if err != nil {
		return nil, err
	}
	op := byte(opMapUDP)
	if p == "tcp" {
		op = opMapTCP
	}
	req := make([]byte, 12)
	req[0], req[1] = pmpVersion, op
	binary.BigEndian.PutUint16(req[4:], intport)
	binary.BigEndian.PutUint16(req[6:], extport)
	binary.BigEndian.PutUint32(req[8:], lifetime)
	resp, err := n.call(ctx, req, mapRespLen)
	if err != nil {
		return nil, err
	}
	if got := binary.BigEndian.Uint16(resp[8:10]); got != intport {
		return nil, fmt.Errorf("natpmp: reply for internal port %d, asked %d", got, intport)
	}
	return resp, nil
}

// call sends req and waits for its reply, retransmitting with doubling
// waits, until ctx ends or after pmpMaxTries sends.
func (n *pmp) call(ctx context.Context, req []byte, respLen int) ([]byte, error) {
	// A connected socket: the kernel drops datagrams from any other
	// address, so a host on the LAN cannot answer for the gateway.
	conn, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(n.gw))
	if err != nil {
		return nil, fmt.Errorf("natpmp: %w", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	buf := make([]byte, 64)
	wait := pmpInitialWait
	for try := 0; try < pmpMaxTries; try++ {
		if _, err := conn.Write(req); err != nil {
			return nil, n.fail(ctx, err)
		}
		deadline := time.Now().Add(wait)
		if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
			deadline = d
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		conn.SetReadDeadline(deadline)
		for {
			nr, err := conn.Read(buf)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				// The read deadline may be ctx's, reached just before ctx
				// reports it.
				if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
					return nil, context.DeadlineExceeded
				}
				break // retransmit
			}
			if err != nil {
				return nil, n.fail(ctx, err)
			}
			resp, ok, err := checkReply(buf[:nr], req[1], respLen)
			if err != nil {
				return nil, err
			}
			if ok {
				return resp, nil
			}
			// Not a reply to this request: keep waiting.
		}
		wait *= 2
	}
	return nil, fmt.Errorf("natpmp: %s: no reply after %d tries: %w", n.gw, pmpMaxTries, ErrNoGateway)
}

func (n *pmp) fail(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("natpmp: %s: %w", n.gw, err)
}

// checkReply validates a reply to opcode op: ok false means a datagram to
// ignore (another opcode, too short), err a gateway refusing.
func checkReply(b []byte, op byte, respLen int) (resp []byte, ok bool, err error) {
	if len(b) < 4 || b[0] != pmpVersion || b[1] != opReply+op {
		return nil, false, nil
	}
	if rc := binary.BigEndian.Uint16(b[2:4]); rc != 0 {
		return nil, true, PMPResultError(rc)
	}
	if len(b) < respLen {
		return nil, false, nil
	}
	return b[:respLen], true, nil
}
