package addrmgr

import (
	"encoding/hex"
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

// Ban is one banned address, or a whole network (Subnet, with Addr its
// first address).
type Ban struct {
	Addr   netip.Addr   `json:"addr,omitzero"`
	Subnet netip.Prefix `json:"subnet,omitzero"`
	// ID, on networks with node identities, bans a node whatever its
	// address (hex); Addr and Subnet are then zero.
	ID      string    `json:"id,omitempty"`
	Created time.Time `json:"created"`
	Until   time.Time `json:"until"`
	Reason  string    `json:"reason,omitempty"`
}

// prefix is what the ban covers.
func (b Ban) prefix() netip.Prefix {
	if b.Subnet.IsValid() {
		return b.Subnet.Masked()
	}
	return netip.PrefixFrom(b.Addr, b.Addr.BitLen())
}

// BanList is the set of banned IP addresses, persisted. Banned is cheap and
// safe to call from the dial scheduler's loop.
type BanList struct {
	cfg BanConfig
	log *slog.Logger

	mu   sync.RWMutex // guards bans, ids and the file writes
	bans map[netip.Prefix]Ban
	ids  map[[32]byte]Ban
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
	l := &BanList{cfg: cfg, log: cfg.Logger, bans: make(map[netip.Prefix]Ban), ids: make(map[[32]byte]Ban)}
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
		b.Addr = b.Addr.Unmap()
		if !b.Until.After(now) {
			continue
		}
		if b.ID != "" {
			if id, err := parseID(b.ID); err == nil {
				l.ids[id] = b
			}
			continue
		}
		if b.Addr.IsValid() || b.Subnet.IsValid() {
			l.bans[b.prefix()] = b
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
	if !ip.IsValid() {
		return false, nil
	}
	return l.BanSubnet(netip.PrefixFrom(ip, ip.BitLen()), d, reason)
}

// BanSubnet bans every address of p for d (DefaultBanDuration if d <= 0)
// and saves the list; whitelisted addresses inside it stay allowed. It
// returns false, banning nothing, when p is a single whitelisted address.
func (l *BanList) BanSubnet(p netip.Prefix, d time.Duration, reason string) (bool, error) {
	if !p.IsValid() {
		return false, nil
	}
	p = netip.PrefixFrom(p.Addr().Unmap(), min(p.Bits(), p.Addr().Unmap().BitLen())).Masked()
	if p.IsSingleIP() && l.Whitelisted(p.Addr()) {
		return false, nil
	}
	if d <= 0 {
		d = DefaultBanDuration
	}
	now := l.cfg.Clock.Now()
	b := Ban{Addr: p.Addr(), Created: now, Until: now.Add(d), Reason: reason}
	if !p.IsSingleIP() {
		b.Subnet = p
	}
	l.mu.Lock()
	l.bans[p] = b
	l.log.Info("banned", "addr", p, "until", now.Add(d), "reason", reason)
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

// Unban lifts a ban of ip (a single address).
func (l *BanList) Unban(ip netip.Addr) error {
	ip = ip.Unmap()
	_, err := l.UnbanSubnet(netip.PrefixFrom(ip, ip.BitLen()))
	return err
}

// UnbanSubnet lifts the ban of exactly p, reporting whether there was one.
func (l *BanList) UnbanSubnet(p netip.Prefix) (bool, error) {
	p = netip.PrefixFrom(p.Addr().Unmap(), min(p.Bits(), p.Addr().Unmap().BitLen())).Masked()
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.bans[p]; !ok {
		return false, nil
	}
	delete(l.bans, p)
	return true, l.saveLocked(l.cfg.Clock.Now())
}

// Clear lifts every ban.
func (l *BanList) Clear() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.bans)
	clear(l.ids)
	return l.saveLocked(l.cfg.Clock.Now())
}

// parseID reads a node ID in hex.
func parseID(s string) ([32]byte, error) {
	var id [32]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return id, fmt.Errorf("node ID %q: want 64 hex digits", s)
	}
	copy(id[:], b)
	return id, nil
}

// BanID bans the node id for d (DefaultBanDuration if d <= 0) whatever its
// address, and saves the list (FISCO BCOS's blacklist).
func (l *BanList) BanID(id [32]byte, d time.Duration, reason string) error {
	if d <= 0 {
		d = DefaultBanDuration
	}
	now := l.cfg.Clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ids[id] = Ban{ID: hex.EncodeToString(id[:]), Created: now, Until: now.Add(d), Reason: reason}
	l.log.Info("banned", "id", hex.EncodeToString(id[:]), "until", now.Add(d), "reason", reason)
	err := l.saveLocked(now)
	if o := l.cfg.Observer; o != nil {
		o.Banned(banLabel(reason))
	}
	return err
}

// UnbanID lifts the ban of id, reporting whether there was one.
func (l *BanList) UnbanID(id [32]byte) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.ids[id]; !ok {
		return false, nil
	}
	delete(l.ids, id)
	return true, l.saveLocked(l.cfg.Clock.Now())
}

// BannedID reports whether the node id is banned now. It fits
// dial.Config.BannedID.
func (l *BanList) BannedID(id [32]byte) bool {
	l.mu.RLock()
	b, ok := l.ids[id]
	l.mu.RUnlock()
	return ok && l.cfg.Clock.Now().Before(b.Until)
}

// Banned reports whether ip is banned now. It fits dial.Config.Banned:
// the operator's bans are few, so a scan of them is cheap.
func (l *BanList) Banned(ip netip.Addr) bool {
	ip = ip.Unmap()
	now := l.cfg.Clock.Now()
	l.mu.RLock()
	banned := false
	for p, b := range l.bans {
		if p.Contains(ip) && now.Before(b.Until) {
			banned = true
			break
		}
	}
	l.mu.RUnlock()
	return banned && !l.Whitelisted(ip)
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
	for _, b := range l.ids {
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
	for id, b := range l.ids {
		if !now.Before(b.Until) {
			delete(l.ids, id)
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
