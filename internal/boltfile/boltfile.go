// Package boltfile opens the node's bbolt files (chain.db, nodes.db) so that
// a damaged or locked file is an error that names the file, never a crash.
//
// bbolt memory-maps the file and trusts its meta pages: a file cut short
// (a full disk, a copy interrupted) makes the first read past its end fault
// (SIGBUS, "fatal error: fault", which no recover catches), and a damaged
// page makes bbolt panic. So Open first reads the two meta pages with plain
// file reads and checks them (magic, version, checksum) and that the file
// is as long as the newest valid meta says; only then is the file mapped,
// and the open and the caller's first reads run with faults turned into
// panics (debug.SetPanicOnFault) that are recovered into ErrDamaged.
//
// The meta page layout is bbolt's on-disk format (go.etcd.io/bbolt,
// internal/common: page.go and meta.go): a 16-byte page header, then magic
// 0xED0CDAED, version 2, page size, flags, the root bucket (root page ID,
// sequence), the freelist page ID, the high-water page ID, the transaction
// ID, and an FNV-1a 64 checksum of the meta fields before it. Meta 0 is at
// offset 0, meta 1 at offset page size.
package boltfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// ErrDamaged: the file is not a whole bbolt database (truncated, meta pages
// invalid, a page bbolt cannot read).
var ErrDamaged = errors.New("damaged database file")

// ErrLocked: another process holds the file (bbolt's flock), most likely
// another node running on the same data directory.
var ErrLocked = errors.New("database file in use by another process")

const (
	pageHeaderSize = 16
	magic          = 0xED0CDAED
	version        = 2
	// The meta fields: magic, version, page size, flags (4 bytes each),
	// root page and sequence, freelist, high-water page, txid (8 each).
	metaFieldsSize = 4*4 + 8*5
	metaSize       = metaFieldsSize + 8 // and the checksum
	minPageSize    = 512
	maxPageSize    = 1 << 16
)

// meta is what Check reads of a meta page.
type meta struct {
	pageSize uint32
	hwm      uint64 // high-water mark: the file holds pages [0, hwm)
	txid     uint64
}

// parseMeta checks one meta page's bytes (starting at its page header).
func parseMeta(b []byte) (meta, error) {
	if len(b) < pageHeaderSize+metaSize {
		return meta{}, errors.New("meta page cut short")
	}
	m := b[pageHeaderSize : pageHeaderSize+metaSize]
	le := binary.LittleEndian
	if le.Uint32(m[0:]) != magic {
		return meta{}, errors.New("no bbolt magic")
	}
	if v := le.Uint32(m[4:]); v != version {
		return meta{}, fmt.Errorf("bbolt version %d", v)
	}
	h := fnv.New64a()
	h.Write(m[:metaFieldsSize])
	if h.Sum64() != le.Uint64(m[metaFieldsSize:]) {
		return meta{}, errors.New("meta checksum mismatch")
	}
	ps := le.Uint32(m[8:])
	if ps < minPageSize || ps > maxPageSize || ps&(ps-1) != 0 {
		return meta{}, fmt.Errorf("page size %d", ps)
	}
	return meta{pageSize: ps, hwm: le.Uint64(m[40:]), txid: le.Uint64(m[48:])}, nil
}

// Check reports whether the file at path can be mapped safely: nil when it
// does not exist (bbolt creates it) or when a valid meta page says the file
// holds no more pages than it has; ErrDamaged with the reason otherwise.
func Check(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	size := st.Size()
	if size == 0 {
		return nil // bbolt initialises an empty file
	}
	buf := make([]byte, pageHeaderSize+metaSize)
	read := func(off int64) (meta, error) {
		if _, err := f.ReadAt(buf, off); err != nil {
			if errors.Is(err, io.EOF) {
				return meta{}, errors.New("meta page cut short")
			}
			return meta{}, err
		}
		return parseMeta(buf)
	}
	m0, err0 := read(0)
	off := int64(os.Getpagesize()) // bbolt's fallback when meta 0 is unreadable
	if err0 == nil {
		off = int64(m0.pageSize)
	}
	m1, err1 := read(off)
	best := m0
	switch {
	case err0 != nil && err1 != nil:
		return fmt.Errorf("%w: %s: %v; second meta page: %v", ErrDamaged, path, err0, err1)
	case err0 != nil, err1 == nil && m1.txid > m0.txid:
		best = m1
	}
	if need := int64(best.hwm) * int64(best.pageSize); size < need {
		return fmt.Errorf("%w: %s: %d bytes, but its meta page says %d pages of %d bytes (%d bytes): the file was cut short",
			ErrDamaged, path, size, best.hwm, best.pageSize, need)
	}
	return nil
}

// Open checks the file at path (Check), opens it with bbolt and runs fn on
// it (the caller's first reads; nil for none), turning a memory fault or a
// bbolt panic during either into ErrDamaged and bbolt's lock timeout into
// ErrLocked. On error the database is closed.
func Open(path string, opts *bolt.Options, fn func(*bolt.DB) error) (db *bolt.DB, err error) {
	if err := Check(path); err != nil {
		return nil, err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if db != nil {
				db.Close()
			}
			db, err = nil, fmt.Errorf("%w: %s: %v", ErrDamaged, path, r)
		}
	}()
	db, err = bolt.Open(path, 0o600, opts)
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("%w: %s (is another ledgernet node running on this data directory?)", ErrLocked, path)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch):
		return nil, fmt.Errorf("%w: %s: %v", ErrDamaged, path, err)
	case err != nil:
		return nil, err
	}
	if fn != nil {
		if err := fn(db); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}
