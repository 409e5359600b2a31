package boltfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// makeDB writes a bbolt file with some data and returns its path and bytes.
func makeDB(t *testing.T) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x.db")
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		for i := range 2000 {
			if err := b.Put([]byte(strings.Repeat("k", 8)+string(rune('a'+i%26))+string(rune(i))), make([]byte, 200)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return path, raw
}

// readAll reads every key, as a node's load does.
func readAll(db *bolt.DB) error {
	return db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte("b"))
		if b == nil {
			return errors.New("no bucket")
		}
		return b.ForEach(func(k, v []byte) error { return nil })
	})
}

func TestOpenGood(t *testing.T) {
	path, _ := makeDB(t)
	db, err := Open(path, &bolt.Options{Timeout: time.Second}, readAll)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	// A file that does not exist yet, and an empty one, are created.
	for _, p := range []string{filepath.Join(t.TempDir(), "new.db"), filepath.Join(t.TempDir(), "empty.db")} {
		if strings.HasSuffix(p, "empty.db") {
			os.WriteFile(p, nil, 0o600)
		}
		db, err := Open(p, nil, nil)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		db.Close()
	}
}

// TestOpenDamaged: each damaged file is ErrDamaged naming the file; none
// crashes the test binary.
func TestOpenDamaged(t *testing.T) {
	_, good := makeDB(t)
	ps := os.Getpagesize()
	flip := func(off int) func([]byte) []byte {
		return func(b []byte) []byte { b[off] ^= 0xff; return b }
	}
	for _, tt := range []struct {
		name   string
		damage func([]byte) []byte
	}{
		{"cut to one byte", func(b []byte) []byte { return b[:1] }},
		{"cut inside the first meta page", func(b []byte) []byte { return b[:40] }},
		{"cut after the meta pages", func(b []byte) []byte { return b[:2*ps] }},
		{"cut by half", func(b []byte) []byte { return b[:len(b)/2] }},
		{"cut by one page", func(b []byte) []byte { return b[:len(b)-ps] }},
		{"both magics wrong", func(b []byte) []byte { b[16] ^= 1; b[ps+16] ^= 1; return b }},
		{"both checksums wrong", func(b []byte) []byte { b[16+60] ^= 1; b[ps+16+60] ^= 1; return b }},
		{"not a database", func(b []byte) []byte { return []byte(strings.Repeat("not bbolt ", 2000)) }},
		{"zeros", func(b []byte) []byte { return make([]byte, len(b)) }},
		{"a data page scrambled", func(b []byte) []byte {
			for i := 4 * ps; i < 5*ps && i < len(b); i++ {
				b[i] = 0xff
			}
			return b
		}},
		{"root bucket page flags", flip(3*ps + 8)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.db")
			if err := os.WriteFile(path, tt.damage(append([]byte(nil), good...)), 0o600); err != nil {
				t.Fatal(err)
			}
			db, err := Open(path, &bolt.Options{Timeout: time.Second}, readAll)
			if err == nil {
				// Some damage leaves a readable database (a page no read
				// touches): then it must read whole.
				defer db.Close()
				if err := readAll(db); err != nil {
					t.Fatalf("opened, then %v", err)
				}
				return
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			if !errors.Is(err, ErrDamaged) && !strings.Contains(err.Error(), "no bucket") {
				t.Errorf("error %v, want ErrDamaged", err)
			}
		})
	}
}

// TestOpenTruncatedIsDamaged: the case that crashed nodes (a truncated file
// faulting in the memory map) is always refused before mapping.
func TestOpenTruncatedIsDamaged(t *testing.T) {
	_, good := makeDB(t)
	path := filepath.Join(t.TempDir(), "x.db")
	for _, n := range []int{2 * os.Getpagesize(), len(good) / 3, len(good) / 2} {
		os.WriteFile(path, good[:n], 0o600)
		if err := Check(path); !errors.Is(err, ErrDamaged) {
			t.Fatalf("cut to %d of %d bytes: %v", n, len(good), err)
		}
	}
}

func TestOpenLocked(t *testing.T) {
	path, _ := makeDB(t)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = Open(path, &bolt.Options{Timeout: 50 * time.Millisecond}, nil)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), path) {
		t.Fatalf("second open: %v, want ErrLocked naming the file", err)
	}
}

func FuzzCheck(f *testing.F) {
	f.Add([]byte{})
	f.Add(make([]byte, 8192))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<20 {
			return
		}
		path := filepath.Join(t.TempDir(), "x.db")
		os.WriteFile(path, b, 0o600)
		if Check(path) == nil && len(b) > 0 {
			// Check passed: opening must not crash either.
			if db, err := Open(path, &bolt.Options{Timeout: time.Second, ReadOnly: true}, readAll); err == nil {
				db.Close()
			}
		}
	})
}
