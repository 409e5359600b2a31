package addrmgr

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ledgernet/ledgernet/p2p"
)

// DefaultBanDuration is how long a misbehaving peer's address stays banned
// (btcd's --banduration, Core's -bantime).
const DefaultBanDuration = 24 * time.Hour

// BanConfig configures a BanList.
type BanConfig struct {
	// Path is the JSON file bans are kept in; "" keeps them in memory.
	Path string
	// Whitelist holds networks that are never banned (btcd's and Core's
	// -whitelist): Ban refuses them and Banned reports false.
	Whitelist []netip.Prefix
	// Clock is the time source; nil means p2p.SystemClock.
	Clock p2p.Clock
	// Logger receives the list's logs; nil discards them.
	Logger *slog.Logger
	// Observer, if not nil, is told of each ban, with the kind of the
	// reason as its label: the reason without a leading package name and
	// without the details after the next colon ("btcpeer: malformed
	// message: block: ..." is "malformed message"), at most 32 bytes.
	Observer p2p.Observer
}

// Ban is one banned address.
type Ban struct {
	Addr    netip.Addr `json:"addr"`
	Created time.Time  `json:"created"`
	Until   time.Time  `json:"until"`
	Reason  string     `json:"reason,omitempty"`
}

// BanList is the set of banned IP addresses, persisted. Banned is cheap and
// safe to call from the dial scheduler's loop.
type BanList struct {
	cfg BanConfig
	log *slog.Logger

	mu   sync.RWMutex // guards bans and the file writes
	bans map[netip.Addr]Ban
}

// OpenBanList loads the bans kept at cfg.Path (a missing file is an empty
// list); expired bans are dropped.
func OpenBanList(cfg BanConfig) (*BanList, error) {
	if cfg.Clock == nil {
		cfg.Clock = p2p.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	l := &BanList{cfg: cfg, log: cfg.Logger, bans: make(map[netip.Addr]Ban)}
	if cfg.Path == "" {
		return l, nil
	}
	b, err := os.ReadFile(cfg.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return nil, err
	}
	var list []Ban
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBadFile, cfg.Path, err)
	}
	now := cfg.Clock.Now()
	for _, b := range list {
		if b.Until.After(now) && b.Addr.IsValid() {
			l.bans[b.Addr.Unmap()] = b
		}
	}
	return l, nil
}

// Whitelisted reports whether ip is in a whitelisted network.
func (l *BanList) Whitelisted(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range l.cfg.Whitelist {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// Ban bans ip for d (DefaultBanDuration if d <= 0) and saves the list. It
// returns false, banning nothing, for a whitelisted address.
func (l *BanList) Ban(ip netip.Addr, d time.Duration, reason string) (bool, error) {
	ip = ip.Unmap()
	if !ip.IsValid() || l.Whitelisted(ip) {
		return false, nil
	}
	if d <= 0 {
		d = DefaultBanDuration
	}
	now := l.cfg.Clock.Now()
	l.mu.Lock()
	l.bans[ip] = Ban{Addr: ip, Created: now, Until: now.Add(d), Reason: reason}
	l.log.Info("banned", "addr", ip, "until", now.Add(d), "reason", reason)
	err := l.saveLocked(now)
	l.mu.Unlock()
	if o := l.cfg.Observer; o != nil {
		o.Banned(banLabel(reason))
	}
	return true, err
}

// maxBanLabel caps banLabel's result.
const maxBanLabel = 32

// banLabel shortens a ban reason to the kind of misbehaviour, a label with
// few distinct values for metrics. Reasons are free text with details
// ("btcpeer: malformed message: block: ...", "invalid block: bad merkle
// root"): the label drops a leading package name and everything after the
// next colon ("malformed message", "invalid block"), and is at most 32
// bytes. An empty reason is "unspecified".
func banLabel(reason string) string {
	parts := strings.SplitN(reason, ": ", 3)
	label := parts[0]
	if len(parts) > 1 && isPackageName(parts[0]) {
		label = parts[1]
	}
	label = strings.TrimSpace(label)
	if len(label) > maxBanLabel {
		label = strings.TrimSpace(label[:maxBanLabel])
	}
	if label == "" {
		return "unspecified"
	}
	return label
}

// isPackageName reports whether s looks like the package prefix of an
// error message: one short lowercase word.
func isPackageName(s string) bool {
	if s == "" || len(s) > 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// Unban lifts a ban.
func (l *BanList) Unban(ip netip.Addr) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.bans[ip.Unmap()]; !ok {
		return nil
	}
	delete(l.bans, ip.Unmap())
	return l.saveLocked(l.cfg.Clock.Now())
}

// Banned reports whether ip is banned now. It fits dial.Config.Banned.
func (l *BanList) Banned(ip netip.Addr) bool {
	ip = ip.Unmap()
	l.mu.RLock()
	b, ok := l.bans[ip]
	l.mu.RUnlock()
	return ok && l.cfg.Clock.Now().Before(b.Until) && !l.Whitelisted(ip)
}

// List returns the bans in force, oldest first.
func (l *BanList) List() []Ban {
	now := l.cfg.Clock.Now()
	l.mu.RLock()
	defer l.mu.RUnlock()
	var out []Ban
	for _, b := range l.bans {
		if now.Before(b.Until) {
			out = append(out, b)
		}
	}
	slices.SortFunc(out, func(a, b Ban) int { return a.Created.Compare(b.Created) })
	return out
}

// saveLocked drops expired bans and writes the file. mu must be held.
func (l *BanList) saveLocked(now time.Time) error {
	var list []Ban
	for ip, b := range l.bans {
		if !now.Before(b.Until) {
			delete(l.bans, ip)
			continue
		}
		list = append(list, b)
	}
	if l.cfg.Path == "" {
		return nil
	}
	slices.SortFunc(list, func(a, b Ban) int { return a.Created.Compare(b.Created) })
	data, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(l.cfg.Path, data)
}
