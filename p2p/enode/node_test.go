package enode

import (
	"errors"
	"net/netip"
	"sync"
	"testing"

	"github.com/ledgernet/ledgernet/p2p/enr"
)

// signedNode builds and signs a record with the example key.
func signedNode(t *testing.T, entries ...enr.Entry) *Node {
	t.Helper()
	var r enr.Record
	for _, e := range entries {
		r.Set(e)
	}
	if err := r.Sign(exampleKey(t)); err != nil {
		t.Fatal(err)
	}
	n, err := New(&r)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNodeEndpointChoice(t *testing.T) {
	ip4 := func(s string) enr.Entry { return enr.IPv4(netip.MustParseAddr(s)) }
	ip6 := func(s string) enr.Entry { return enr.IPv6(netip.MustParseAddr(s)) }
	tests := []struct {
		name     string
		entries  []enr.Entry
		ip       string
		tcp, udp uint16
	}{
		{"ipv4 only", []enr.Entry{ip4("1.2.3.4"), enr.TCP(1), enr.UDP(2)}, "1.2.3.4", 1, 2},
		{"ipv6 only, fallback ports", []enr.Entry{ip6("2001:db8::1"), enr.TCP(1), enr.UDP(2)}, "2001:db8::1", 1, 2},
		{"ipv6 only, own ports", []enr.Entry{ip6("2001:db8::1"), enr.TCP(1), enr.UDP(2), enr.TCP6(3), enr.UDP6(4)}, "2001:db8::1", 3, 4},
		{"both global: ipv4 wins tie", []enr.Entry{ip4("1.2.3.4"), ip6("2001:db8::1"), enr.TCP(1), enr.TCP6(3)}, "1.2.3.4", 1, 0},
		{"private ipv4, global ipv6", []enr.Entry{ip4("10.0.0.1"), ip6("2001:db8::1"), enr.TCP(1), enr.TCP6(3)}, "2001:db8::1", 3, 0},
		{"global ipv4, loopback ipv6", []enr.Entry{ip4("1.2.3.4"), ip6("::1"), enr.TCP(1), enr.TCP6(3)}, "1.2.3.4", 1, 0},
		{"multicast ipv4 ignored", []enr.Entry{ip4("224.0.0.1"), enr.TCP(1)}, "", 1, 0},
		{"no ip", []enr.Entry{enr.TCP(1), enr.UDP(2)}, "", 1, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := signedNode(t, tc.entries...)
			if tc.ip == "" {
				if !n.Incomplete() {
					t.Errorf("IP = %v, want none", n.IP())
				}
			} else if n.IP() != netip.MustParseAddr(tc.ip) {
				t.Errorf("IP = %v, want %s", n.IP(), tc.ip)
			}
			if n.TCP() != tc.tcp || n.UDP() != tc.udp {
				t.Errorf("ports %d/%d, want %d/%d", n.TCP(), n.UDP(), tc.tcp, tc.udp)
			}
		})
	}
}

func TestNodeAccessors(t *testing.T) {
	n := signedNode(t, enr.IPv4(netip.MustParseAddr("192.0.2.1")), enr.TCP(30777), enr.UDP(30778), enr.Network("devnet"))
	if n.ID() != PubkeyToID(exampleKey(t).PubKey()) || !n.Pubkey().IsEqual(exampleKey(t).PubKey()) {
		t.Error("identity wrong")
	}
	if ep, ok := n.TCPEndpoint(); !ok || ep.String() != "192.0.2.1:30777" {
		t.Errorf("TCPEndpoint = %v %v", ep, ok)
	}
	if ep, ok := n.UDPEndpoint(); !ok || ep.String() != "192.0.2.1:30778" {
		t.Errorf("UDPEndpoint = %v %v", ep, ok)
	}
	if nw, ok := n.Network(); !ok || nw != "devnet" {
		t.Errorf("Network = %q %v", nw, ok)
	}
	if err := n.ValidateComplete(); err != nil {
		t.Error(err)
	}
	// The record handed out is a copy.
	r := n.Record()
	r.Set(enr.TCP(1))
	if n.TCP() != 30777 || n.Record().Seq() != n.Seq() || !n.Record().Signed() {
		t.Error("changing Record() changed the node")
	}
	// Round trip through text.
	n2, err := Parse(n.String())
	if err != nil || n2.ID() != n.ID() || n2.TCP() != 30777 {
		t.Errorf("text round trip: %v", err)
	}
}

func TestValidateComplete(t *testing.T) {
	pub := exampleKey(t).PubKey()
	tests := []struct {
		n    *Node
		want error
	}{
		{NewV4(pub, netip.Addr{}, 1, 1), ErrMissingIP},
		{NewV4(pub, netip.MustParseAddr("0.0.0.0"), 1, 1), ErrInvalidIP},
		{NewV4(pub, netip.MustParseAddr("1.2.3.4"), 1, 0), ErrMissingUDPPort},
		{NewV4(pub, netip.MustParseAddr("1.2.3.4"), 0, 1), nil},
	}
	for _, tc := range tests {
		if err := tc.n.ValidateComplete(); err != tc.want {
			t.Errorf("%s: %v, want %v", tc.n.URLv4(), err, tc.want)
		}
	}
}

func TestNewRejectsBadRecord(t *testing.T) {
	var r enr.Record
	r.Set(enr.ID("v4"))
	r.Set(enr.Secp256k1(*exampleKey(t).PubKey()))
	if _, err := New(&r); !errors.Is(err, enr.ErrInvalidSig) {
		t.Errorf("unsigned record: %v", err)
	}
}

func TestLocalNode(t *testing.T) {
	key := exampleKey(t)
	ln := NewLocalNode(key, 100)
	if ln.ID() != PubkeyToID(key.PubKey()) {
		t.Fatal("ID")
	}
	n1 := ln.Node()
	if n1.Seq() != 101 || ln.Seq() != 101 {
		t.Fatalf("first seq = %d", n1.Seq())
	}
	if ln.Node() != n1 {
		t.Error("unchanged record was re-signed")
	}
	if err := ln.SetIP(netip.MustParseAddr("192.0.2.1")); err != nil {
		t.Fatal(err)
	}
	ln.Set(enr.TCP(30777))
	ln.Set(enr.Network("devnet"))
	n2 := ln.Node()
	if n2.Seq() != 102 || n2.IP().String() != "192.0.2.1" || n2.TCP() != 30777 {
		t.Fatalf("after changes: seq %d ip %v tcp %d", n2.Seq(), n2.IP(), n2.TCP())
	}
	if err := n2.Record().Verify(); err != nil {
		t.Fatal(err)
	}
	// Same value: no new record.
	ln.Set(enr.TCP(30777))
	if ln.Node() != n2 {
		t.Error("setting the same value re-signed")
	}
	ln.SetIP(netip.MustParseAddr("2001:db8::1"))
	if n3 := ln.Node(); n3.Seq() != 103 {
		t.Errorf("seq = %d", n3.Seq())
	}
	ln.Delete(enr.KeyTCP)
	ln.Delete("missing")
	if n4 := ln.Node(); n4.Seq() != 104 || n4.TCP() != 0 {
		t.Errorf("after delete: seq %d tcp %d", n4.Seq(), n4.TCP())
	}
	// Too big: refused, nothing changes.
	if err := ln.Set(enr.Network(string(make([]byte, 250)))); !errors.Is(err, enr.ErrTooBig) {
		t.Errorf("oversized Set = %v", err)
	}
	if n5 := ln.Node(); n5.Seq() != 104 {
		t.Errorf("refused Set changed seq to %d", n5.Seq())
	}
}

func TestLocalNodeConcurrent(t *testing.T) {
	ln := NewLocalNode(exampleKey(t), 0)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 20 {
				ln.Set(enr.UDP(uint16(1000*i + j)))
				if err := ln.Node().Record().Verify(); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if ln.Node().Seq() == 0 || ln.Node().Seq() > 81 {
		t.Errorf("seq = %d", ln.Node().Seq())
	}
}
