package nodedb

import (
	"bytes"
	"net/netip"
	"path/filepath"
	"testing"
	"testing/synctest"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/enr"
	bolt "go.etcd.io/bbolt"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func key(tb testing.TB, b byte) *secp256k1.PrivateKey {
	k, err := enode.PrivateKeyFromBytes(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func urlNode(tb testing.TB, b byte, ip string) *enode.Node {
	return enode.NewV4(key(tb, b).PubKey(), netip.MustParseAddr(ip), 30303, 30301)
}

func signedNode(tb testing.TB, b byte, ip string) *enode.Node {
	ln := enode.NewLocalNode(key(tb, b), 41)
	ln.SetIP(netip.MustParseAddr(ip))
	ln.Set(enr.UDP(30301))
	ln.Set(enr.Network("devnet"))
	return ln.Node()
}

func TestEndpointsPersist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nodes.db")
	db, err := Open(path, Config{})
	if err != nil {
		t.Fatal(err)
	}
	id := urlNode(t, 1, "10.0.0.1").ID()
	ip := netip.MustParseAddr("10.0.0.1")
	ping := time.UnixMilli(1_700_000_000_123)
	pong := time.UnixMilli(1_700_000_001_456)
	db.UpdateLastPingReceived(id, ip, ping)
	db.UpdateLastPongReceived(id, ip, pong)
	db.UpdateFindFails(id, ip, 3)
	// The bond is per IP: another IP of the same node knows nothing.
	if !db.LastPongReceived(id, netip.MustParseAddr("10.0.0.2")).IsZero() {
		t.Fatal("bond leaked to another IP")
	}
	// IPv4-mapped is the same IP.
	if !db.LastPongReceived(id, netip.MustParseAddr("::ffff:10.0.0.1")).Equal(pong) {
		t.Fatal("mapped address not unified")
	}
	n1, n2 := urlNode(t, 2, "10.0.0.2"), signedNode(t, 3, "10.0.0.3")
	db.UpdateNode(n1)
	db.UpdateNode(n2)
	if err := db.StoreLocalSeq(id, 99); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = Open(path, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := db.LastPingReceived(id, ip); !got.Equal(ping) {
		t.Errorf("lastPing %v, want %v", got, ping)
	}
	if got := db.LastPongReceived(id, ip); !got.Equal(pong) {
		t.Errorf("lastPong %v, want %v", got, pong)
	}
	if got := db.FindFails(id, ip); got != 3 {
		t.Errorf("findFails %d", got)
	}
	if got := db.LocalSeq(id); got != 99 {
		t.Errorf("local seq %d", got)
	}
	if g := db.Node(n1.ID()); g == nil || g.URLv4() != n1.URLv4() {
		t.Errorf("url node %v, want %v", g, n1)
	}
	g := db.Node(n2.ID())
	if g == nil || g.Seq() != n2.Seq() || g.String() != n2.String() {
		t.Fatalf("signed node %v, want %v", g, n2)
	}
	if nw, _ := g.Network(); nw != "devnet" {
		t.Errorf("network entry lost: %q", nw)
	}
}

func TestDeleteNode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nodes.db")
	db, err := Open(path, Config{})
	if err != nil {
		t.Fatal(err)
	}
	n := urlNode(t, 1, "10.0.0.1")
	db.UpdateNode(n)
	db.UpdateLastPongReceived(n.ID(), n.IP(), time.Now())
	db.Close()
	db, _ = Open(path, Config{})
	db.DeleteNode(n.ID())
	db.Close()
	db, _ = Open(path, Config{})
	defer db.Close()
	if eps, nodes := db.Len(); eps != 0 || nodes != 0 {
		t.Fatalf("after delete: %d endpoints, %d nodes", eps, nodes)
	}
}

func TestQuerySeeds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := OpenMemory(Config{})
		defer db.Close()
		now := time.Now()
		for i := byte(1); i <= 20; i++ {
			n := urlNode(t, i, "10.0.0.1")
			db.UpdateNode(n)
			age := time.Duration(i) * time.Hour
			db.UpdateLastPongReceived(n.ID(), n.IP(), now.Add(-age))
		}
		// A node without a pong at its IP is no seed.
		db.UpdateNode(urlNode(t, 50, "10.0.0.9"))

		if got := db.QuerySeeds(100, 10*time.Hour+time.Minute); len(got) != 10 {
			t.Fatalf("%d seeds within 10h, want 10", len(got))
		}
		if got := db.QuerySeeds(5, 100*time.Hour); len(got) != 5 {
			t.Fatalf("%d seeds, want 5 (the limit)", len(got))
		}
	})
}

func TestExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db := OpenMemory(Config{Expiry: 2 * time.Hour, ExpiryInterval: time.Hour})
		defer db.Close()
		old, fresh := urlNode(t, 1, "10.0.0.1"), urlNode(t, 2, "10.0.0.2")
		db.UpdateNode(old)
		db.UpdateLastPongReceived(old.ID(), old.IP(), time.Now())
		time.Sleep(90 * time.Minute)
		db.UpdateNode(fresh)
		db.UpdateLastPongReceived(fresh.ID(), fresh.IP(), time.Now())
		// At 2h the old entries are 2h old (not yet past), at 3h they are.
		time.Sleep(91 * time.Minute)
		synctest.Wait()
		if db.Node(old.ID()) != nil || !db.LastPongReceived(old.ID(), old.IP()).IsZero() {
			t.Error("old node not expired")
		}
		if db.Node(fresh.ID()) == nil {
			t.Error("fresh node expired")
		}
	})
}

func TestFlushPeriodic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nodes.db")
	db, err := Open(path, Config{FlushInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n := urlNode(t, 1, "10.0.0.1")
	db.UpdateNode(n)
	deadline := time.Now().Add(time.Minute)
	for {
		var found bool
		db.bolt.View(func(tx *bolt.Tx) error {
			found = tx.Bucket(bucketNodes).Get(n.ID().Bytes()) != nil
			return nil
		})
		if found {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("node not flushed")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestMaxEntries(t *testing.T) {
	db := OpenMemory(Config{MaxEntries: 3})
	defer db.Close()
	for i := byte(1); i <= 5; i++ {
		n := urlNode(t, i, "10.0.0.1")
		db.UpdateLastPingReceived(n.ID(), n.IP(), time.Now())
	}
	if eps, _ := db.Len(); eps != 3 || db.Dropped() != 2 {
		t.Fatalf("%d entries, %d dropped", eps, db.Dropped())
	}
	// Existing entries still update.
	n := urlNode(t, 1, "10.0.0.1")
	db.UpdateFindFails(n.ID(), n.IP(), 4)
	if db.FindFails(n.ID(), n.IP()) != 4 {
		t.Fatal("existing entry not updated at the limit")
	}
}

func TestSchemaMismatchWipes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nodes.db")
	db, _ := Open(path, Config{})
	n := urlNode(t, 1, "10.0.0.1")
	db.UpdateNode(n)
	db.Close()
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyVersion, []byte{0xff}) })
	b.Close()
	db, err = Open(path, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Node(n.ID()) != nil {
		t.Fatal("entries of another schema version kept")
	}
}

func TestCorruptEntriesSkipped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nodes.db")
	db, _ := Open(path, Config{})
	n := urlNode(t, 1, "10.0.0.1")
	db.UpdateNode(n)
	db.Close()
	b, _ := bolt.Open(path, 0o600, nil)
	b.Update(func(tx *bolt.Tx) error {
		tx.Bucket(bucketNodes).Put(bytes.Repeat([]byte{7}, 32), []byte{0xc1, 0xff})
		return tx.Bucket(bucketEndpoints).Put([]byte("short"), []byte{1})
	})
	b.Close()
	db, err := Open(path, Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if eps, nodes := db.Len(); eps != 0 || nodes != 1 {
		t.Fatalf("%d endpoints, %d nodes", eps, nodes)
	}
}
