package originsig

import (
	"testing"

	"github.com/ledgernet/ledgernet/p2p/enode"
)

func TestIdentity(t *testing.T) {
	s := testSigners(t)["secp256k1"]
	other := enode.ID{1}
	cases := []struct {
		name    string
		signer  Signer
		id      enode.ID
		policy  Policy
		want    enode.ID
		wantErr bool
	}{
		{"signer gives the ID", s, enode.ID{}, Require, s.ID(), false},
		{"matching ID", s, s.ID(), Require, s.ID(), false},
		{"ID not the signer's", s, other, Require, enode.ID{}, true},
		{"unsigned, optional", nil, other, Optional, other, false},
		{"unsigned, required", nil, other, Require, enode.ID{}, true},
		{"no signer, no ID", nil, enode.ID{}, Optional, enode.ID{}, true},
		{"bad policy", s, enode.ID{}, Optional + 1, enode.ID{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Identity(c.signer, c.id, c.policy)
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v, want error %v", err, c.wantErr)
			}
			if !c.wantErr && got != c.want {
				t.Fatalf("ID %s, want %s", got.TerminalString(), c.want.TerminalString())
			}
		})
	}
}
