package addrmgr

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/ledgernet/ledgernet/wire"
)

// fileVersion is the format of the saved file.
const fileVersion = 1

type fileData struct {
	Version int         `json:"version"`
	Key     string      `json:"key"`
	Addrs   []fileEntry `json:"addrs"`
}

type fileEntry struct {
	Addr        netip.AddrPort   `json:"addr"`
	Services    wire.ServiceFlag `json:"services"`
	Time        int64            `json:"time"`
	Source      netip.Addr       `json:"src"`
	Attempts    int              `json:"attempts,omitempty"`
	LastAttempt int64            `json:"last_attempt,omitempty"`
	LastSuccess int64            `json:"last_success,omitempty"`
	Tried       bool             `json:"tried,omitempty"`
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

func timeOrZero(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0)
}

// Save writes the tables to Config.Path (atomically) if they changed since
// the last save.
func (m *Manager) Save() error {
	if m.cfg.Path == "" {
		return nil
	}
	m.mu.Lock()
	if !m.dirty {
		m.mu.Unlock()
		return nil
	}
	d := fileData{Version: fileVersion, Key: hex.EncodeToString(m.key[:]), Addrs: make([]fileEntry, 0, len(m.addrs))}
	for _, list := range [][]*entry{m.triedList, m.newList} {
		for _, e := range list {
			d.Addrs = append(d.Addrs, fileEntry{
				Addr: e.Addr, Services: e.Services, Time: unixOrZero(e.Timestamp), Source: e.Source,
				Attempts: e.Attempts, LastAttempt: unixOrZero(e.LastAttempt), LastSuccess: unixOrZero(e.LastSuccess),
				Tried: e.Tried,
			})
		}
	}
	m.dirty = false
	m.mu.Unlock()
	b, err := json.Marshal(d)
	if err == nil {
		err = WriteFileAtomic(m.cfg.Path, b)
	}
	if err != nil {
		m.mu.Lock()
		m.dirty = true
		m.mu.Unlock()
	}
	return err
}

// load reads Config.Path; a missing file is not an error.
func (m *Manager) load() error {
	b, err := os.ReadFile(m.cfg.Path)
	if errors.Is(err, fs.ErrNotExist) {
		m.dirty = true // save the new key
		return nil
	}
	if err != nil {
		return err
	}
	var d fileData
	if err := json.Unmarshal(b, &d); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrBadFile, m.cfg.Path, err)
	}
	key, err := hex.DecodeString(d.Key)
	if d.Version != fileVersion || err != nil || len(key) != len(m.key) {
		return fmt.Errorf("%w: %s: version %d or key", ErrBadFile, m.cfg.Path, d.Version)
	}
	copy(m.key[:], key)
	now := m.cfg.Clock.Now()
	for _, fe := range d.Addrs {
		ap := normal(fe.Addr)
		if !m.acceptable(ap) || m.addrs[ap] != nil {
			continue
		}
		e := &entry{KnownAddress: KnownAddress{
			Addr: ap, Services: fe.Services, Timestamp: timeOrZero(fe.Time), Source: fe.Source.Unmap(),
			Attempts: fe.Attempts, LastAttempt: timeOrZero(fe.LastAttempt), LastSuccess: timeOrZero(fe.LastSuccess),
		}}
		if fe.Tried {
			b := m.triedBucket(ap)
			if m.tried[b][m.slot("tried", b, ap)] == nil {
				m.addrs[ap] = e
				m.putTried(e, now)
				continue
			}
		}
		b := m.newBucket(ap, e.Source)
		s := m.slot("new", b, ap)
		if m.newTable[b][s] != nil {
			continue
		}
		m.newTable[b][s] = e
		e.refs = 1
		e.listIx = len(m.newList)
		m.newList = append(m.newList, e)
		m.addrs[ap] = e
	}
	return nil
}

// WriteFileAtomic replaces path with data so that a crash at any instant
// leaves either the old file or the new one: the data goes to a temporary
// file in the same directory, which is synced, renamed over path, and the
// directory synced.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
