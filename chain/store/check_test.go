package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/ledgernet/ledgernet/internal/boltfile"
)

// TestCheck: a sound devnet database passes; each kind of damage is found
// and named; a truncated file is an error, not a crash.
func TestCheck(t *testing.T) {
	c := newBaseChain(t)
	build := func(t *testing.T) string {
		dir := t.TempDir()
		s := openTest(t, dir, c.p)
		mustProcess(t, s, c.build.blocks...)
		s.Close()
		return filepath.Join(dir, FileName)
	}
	t.Run("sound", func(t *testing.T) {
		path := build(t)
		r, err := Check(path, c.p)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Problems) != 0 || r.Height != 25 || r.Blocks != 26 || r.Coins != 25-1+2-1+1 {
			t.Fatalf("report %+v", r)
		}
	})
	edit := func(t *testing.T, path string, fn func(tx *bolt.Tx) error) {
		t.Helper()
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Update(fn); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	for _, tt := range []struct {
		name   string
		damage func(tx *bolt.Tx) error
		want   string
	}{
		{"a coin gone", func(tx *bolt.Tx) error {
			k := outPointKey(c.cb(2))
			return tx.Bucket(bucketCoins).Delete(k[:])
		}, "missing from the coin set"},
		{"a spent coin back", func(tx *bolt.Tx) error {
			k := outPointKey(c.cb(1))
			v := tx.Bucket(bucketCoins).Get(func() []byte { k2 := outPointKey(c.cb(3)); return k2[:] }())
			return tx.Bucket(bucketCoins).Put(k[:], append([]byte(nil), v...))
		}, "is stored but no block"},
		{"a block replaced", func(tx *bolt.Tx) error {
			h5, h6 := c.build.blocks[4].BlockHash(), c.build.blocks[5].BlockHash()
			v := tx.Bucket(bucketBlocks).Get(h6[:])
			return tx.Bucket(bucketBlocks).Put(h5[:], append([]byte(nil), v...))
		}, "stored block hashes to"},
		{"a block gone", func(tx *bolt.Tx) error {
			h := c.build.blocks[9].BlockHash()
			return tx.Bucket(bucketBlocks).Delete(h[:])
		}, "block 10"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := build(t)
			edit(t, path, tt.damage)
			r, err := Check(path, c.p)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(r.Problems, "\n"), tt.want) {
				t.Fatalf("problems %q, want one saying %q", r.Problems, tt.want)
			}
		})
	}
	t.Run("truncated", func(t *testing.T) {
		path := build(t)
		st, _ := os.Stat(path)
		os.Truncate(path, st.Size()/3)
		if _, err := Check(path, c.p); !errors.Is(err, boltfile.ErrDamaged) {
			t.Fatalf("truncated: %v", err)
		}
		if _, err := Open(path, c.p, Config{NoSync: true}); !errors.Is(err, boltfile.ErrDamaged) || !strings.Contains(err.Error(), path) {
			t.Fatalf("open truncated: %v", err)
		}
	})
}
