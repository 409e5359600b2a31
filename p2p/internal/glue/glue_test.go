package glue

import (
	"errors"
	"slices"
	"testing"

	"github.com/ledgernet/ledgernet/p2p"
	"github.com/ledgernet/ledgernet/p2p/enode"
)

func TestService(t *testing.T) {
	errRun := errors.New("ran")
	s := Service{Name: "x", Version: 2, Length: 3, Commands: []string{"a", "b", "c"},
		Run: func(enode.ID, p2p.MsgReadWriter, func(error)) error { return errRun }}
	sp := s.Server()
	if sp.Name != "x" || sp.Version != 2 || sp.Length != 3 || sp.Run == nil {
		t.Fatalf("server protocol %+v", sp)
	}
	tp := s.TLS()
	if tp.Name != "x" || tp.Version != 2 || !slices.Equal(tp.Commands, s.Commands) || tp.Run == nil {
		t.Fatalf("tls protocol %+v", tp)
	}
	spec := s.Spec()
	if spec.Name != "x" || spec.Version != 2 || !slices.Equal(spec.Commands, s.Commands) {
		t.Fatalf("spec %+v", spec)
	}
	// The tables handed out are copies: a host may not change the service's.
	spec.Commands[0], tp.Commands[0] = "z", "z"
	if s.Commands[0] != "a" {
		t.Fatal("command table shared")
	}
}
