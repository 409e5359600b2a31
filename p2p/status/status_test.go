package status

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/originsig"
	"github.com/ledgernet/ledgernet/wire"
)

const testInterval = 5 * time.Second

// knowsAll reports, for each node, the origins whose record it lacks or
// holds at a lower seq than the origin's own.
func (tn *testNet) missing() map[int][]int {
	out := map[int][]int{}
	for i, s := range tn.nodes {
		for j, o := range tn.nodes {
			if i == j {
				continue
			}
			r, ok := s.Lookup(o.ID())
			if !ok || r.Seq < o.Self().Seq {
				out[i] = append(out[i], j)
			}
		}
	}
	return out
}

// A change at one node is known network-wide within two intervals, in
// every topology.
func TestPropagation(t *testing.T) {
	topologies := []struct {
		name  string
		n     int
		build func(*testNet)
	}{
		{"line", 8, (*testNet).line},
		{"ring", 10, (*testNet).ring},
		{"random", 30, func(tn *testNet) { tn.random(7, 20) }},
	}
	for _, tt := range topologies {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				tn := newTestNet(t, tt.n, Config{Interval: testInterval})
				tt.build(tn)
				// Bootstrap: every record reaches every node. A message
				// dropped by a full queue in the first burst is repaired
				// by the next periodic announcement, so allow four
				// intervals here; the property under test, a change
				// known within two intervals, is checked below.
				for deadline := time.Now().Add(4 * testInterval); len(tn.missing()) > 0; {
					if time.Now().After(deadline) {
						t.Fatalf("after four intervals, nodes miss records: %v", tn.missing())
					}
					time.Sleep(100 * time.Millisecond)
					synctest.Wait()
				}
				for i, s := range tn.nodes {
					if got := len(s.Known()); got != tt.n {
						t.Fatalf("node %d knows %d records, want %d", i, got, tt.n)
					}
				}
				// The change: node 0's tip and topics.
				src := tn.nodes[0]
				hash := wire.Hash{0xab}
				if err := src.SetTip(42, hash); err != nil {
					t.Fatal(err)
				}
				if err := src.SetTopics([]string{"b", "a", "a"}); err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				seq := func() uint64 { return src.Self().Seq }
				for {
					time.Sleep(10 * time.Millisecond)
					synctest.Wait()
					if len(tn.missing()) == 0 && src.Self().Height == 42 {
						break
					}
					if time.Since(start) > 2*testInterval {
						t.Fatalf("after two intervals, nodes miss node 0's seq %d: %v", seq(), tn.missing())
					}
				}
				t.Logf("known network-wide after %v", time.Since(start))
				for i, s := range tn.nodes[1:] {
					r, _ := s.Lookup(src.ID())
					if r.Height != 42 || r.Hash != hash || !slices.Equal(r.Topics, []string{"a", "b"}) {
						t.Fatalf("node %d holds %+v", i+1, r)
					}
				}
			})
		})
	}
}

// A node that leaves the network expires everywhere after the TTL, and
// not before.
func TestExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const ttl = 30 * time.Second
		tn := newTestNet(t, 4, Config{Interval: testInterval, TTL: ttl})
		tn.line() // 0 - 1 - 2 - 3
		time.Sleep(2 * testInterval)
		gone := tn.nodes[0].ID()
		events, cancel := tn.nodes[3].Subscribe()
		defer cancel()
		tn.disconnect(0, 1)
		time.Sleep(ttl - 2*testInterval)
		synctest.Wait()
		for i, s := range tn.nodes[1:] {
			if _, ok := s.Lookup(gone); !ok {
				t.Fatalf("node %d dropped node 0 before the TTL", i+1)
			}
		}
		time.Sleep(2*testInterval + 4*testInterval)
		synctest.Wait()
		for i, s := range tn.nodes[1:] {
			if _, ok := s.Lookup(gone); ok {
				t.Fatalf("node %d still holds node 0 after TTL + 4 intervals", i+1)
			}
			if s.Reachable(gone) {
				t.Fatalf("node %d: node 0 reachable", i+1)
			}
			if got := len(s.Known()); got != 3 {
				t.Fatalf("node %d knows %d records, want 3", i+1, got)
			}
		}
		var expired bool
		for len(events) > 0 {
			ev := <-events
			if ev.Type == Expired && ev.Record.ID == gone {
				expired = true
			}
		}
		if !expired {
			t.Fatal("no Expired event for node 0")
		}
		// The live nodes' records never expired.
		for i, s := range tn.nodes[1:] {
			if st := s.Stats(); st.Expired != 1 {
				t.Fatalf("node %d expired %d records, want 1", i+1, st.Expired)
			}
		}
	})
}

// Subscribers and Reachable follow the records (package topic's
// directory).
func TestDirectory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tn := newTestNet(t, 5, Config{Interval: testInterval})
		tn.ring()
		tn.nodes[1].SetTopics([]string{"blocks", "tx"})
		tn.nodes[3].SetTopics([]string{"tx"})
		time.Sleep(testInterval)
		synctest.Wait()
		obs := tn.nodes[0]
		want := []enode.ID{tn.nodes[1].ID(), tn.nodes[3].ID()}
		slices.SortFunc(want, func(a, b enode.ID) int { return slices.Compare(a[:], b[:]) })
		if got := obs.Subscribers("tx"); !slices.Equal(got, want) {
			t.Fatalf("Subscribers(tx) = %v, want %v", got, want)
		}
		if got := obs.Subscribers("blocks"); !slices.Equal(got, []enode.ID{tn.nodes[1].ID()}) {
			t.Fatalf("Subscribers(blocks) = %v", got)
		}
		if got := obs.Subscribers("none"); len(got) != 0 {
			t.Fatalf("Subscribers(none) = %v", got)
		}
		if !obs.Reachable(tn.nodes[2].ID()) || obs.Reachable(obs.ID()) || obs.Reachable(enode.ID{1}) {
			t.Fatal("Reachable wrong")
		}
		known := obs.Known()
		var local, peers int
		for _, r := range known {
			if r.Local {
				local++
			}
			if r.Peer {
				peers++
			}
		}
		if local != 1 || peers != 2 {
			t.Fatalf("Known: %d local, %d peers; want 1 and 2", local, peers)
		}
		if st := obs.Stats(); st.Peers != 2 || st.Records != 4 {
			t.Fatalf("Stats: %+v", st)
		}
	})
}

// Many changes in a burst cost one announcement.
func TestCoalesce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tn := newTestNet(t, 2, Config{Interval: testInterval})
		tn.line()
		time.Sleep(testInterval / 2)
		synctest.Wait()
		s := tn.nodes[0]
		before := s.Stats().OwnChanges
		seq := s.Self().Seq
		for h := range uint64(1000) {
			s.SetTip(h+1, wire.Hash{byte(h)})
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if got := s.Stats().OwnChanges - before; got > 2 {
			t.Fatalf("1000 tips in a burst made %d new records", got)
		}
		if r, _ := tn.nodes[1].Lookup(s.ID()); r.Height != 1000 || r.Seq <= seq {
			t.Fatalf("peer holds height %d seq %d", r.Height, r.Seq)
		}
	})
}

// Unsigned records on a permissioned network with the Optional policy.
func TestOptionalSignatures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tn := newTestNet(t, 4, Config{Interval: testInterval, Signatures: originsig.Optional})
		tn.ring()
		time.Sleep(testInterval)
		synctest.Wait()
		if m := tn.missing(); len(m) > 0 {
			t.Fatalf("missing: %v", m)
		}
		if len(tn.nodes[0].Self().Sig) != 0 {
			t.Fatal("record signed without a signer")
		}
	})
}

// A record with a seq above ours (ours from before a restart) makes us
// jump past it.
func TestOwnSeqFloor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := New(Config{Signer: newTestKey(t)})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		rp := newRawPeer(s, enode.ID{9})
		rp.next(t, AnnounceMsg)
		old := s.Self().Seq
		rp.send(t, AnnounceMsg, encodeAnnounce([]Entry{{ID: s.ID(), Seq: old + 1000}}))
		time.Sleep(time.Second)
		synctest.Wait()
		if got := s.Self().Seq; got != old+1001 {
			t.Fatalf("seq %d, want %d", got, old+1001)
		}
		if err := originsig.Verify(s.ID(), s.Self().Digest(), s.Self().Sig); err != nil {
			t.Fatal(err)
		}
		rp.end.Close()
		rp.result(t)
	})
}

// signedRecord returns a record of a fresh node key, signed.
func signedRecord(t testing.TB, seq uint64) Record {
	key := newTestKey(t)
	r := Record{ID: key.ID(), Seq: seq, Height: 7, Topics: []string{"x"}, Version: "test"}
	sig, err := key.Sign(r.Digest())
	if err != nil {
		t.Fatal(err)
	}
	r.Sig = sig
	return r
}

// solicit announces the records' seqs from rp and waits for the
// service to ask for them, so that rp may send them.
func solicit(t *testing.T, rp *rawPeer, rs ...Record) {
	t.Helper()
	var es []Entry
	for _, r := range rs {
		es = append(es, Entry{ID: r.ID, Seq: r.Seq})
	}
	rp.send(t, AnnounceMsg, encodeAnnounce(es))
	rp.next(t, GetStatusMsg)
}

// Bad input ends the peer with a typed error, or is dropped and scored.
func TestBadMessages(t *testing.T) {
	good := signedRecord(t, 5)
	badSig := good.Clone()
	badSig.Height++ // the signature no longer covers the content
	badSig2 := signedRecord(t, 5)
	badSig2.Height++
	unsigned := signedRecord(t, 5)
	unsigned.Sig = nil
	tests := []struct {
		name    string
		solicit []Record
		msgs    []p2p.Msg
		want    error // Run's error; nil: the peer stays
		stat    func(Stats) uint64
	}{
		{"malformed announce", nil, []p2p.Msg{{Code: AnnounceMsg, Payload: []byte{0xc3, 0x01}}}, ErrMalformed, func(s Stats) uint64 { return s.Malformed }},
		{"malformed records", nil, []p2p.Msg{{Code: RecordsMsg, Payload: []byte{0x80}}}, ErrMalformed, func(s Stats) uint64 { return s.Malformed }},
		{"oversized", nil, []p2p.Msg{{Code: AnnounceMsg, Payload: make([]byte, MaxMsgSize+1)}}, ErrTooLarge, func(s Stats) uint64 { return s.Malformed }},
		{"unknown code", nil, []p2p.Msg{{Code: Length}}, ErrUnknownCode, func(s Stats) uint64 { return s.Malformed }},
		{"one bad signature", []Record{badSig}, []p2p.Msg{{Code: RecordsMsg, Payload: encodeRecords([]agedRecord{{Rec: badSig}})}}, nil, func(s Stats) uint64 { return s.BadSignature }},
		{"two bad signatures", []Record{badSig, badSig2}, []p2p.Msg{{Code: RecordsMsg, Payload: encodeRecords([]agedRecord{{Rec: badSig}, {Rec: badSig2}})}}, ErrMisbehaving, func(s Stats) uint64 { return s.BadSignature }},
		{"unsigned", []Record{unsigned}, []p2p.Msg{{Code: RecordsMsg, Payload: encodeRecords([]agedRecord{{Rec: unsigned}})}}, nil, func(s Stats) uint64 { return s.Unsigned }},
		{"unsolicited", nil, []p2p.Msg{{Code: RecordsMsg, Payload: encodeRecords([]agedRecord{{Rec: good}})}}, nil, func(s Stats) uint64 { return s.Unsolicited }},
		{"unsolicited, ten times", nil, slices.Repeat([]p2p.Msg{{Code: RecordsMsg, Payload: encodeRecords([]agedRecord{{Rec: good}})}}, 10), ErrMisbehaving, func(s Stats) uint64 { return s.Unsolicited }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, err := New(Config{Signer: newTestKey(t)})
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				rp := newRawPeer(s, enode.ID{1})
				if tt.solicit != nil {
					solicit(t, rp, tt.solicit...)
				}
				for _, m := range tt.msgs {
					rp.send(t, m.Code, m.Payload)
				}
				synctest.Wait()
				if tt.want == nil {
					if _, ok := s.Lookup(good.ID); ok {
						t.Fatal("bad record stored")
					}
					rp.end.Close()
				}
				err = rp.result(t)
				if tt.want != nil && !errors.Is(err, tt.want) {
					t.Fatalf("Run: %v, want %v", err, tt.want)
				}
				if tt.want == nil && !errors.Is(err, errPipeClosed) {
					t.Fatalf("Run: %v, want the peer kept", err)
				}
				if tt.want != nil && p2p.DiscReasonOf(err) == p2p.DiscSubprotocolError && !errors.Is(tt.want, ErrMisbehaving) {
					t.Fatalf("no specific disconnect reason in %v", err)
				}
				if got := tt.stat(s.Stats()); got == 0 {
					t.Fatal("not counted")
				}
			})
		})
	}
}

// A good record is stored and relayed; a stale one is not.
func TestRecordsFromRawPeer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := New(Config{Signer: newTestKey(t)})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		a := newRawPeer(s, enode.ID{1})
		b := newRawPeer(s, enode.ID{2})
		a.next(t, AnnounceMsg)
		b.next(t, AnnounceMsg)
		rec := signedRecord(t, 5)
		solicit(t, a, rec)
		a.send(t, RecordsMsg, encodeRecords([]agedRecord{{Age: 1000, Rec: rec}}))
		// b hears of it and asks b's... it asks us: we answer.
		m := b.next(t, AnnounceMsg)
		es, err := decodeAnnounce(m.Payload)
		if err != nil || len(es) != 1 || es[0].ID != rec.ID || es[0].Seq != 5 || es[0].Age < 1000 {
			t.Fatalf("relay announce %+v, %v", es, err)
		}
		b.send(t, GetStatusMsg, encodeGetStatus([]enode.ID{rec.ID, {7}}))
		m = b.next(t, RecordsMsg)
		rs, err := decodeRecords(m.Payload)
		if err != nil || len(rs) != 1 || rs[0].Rec.Seq != 5 || rs[0].Rec.Height != 7 {
			t.Fatalf("records %+v, %v", rs, err)
		}
		if err := originsig.Verify(rec.ID, rs[0].Rec.Digest(), rs[0].Rec.Sig); err != nil {
			t.Fatal(err)
		}
		solicit(t, b, signedRecord(t, 1)) // b may send one more record
		b.send(t, RecordsMsg, encodeRecords([]agedRecord{{Rec: rec}}))
		synctest.Wait()
		if st := s.Stats(); st.Stale != 1 || st.Accepted != 1 {
			t.Fatalf("stats %+v", st)
		}
		a.end.Close()
		b.end.Close()
		a.result(t)
		b.result(t)
	})
}

// An announce of a newer seq gets a GetStatus; one request per seq while
// it is pending.
func TestRequestOnNewSeq(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := New(Config{Signer: newTestKey(t), RequestTimeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		a := newRawPeer(s, enode.ID{1})
		a.next(t, AnnounceMsg)
		origin := enode.ID{5}
		a.send(t, AnnounceMsg, encodeAnnounce([]Entry{{ID: origin, Seq: 3}}))
		m := a.next(t, GetStatusMsg)
		ids, err := decodeGetStatus(m.Payload)
		if err != nil || !slices.Equal(ids, []enode.ID{origin}) {
			t.Fatalf("GetStatus %v, %v", ids, err)
		}
		a.send(t, AnnounceMsg, encodeAnnounce([]Entry{{ID: origin, Seq: 3}}))
		synctest.Wait()
		if got := s.Stats().RequestsSent; got != 1 {
			t.Fatalf("%d requests while one is pending", got)
		}
		time.Sleep(testInterval + time.Second) // the tick drops the timed-out request
		a.send(t, AnnounceMsg, encodeAnnounce([]Entry{{ID: origin, Seq: 3}}))
		a.next(t, GetStatusMsg)
		if st := s.Stats(); st.Timeouts != 1 {
			t.Fatalf("stats %+v", st)
		}
		a.end.Close()
		a.result(t)
	})
}

// A peer over its rate limit has its excess dropped, then is cut.
func TestRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := New(Config{Signer: newTestKey(t), RateLimit: 10, RateBurst: 20, RateDrops: 50})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		a := newRawPeer(s, enode.ID{1})
		go func() {
			for range 10000 {
				if a.end.WriteMsg(p2p.Msg{Code: AnnounceMsg, Payload: encodeAnnounce(nil)}) != nil {
					return
				}
			}
		}()
		err = a.result(t)
		if !errors.Is(err, ErrRateLimited) || p2p.DiscReasonOf(err) != p2p.DiscUselessPeer {
			t.Fatalf("Run: %v", err)
		}
		if st := s.Stats(); st.RateLimited != 50 || st.AnnounceRecv != 20 {
			t.Fatalf("stats %+v", st)
		}
		a.end.Close()
	})
}

// Close ends every Run and every subscription.
func TestClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tn := newTestNet(t, 3, Config{})
		tn.line()
		ch, _ := tn.nodes[1].Subscribe()
		synctest.Wait()
		tn.nodes[1].Close()
		synctest.Wait()
		for _, k := range [][2]int{{0, 1}, {1, 2}} {
			ea, eb := tn.links[k].errs()
			if !errors.Is(ea, ErrClosed) && !errors.Is(eb, ErrClosed) {
				t.Fatalf("link %v: %v, %v", k, ea, eb)
			}
		}
		if _, ok := <-ch; ok {
			for range ch {
			}
		}
		if err := tn.nodes[1].SetTip(1, wire.Hash{}); !errors.Is(err, ErrClosed) {
			t.Fatalf("SetTip after Close: %v", err)
		}
		if _, cancel := tn.nodes[1].Subscribe(); cancel == nil {
			t.Fatal("nil cancel")
		}
	})
}

func TestDuplicatePeer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := New(Config{Signer: newTestKey(t)})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		a := newRawPeer(s, enode.ID{1})
		a.next(t, AnnounceMsg)
		b := newRawPeer(s, enode.ID{1})
		if err := b.result(t); !errors.Is(err, ErrDuplicatePeer) {
			t.Fatalf("second Run: %v", err)
		}
		self := newRawPeer(s, s.ID())
		if err := self.result(t); !errors.Is(err, p2p.DiscSelf) {
			t.Fatalf("Run with self: %v", err)
		}
		a.end.Close()
		a.result(t)
	})
}

func TestConfig(t *testing.T) {
	key := newTestKey(t)
	bad := []Config{
		{},
		{Signatures: originsig.Optional},
		{Signer: key, ID: enode.ID{1}},
		{Signer: key, Topics: []string{""}},
		{Signer: key, Topics: []string{string(make([]byte, MaxTopicLen+1))}},
		{Signer: key, Version: string(make([]byte, MaxVersionLen+1))},
		{Signer: key, Signatures: 7},
	}
	for i, c := range bad {
		if s, err := New(c); err == nil {
			s.Close()
			t.Errorf("config %d accepted", i)
		}
	}
	many := make([]string, MaxTopics+1)
	for i := range many {
		many[i] = fmt.Sprint(i)
	}
	s, err := New(Config{Signer: key})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SetTopics(many); !errors.Is(err, ErrInvalidTopic) {
		t.Fatalf("SetTopics(%d topics): %v", len(many), err)
	}
}
