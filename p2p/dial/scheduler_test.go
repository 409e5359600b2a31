package dial

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

func TestConfigSlots(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		out, in int
	}{
		{"defaults (geth)", Config{NoDial: true}, 16, 34},
		{"bitcoin", Config{NoDial: true, MaxPeers: 125, MaxOutbound: 8}, 8, 117},
		{"ratio 2", Config{NoDial: true, MaxPeers: 10, DialRatio: 2}, 5, 5},
		{"ratio rounds to at least 1", Config{NoDial: true, MaxPeers: 2}, 1, 1},
		{"outbound capped by max", Config{NoDial: true, MaxPeers: 4, MaxOutbound: 9}, 4, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if s.MaxOutbound() != tt.out || s.MaxInbound() != tt.in {
				t.Errorf("slots = %d out, %d in; want %d, %d", s.MaxOutbound(), s.MaxInbound(), tt.out, tt.in)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no dialer", Config{}},
		{"negative", Config{NoDial: true, MaxPeers: -1}},
		{"bad prefix", Config{NoDial: true, NetRestrict: []netip.Prefix{{}}}},
		{"subnet bits", Config{NoDial: true, SubnetBits4: 33}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := NewSliceIter(nil)
			if _, err := New(tt.cfg, it); err == nil {
				t.Fatal("New succeeded")
			}
			if it.Next() {
				t.Error("iterator not closed after failed New")
			}
		})
	}
}

// The outbound count rises to the target, never passes it, and recovers it
// after disconnections, with dials failing now and then.
func TestOutboundConverges(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.delay = time.Second
		f.failEvery = 3
		s := newSched(t, Config{MaxPeers: 12}, f, newGenIter("192.0.2.1")) // 4 out, 8 in
		time.Sleep(10 * time.Second)
		synctest.Wait()
		if in, out := s.PeerCount(); in != 0 || out != 4 {
			t.Fatalf("PeerCount = %d in, %d out; want 0, 4", in, out)
		}
		if f.maxActive > 8 {
			t.Errorf("%d concurrent dials; want at most 2 × 4 missing", f.maxActive)
		}
		ps := s.Peers()
		s.RemovePeer(ps[0])
		s.RemovePeer(ps[3])
		time.Sleep(10 * time.Second)
		synctest.Wait()
		if _, out := s.PeerCount(); out != 4 {
			t.Fatalf("outbound after disconnects = %d, want 4", out)
		}
		st := s.Stats()
		if st.Dialing != 0 {
			t.Errorf("%d dials still running with all slots full", st.Dialing)
		}
		// Every success beyond the target was refused by AddPeer.
		if got := int(st.Dials - st.DialFailures); got != 6 || f.added != 6 {
			t.Errorf("successful dials = %d, peers added = %d; want 6, 6", got, f.added)
		}
	})
}

func TestMaxPendingDials(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.block = true
		s := newSched(t, Config{MaxPeers: 300, MaxOutbound: 100, MaxPendingDials: 5}, f, newGenIter("192.0.2.1"))
		time.Sleep(time.Minute)
		synctest.Wait()
		if st := s.Stats(); st.Dialing != 5 || f.maxActive != 5 {
			t.Errorf("dialing = %d, max active = %d; want 5", st.Dialing, f.maxActive)
		}
	})
}

func TestInboundSlots(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSched(t, Config{MaxPeers: 6, MaxOutbound: 2, NoDial: true}, nil, nil) // 4 in
		var peers []Peer
		for i := range 4 {
			p := Peer{Addr: netip.AddrPortFrom(netip.AddrFrom4([4]byte{203, 0, 113, byte(i + 1)}), 40000), Inbound: true}
			if err := s.CheckInbound(p.Addr.Addr()); err != nil {
				t.Fatalf("CheckInbound %d: %v", i, err)
			}
			if err := s.AddPeer(p); err != nil {
				t.Fatalf("AddPeer %d: %v", i, err)
			}
			peers = append(peers, p)
		}
		extra := Peer{Addr: ap("203.0.113.99:40000"), Inbound: true}
		if err := s.CheckInbound(extra.Addr.Addr()); !errors.Is(err, ErrTooManyPeers) {
			t.Errorf("CheckInbound with inbound slots full: %v, want ErrTooManyPeers", err)
		}
		if err := s.AddPeer(extra); !errors.Is(err, ErrTooManyPeers) {
			t.Errorf("AddPeer with inbound slots full: %v, want ErrTooManyPeers", err)
		}
		// Outbound slots are separate.
		for i := range 2 {
			p := Peer{Addr: netip.AddrPortFrom(netip.AddrFrom4([4]byte{198, 51, 100, byte(i + 1)}), 8333)}
			if err := s.AddPeer(p); err != nil {
				t.Fatalf("outbound AddPeer %d: %v", i, err)
			}
		}
		if err := s.AddPeer(Peer{Addr: ap("198.51.100.50:8333")}); !errors.Is(err, ErrTooManyPeers) {
			t.Errorf("third outbound: %v, want ErrTooManyPeers", err)
		}
		s.RemovePeer(peers[1])
		if err := s.CheckInbound(netip.MustParseAddr("203.0.113.77")); err != nil {
			t.Errorf("CheckInbound after a disconnect: %v", err)
		}
		if in, out := s.PeerCount(); in != 3 || out != 2 {
			t.Errorf("PeerCount = %d, %d; want 3, 2", in, out)
		}
		if st := s.Stats(); st.RefusedInbound != 1 || st.RefusedPeers != 2 {
			t.Errorf("refused inbound %d, peers %d; want 1, 2", st.RefusedInbound, st.RefusedPeers)
		}
	})
}

func TestInboundThrottle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newSched(t, Config{NoDial: true}, nil, nil)
		ip := netip.MustParseAddr("203.0.113.7")
		if err := s.CheckInbound(ip); err != nil {
			t.Fatal(err)
		}
		if err := s.CheckInbound(ip); !errors.Is(err, ErrThrottled) {
			t.Fatalf("second attempt: %v, want ErrThrottled", err)
		}
		// An IPv4-mapped form is the same IP.
		if err := s.CheckInbound(netip.MustParseAddr("::ffff:203.0.113.7")); !errors.Is(err, ErrThrottled) {
			t.Fatalf("mapped form: %v, want ErrThrottled", err)
		}
		if err := s.CheckInbound(netip.MustParseAddr("203.0.113.8")); err != nil {
			t.Fatalf("other IP: %v", err)
		}
		time.Sleep(29 * time.Second)
		if err := s.CheckInbound(ip); !errors.Is(err, ErrThrottled) {
			t.Fatalf("after 29 s: %v, want ErrThrottled", err)
		}
		time.Sleep(2 * time.Second)
		if err := s.CheckInbound(ip); err != nil {
			t.Fatalf("after 31 s: %v", err)
		}
		off := newSched(t, Config{NoDial: true, InboundThrottle: -1}, nil, nil)
		for range 3 {
			if err := off.CheckInbound(ip); err != nil {
				t.Fatalf("throttle disabled: %v", err)
			}
		}
		for _, lan := range []string{"127.0.0.1", "10.1.2.3", "::1"} {
			for range 3 {
				if err := s.CheckInbound(netip.MustParseAddr(lan)); err != nil {
					t.Errorf("%s: %v; LAN addresses are not throttled", lan, err)
				}
			}
		}
	})
}

func TestDialHistory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.failAll = errTestDial
		fd := newFeed()
		s := newSched(t, Config{}, f, fd.it)
		x, y := cand("192.0.2.10:30303"), idCand(7, "192.0.2.11:30303")
		fd.send(x, y)
		time.Sleep(time.Second)
		fd.send(x, y, idCand(7, "192.0.2.12:30303")) // same ID, other address
		if got := len(f.dialed()); got != 2 {
			t.Fatalf("%d dials within the history window, want 2", got)
		}
		time.Sleep(34 * time.Second) // 35 s after the first dials
		fd.send(x, y)
		if got := len(f.dialed()); got != 4 {
			t.Fatalf("%d dials after the history expired, want 4", got)
		}
		if st := s.Stats(); st.SkipHistory != 3 {
			t.Errorf("SkipHistory = %d, want 3", st.SkipHistory)
		}
	})
}

// delays returns the gaps between consecutive dials.
func delays(ds []dialRecord) []time.Duration {
	var out []time.Duration
	for i := 1; i < len(ds); i++ {
		out = append(out, ds[i].at.Sub(ds[i-1].at))
	}
	return out
}

func TestStaticBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.failAll = errTestDial
		st := cand("198.51.100.9:30303")
		s := newSched(t, Config{Static: []Candidate{st}}, f, nil)
		time.Sleep(6 * time.Minute)
		synctest.Wait()
		ds := f.dialed()
		if len(ds) < 10 {
			t.Fatalf("%d dials in 6 min", len(ds))
		}
		base := time.Second
		for i, d := range delays(ds) {
			if d < base/2 || d > base {
				t.Errorf("retry %d after %v, want within [%v, %v]", i+1, d, base/2, base)
			}
			base = min(2*base, DefaultStaticBackoffMax)
		}

		// Once the peer accepts, it is connected at the next retry and no
		// longer dialled.
		f.set(func(f *fakeDialer) { f.failAll = nil })
		time.Sleep(DefaultStaticBackoffMax)
		synctest.Wait()
		ps := s.Peers()
		if len(ps) != 1 || !ps[0].Static || ps[0].Addr != st.Addr {
			t.Fatalf("peers = %+v, want the static peer", ps)
		}
		n := len(f.dialed())
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		if len(f.dialed()) != n {
			t.Fatal("connected static peer dialled again")
		}

		// A long-lived connection that drops is redialled at once.
		s.RemovePeer(ps[0])
		synctest.Wait()
		ds = f.dialed()
		if len(ds) != n+1 || !ds[n].at.Equal(time.Now()) {
			t.Fatalf("no immediate redial after a disconnect")
		}
		// A connection that drops at once counts as a failure: back off.
		time.Sleep(5 * time.Second)
		s.RemovePeer(s.Peers()[0])
		synctest.Wait()
		dropped := time.Now()
		time.Sleep(2 * time.Second)
		synctest.Wait()
		ds = f.dialed()
		if len(ds) != n+2 {
			t.Fatalf("%d dials after a short connection, want %d", len(ds), n+2)
		}
		if d := ds[n+1].at.Sub(dropped); d < 500*time.Millisecond || d > time.Second {
			t.Errorf("redial %v after a short connection, want within [0.5 s, 1 s]", d)
		}
	})
}

func TestStaticAddRemove(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.failAll = errTestDial
		s := newSched(t, Config{MaxPeers: 6, MaxOutbound: 2}, f, nil)
		a := idCand(1, "198.51.100.1:30303")
		// A static node that connects to us inbound is satisfied: not dialled.
		if err := s.AddPeer(Peer{ID: a.ID, Addr: ap("198.51.100.1:51000"), Inbound: true}); err != nil {
			t.Fatal(err)
		}
		s.AddStatic(a)
		b := cand("198.51.100.2:8333")
		s.AddStatic(b)
		time.Sleep(10 * time.Second)
		synctest.Wait()
		for _, d := range f.dialed() {
			if d.c.Addr == a.Addr {
				t.Fatal("static peer connected inbound was dialled")
			}
		}
		if ps := s.Peers(); !ps[0].Static {
			t.Error("inbound static peer not marked static")
		}
		n := len(f.dialed())
		if n < 3 {
			t.Fatalf("static peer dialled %d times in 10 s, want retries", n)
		}
		s.RemoveStatic(b)
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		if len(f.dialed()) != n {
			t.Error("removed static peer still dialled")
		}
		// Static peers go beyond the outbound target (but not MaxPeers).
		for i := range 2 {
			if err := s.AddPeer(Peer{Addr: netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(i + 1)}), 1)}); err != nil {
				t.Fatal(err)
			}
		}
		f.set(func(f *fakeDialer) { f.failAll = nil })
		c := cand("203.0.113.3:8333")
		s.AddStatic(c)
		synctest.Wait()
		if _, out := s.PeerCount(); out != 3 {
			t.Errorf("outbound = %d, want 3: the static peer beyond the target of 2", out)
		}
	})
}

func TestNetRestrict(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		fd := newFeed()
		cfg := Config{
			NetRestrict: []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("2001:db8:1::/48")},
			Static:      []Candidate{cand("203.0.113.5:30303")},
		}
		s := newSched(t, cfg, f, fd.it)
		fd.send(cand("192.0.2.1:30303"), cand("198.51.100.1:30303"), cand("[2001:db8:2::1]:30303"),
			cand("[2001:db8:1::1]:30303"), cand("[::ffff:192.0.2.1]:30304"))
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		want := []netip.AddrPort{ap("198.51.100.1:30303"), ap("[2001:db8:1::1]:30303")}
		if got := f.dialedAddrs(); !sameAddrs(got, want) {
			t.Errorf("dialled %v, want %v", got, want)
		}
		if err := s.CheckInbound(netip.MustParseAddr("192.0.2.3")); !errors.Is(err, ErrNotAllowed) {
			t.Errorf("inbound from outside: %v, want ErrNotAllowed", err)
		}
		if err := s.AddPeer(Peer{Addr: ap("192.0.2.3:5555"), Inbound: true}); !errors.Is(err, ErrNotAllowed) {
			t.Errorf("AddPeer from outside: %v, want ErrNotAllowed", err)
		}
		if err := s.CheckInbound(netip.MustParseAddr("198.51.100.3")); err != nil {
			t.Errorf("inbound from inside: %v", err)
		}
		if st := s.Stats(); st.SkipRestrict != 3 {
			t.Errorf("SkipRestrict = %d, want 3", st.SkipRestrict)
		}
	})
}

func TestSubnetLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		fd := newFeed()
		s := newSched(t, Config{MaxPeers: 30, SubnetLimit: 1}, f, fd.it) // 10 outbound slots
		fd.send(
			cand("192.0.2.1:8333"), cand("192.0.3.2:8333"), // same /16
			cand("198.51.100.1:8333"),
			cand("[2001:db8::1]:8333"), cand("[2001:db8:1::1]:8333"), // same /32
			cand("127.0.0.1:1"), cand("127.0.0.1:2"), // loopback: exempt
		)
		want := []netip.AddrPort{ap("192.0.2.1:8333"), ap("198.51.100.1:8333"), ap("[2001:db8::1]:8333"), ap("127.0.0.1:1"), ap("127.0.0.1:2")}
		if got := f.dialedAddrs(); !sameAddrs(got, want) {
			t.Fatalf("dialled %v, want %v", got, want)
		}
		if st := s.Stats(); st.SkipSubnet != 2 {
			t.Errorf("SkipSubnet = %d, want 2", st.SkipSubnet)
		}
		// Once the group's peer is gone, another address in it may be dialled.
		s.RemovePeer(Peer{Addr: ap("192.0.2.1:8333")})
		fd.send(cand("192.0.3.2:8333"))
		if got := f.dialedAddrs(); !slices.Contains(got, ap("192.0.3.2:8333")) {
			t.Errorf("dialled %v, want 192.0.3.2:8333 among them", got)
		}
	})
}

func TestSubnetLimitCountsDials(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.block = true
		fd := newFeed()
		s := newSched(t, Config{MaxPeers: 30, SubnetLimit: 1}, f, fd.it)
		fd.send(cand("192.0.2.1:8333"), cand("192.0.2.2:8333"))
		if got := len(f.dialed()); got != 1 {
			t.Errorf("%d dials into one /16 at once, want 1", got)
		}
		_ = s
	})
}

func TestBannedAndSelf(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		bannedIP := netip.MustParseAddr("192.0.2.66")
		selfNonce := ap("203.0.113.50:8333")
		f.fail[selfNonce] = fmt.Errorf("version nonce is ours: %w", ErrSelf)
		fd := newFeed()
		cfg := Config{
			Banned:    func(a netip.Addr) bool { return a == bannedIP },
			Self:      testID(1),
			SelfAddrs: []netip.AddrPort{ap("198.51.100.100:30303")},
		}
		s := newSched(t, cfg, f, fd.it)
		fd.send(
			cand("192.0.2.66:30303"),         // banned
			idCand(1, "192.0.2.1:30303"),     // our ID
			cand("198.51.100.100:30303"),     // our address
			idCand(2, "192.0.2.2:30303"),     // fine
			Candidate{Addr: selfNonce},       // turns out to be us
			Candidate{Addr: ap("0.0.0.0:1")}, // not dialable
		)
		want := []netip.AddrPort{ap("192.0.2.2:30303"), selfNonce}
		if got := f.dialedAddrs(); !sameAddrs(got, want) {
			t.Fatalf("dialled %v, want %v", got, want)
		}
		if err := s.CheckInbound(bannedIP); !errors.Is(err, ErrBanned) {
			t.Errorf("inbound from banned IP: %v, want ErrBanned", err)
		}
		if err := s.AddPeer(Peer{ID: testID(1), Addr: ap("192.0.2.9:1234"), Inbound: true}); !errors.Is(err, ErrSelf) {
			t.Errorf("AddPeer with our ID: %v, want ErrSelf", err)
		}
		// The address that answered with our nonce is never dialled again.
		time.Sleep(time.Minute)
		fd.send(Candidate{Addr: selfNonce})
		if got := len(f.dialed()); got != 2 {
			t.Errorf("%d dials, want 2: self address redialled", got)
		}
		if st := s.Stats(); st.SkipBanned != 1 || st.SkipSelf != 3 || st.SkipInvalid != 1 {
			t.Errorf("skips banned %d self %d invalid %d, want 1 3 1", st.SkipBanned, st.SkipSelf, st.SkipInvalid)
		}
	})
}

// TestDiscouraged: a discouraged address is not dialled from discovery,
// is still dialled as a static peer, and may still connect inbound.
func TestDiscouraged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		bad := netip.MustParseAddr("192.0.2.66")
		fd := newFeed()
		cfg := Config{
			Discouraged: func(a netip.Addr) bool { return a == bad },
			Static:      []Candidate{cand("192.0.2.66:30304")},
		}
		s := newSched(t, cfg, f, fd.it)
		fd.send(cand("192.0.2.66:30303"), idCand(2, "192.0.2.2:30303"))
		want := []netip.AddrPort{ap("192.0.2.66:30304"), ap("192.0.2.2:30303")}
		if got := f.dialedAddrs(); !sameAddrs(got, want) {
			t.Fatalf("dialled %v, want %v", got, want)
		}
		if err := s.CheckInbound(bad); err != nil {
			t.Errorf("inbound from a discouraged IP: %v, want accepted", err)
		}
		if st := s.Stats(); st.SkipDiscouraged != 1 || st.SkipBanned != 0 {
			t.Errorf("skips discouraged %d banned %d, want 1 0", st.SkipDiscouraged, st.SkipBanned)
		}
	})
}

// TestBannedID: a banned node ID is not dialled, even as a static peer,
// and not admitted in either direction.
func TestBannedID(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		fd := newFeed()
		cfg := Config{
			BannedID: func(id [32]byte) bool { return id == testID(9) },
			Static:   []Candidate{idCand(9, "192.0.2.9:30303")},
		}
		s := newSched(t, cfg, f, fd.it)
		fd.send(idCand(9, "192.0.2.19:30303"), idCand(2, "192.0.2.2:30303"))
		if got, want := f.dialedAddrs(), []netip.AddrPort{ap("192.0.2.2:30303")}; !sameAddrs(got, want) {
			t.Fatalf("dialled %v, want %v", got, want)
		}
		for _, in := range []bool{true, false} {
			if err := s.AddPeer(Peer{ID: testID(9), Addr: ap("192.0.2.29:1234"), Inbound: in}); !errors.Is(err, ErrBanned) {
				t.Errorf("AddPeer of a banned ID (inbound %v): %v, want ErrBanned", in, err)
			}
		}
	})
}

func TestDuplicates(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		fd := newFeed()
		s := newSched(t, Config{}, f, fd.it)
		a := Peer{ID: testID(5), Addr: ap("192.0.2.5:40001"), Inbound: true}
		if err := s.AddPeer(a); err != nil {
			t.Fatal(err)
		}
		if err := s.AddPeer(Peer{ID: testID(5), Addr: ap("192.0.2.5:30303")}); !errors.Is(err, ErrAlreadyConnected) {
			t.Errorf("same ID twice: %v, want ErrAlreadyConnected", err)
		}
		b := Peer{Addr: ap("198.51.100.8:8333")}
		if err := s.AddPeer(b); err != nil {
			t.Fatal(err)
		}
		if err := s.AddPeer(b); !errors.Is(err, ErrAlreadyConnected) {
			t.Errorf("same address twice: %v, want ErrAlreadyConnected", err)
		}
		// Connected peers are not dialled, by ID or by address.
		fd.send(idCand(5, "192.0.2.5:30303"), cand("198.51.100.8:8333"))
		if got := len(f.dialed()); got != 0 {
			t.Errorf("%d dials to connected peers", got)
		}
		// A refused duplicate reporting its end does not remove the peer.
		s.RemovePeer(Peer{ID: testID(5), Addr: ap("192.0.2.5:40002"), Inbound: true})
		s.RemovePeer(Peer{ID: testID(5), Addr: ap("192.0.2.5:40001")})
		if in, out := s.PeerCount(); in != 1 || out != 1 {
			t.Errorf("PeerCount = %d, %d; want 1, 1", in, out)
		}
		s.RemovePeer(a)
		if in, _ := s.PeerCount(); in != 0 {
			t.Errorf("inbound = %d after RemovePeer, want 0", in)
		}
	})
}

func TestClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := newFake()
		f.block = true // dials return only when Close cancels them
		s := newSched(t, Config{Static: []Candidate{cand("198.51.100.1:1")}}, f, newGenIter("192.0.2.1"))
		time.Sleep(time.Second)
		synctest.Wait()
		if st := s.Stats(); st.Dialing == 0 {
			t.Fatal("no dials running")
		}
		s.Close()
		s.Close()
		if err := s.AddPeer(Peer{Addr: ap("192.0.2.1:1")}); !errors.Is(err, ErrClosed) {
			t.Errorf("AddPeer after Close: %v, want ErrClosed", err)
		}
		if err := s.CheckInbound(netip.MustParseAddr("192.0.2.1")); !errors.Is(err, ErrClosed) {
			t.Errorf("CheckInbound after Close: %v, want ErrClosed", err)
		}
		if s.Peers() != nil {
			t.Error("Peers after Close not nil")
		}
		// synctest.Test fails if any goroutine of the bubble is left.
	})
}

// sameAddrs compares as sets: dial tasks run concurrently, in any order.
func sameAddrs(a, b []netip.AddrPort) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.SortFunc(a, netip.AddrPort.Compare)
	slices.SortFunc(b, netip.AddrPort.Compare)
	return slices.Equal(a, b)
}

// TestSimultaneousDial: two nodes that dial each other at once each see an
// outbound and an inbound connection to the other. Both must keep the same
// one, the one dialled by the smaller ID, whatever order they see them in.
func TestSimultaneousDial(t *testing.T) {
	small, large := testID(1), testID(9)
	run := func(self, remote [32]byte, outFirst bool) (kept string) {
		var got string
		synctest.Test(t, func(t *testing.T) {
			s := newSched(t, Config{Self: self}, newFake(), newFeed().it)
			closed := map[string]bool{}
			out := Peer{ID: remote, Addr: ap("192.0.2.7:30303"), Close: func() { closed["out"] = true }}
			in := Peer{ID: remote, Addr: ap("192.0.2.7:40001"), Inbound: true, Close: func() { closed["in"] = true }}
			first, second, names := out, in, [2]string{"out", "in"}
			if !outFirst {
				first, second, names = in, out, [2]string{"in", "out"}
			}
			if err := s.AddPeer(first); err != nil {
				t.Fatal(err)
			}
			err := s.AddPeer(second)
			switch {
			case err == nil && closed[names[0]]:
				got = names[1]
			case errors.Is(err, ErrAlreadyConnected) && !closed[names[0]]:
				got = names[0]
			default:
				t.Fatalf("second AddPeer: %v, closed %v", err, closed)
			}
			if in, out := s.PeerCount(); in+out != 1 {
				t.Fatalf("PeerCount %d+%d, want one connection", in, out)
			}
			if st := s.Stats(); (got == names[1]) != (st.Replaced == 1) {
				t.Fatalf("Replaced = %d", st.Replaced)
			}
		})
		return got
	}
	for _, outFirst := range []bool{true, false} {
		// The smaller node keeps its outbound connection, the larger its
		// inbound one: the same TCP connection on both sides.
		if got := run(small, large, outFirst); got != "out" {
			t.Errorf("smaller ID (out first %v) kept %s, want out", outFirst, got)
		}
		if got := run(large, small, outFirst); got != "in" {
			t.Errorf("larger ID (out first %v) kept %s, want in", outFirst, got)
		}
	}
}
