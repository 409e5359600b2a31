package metrics

import "sync"

// labelSet bounds the values of a label that comes from the network.
type labelSet struct {
	mu   sync.Mutex // guards seen
	seen map[string]bool
}

// Label values that replace what a peer could abuse.
const (
	labelInvalid = "invalid"
	labelOther   = "other"
	labelNone    = "none"
)

// clean returns v if it is short printable ASCII, else "invalid".
func clean(v string) string {
	if v == "" {
		return labelNone
	}
	if len(v) > maxLabelLen {
		return labelInvalid
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 || c > 0x7e {
			return labelInvalid
		}
	}
	return v
}

// value returns v, cleaned, or "other" once the set is full.
func (s *labelSet) value(v string) string {
	v = clean(v)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen[v] {
		return v
	}
	if len(s.seen) >= maxLabelValues {
		return labelOther
	}
	if s.seen == nil {
		s.seen = make(map[string]bool)
	}
	s.seen[v] = true
	return v
}

// pair bounds (protocol, command) pairs together: both stay as they are
// while the set of pairs has room, then new pairs are ("other", "other").
func (s *labelSet) pair(proto, cmd string) (string, string) {
	p, c := clean(proto), clean(cmd)
	key := p + "\x00" + c
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen[key] {
		return p, c
	}
	if len(s.seen) >= maxLabelValues {
		return labelOther, labelOther
	}
	if s.seen == nil {
		s.seen = make(map[string]bool)
	}
	s.seen[key] = true
	return p, c
}
