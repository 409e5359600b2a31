package server

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/ledgernet/ledgernet/p2p"
)

func TestMatchProtocols(t *testing.T) {
	p := func(name string, version uint, length uint64) Protocol {
		return Protocol{Name: name, Version: version, Length: length, Run: func(*Peer, p2p.MsgReadWriter) error { return nil }}
	}
	tests := []struct {
		name   string
		local  []Protocol
		remote []Cap
		want   string // "name/version@offset" in order
	}{
		{"no shared cap", []Protocol{p("chain", 1, 10)}, []Cap{{Name: "eth", Version: 68}, {Name: "snap", Version: 1}}, ""},
		{"empty remote", []Protocol{p("chain", 1, 10)}, nil, ""},
		{"same name, other version", []Protocol{p("chain", 2, 10)}, []Cap{{Name: "chain", Version: 1}}, ""},
		{"one", []Protocol{p("chain", 1, 10)}, []Cap{{Name: "chain", Version: 1}}, "chain/1@0"},
		{
			"alphabetical offsets, not config order",
			[]Protocol{p("topic", 1, 4), p("chain", 1, 10), p("status", 1, 3)},
			[]Cap{{Name: "status", Version: 1}, {Name: "topic", Version: 1}, {Name: "chain", Version: 1}},
			"chain/1@0 status/1@10 topic/1@13",
		},
		{
			"highest shared version wins, its own length counts",
			[]Protocol{p("eth", 66, 17), p("eth", 67, 13), p("eth", 68, 17), p("snap", 1, 8)},
			[]Cap{{Name: "eth", Version: 66}, {Name: "eth", Version: 67}, {Name: "snap", Version: 1}, {Name: "eth", Version: 69}},
			"eth/67@0 snap/1@13",
		},
		{
			"remote lists lower versions we lack",
			[]Protocol{p("a", 3, 2)},
			[]Cap{{Name: "a", Version: 1}, {Name: "a", Version: 2}, {Name: "a", Version: 3}, {Name: "a", Version: 4}},
			"a/3@0",
		},
		{
			"duplicates in remote",
			[]Protocol{p("a", 1, 2), p("b", 1, 1)},
			[]Cap{{Name: "b", Version: 1}, {Name: "a", Version: 1}, {Name: "a", Version: 1}, {Name: "b", Version: 1}},
			"a/1@0 b/1@2",
		},
		{
			"byte order of names: upper case first",
			[]Protocol{p("a", 1, 1), p("B", 1, 1), p("aa", 1, 1)},
			[]Cap{{Name: "aa", Version: 1}, {Name: "a", Version: 1}, {Name: "B", Version: 1}},
			"B/1@0 a/1@1 aa/1@2",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, m := range matchProtocols(tt.local, tt.remote) {
				got = append(got, fmt.Sprintf("%s@%d", m.Cap(), m.offset))
			}
			if s := strings.Join(got, " "); s != tt.want {
				t.Fatalf("got %q, want %q", s, tt.want)
			}
		})
	}
}

func TestValidateProtocols(t *testing.T) {
	run := func(*Peer, p2p.MsgReadWriter) error { return nil }
	bad := map[string][]Protocol{
		"empty name":  {{Version: 1, Length: 1, Run: run}},
		"zero length": {{Name: "a", Length: 0, Run: run}},
		"huge length": {{Name: "a", Length: MaxProtocolLength + 1, Run: run}},
		"nil run":     {{Name: "a", Length: 1}},
		"duplicate":   {{Name: "a", Version: 1, Length: 1, Run: run}, {Name: "a", Version: 1, Length: 2, Run: run}},
	}
	for name, ps := range bad {
		if err := validateProtocols(ps); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	ok := []Protocol{{Name: "a", Version: 1, Length: 1, Run: run}, {Name: "a", Version: 2, Length: 1, Run: run}}
	if err := validateProtocols(ok); err != nil {
		t.Error(err)
	}
	if got := localCaps([]Protocol{{Name: "b", Version: 1}, {Name: "a", Version: 2}, {Name: "a", Version: 1}}); !reflect.DeepEqual(got, []Cap{{Name: "a", Version: 1}, {Name: "a", Version: 2}, {Name: "b", Version: 1}}) {
		t.Errorf("localCaps: %v", got)
	}
}
