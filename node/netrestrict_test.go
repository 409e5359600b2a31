package node

import (
	"fmt"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/config"
)

// TestNetRestrictEveryProfile: a node with netrestrict 10.0.0.0/8 takes no
// peer from 127.0.0.1, on the Bitcoin (regtest) and permissioned profiles
// alike: a loopback peer that dials it is refused on accept, and the
// restricted node does not dial its own loopback peer.
func TestNetRestrictEveryProfile(t *testing.T) {
	t.Run("regtest", func(t *testing.T) {
		open := startNode(t, "open", regtestConfig(t), Options{})
		rc := regtestConfig(t)
		rc.NetRestrict = []string{"10.0.0.0/8"}
		rc.Connect = []string{open.ListenAddr().String()}
		restricted := startNode(t, "restricted", rc, Options{})
		if err := open.AddPeer(t.Context(), restricted.ListenAddr().String()); err != nil {
			t.Fatal(err)
		}
		checkRestricted(t, restricted, open)
	})
	t.Run("permissioned", func(t *testing.T) {
		cfgs := permissionedConfigs(t, 2)
		open := startNode(t, "open", cfgs[0], Options{})
		cfgs[1].NetRestrict = []string{"10.0.0.0/8"}
		cfgs[1].Peers = []config.Peer{{Address: open.ListenAddr().String(), ID: open.ID().String()}}
		restricted := startNode(t, "restricted", cfgs[1], Options{})
		if err := open.ReloadPeers([]config.Peer{{Address: restricted.ListenAddr().String(), ID: restricted.ID().String()}}); err != nil {
			t.Fatal(err)
		}
		checkRestricted(t, restricted, open)
	})
}

// checkRestricted waits until the restricted node has refused the open
// node's connection, then checks that neither has a peer and that the
// restricted node never dialled out.
func checkRestricted(t *testing.T, restricted, open *Node) {
	t.Helper()
	stats := func() string {
		st, _ := restricted.DialStats()
		return fmt.Sprintf("restricted: %+v; peers %d and %d", st, restricted.PeerCount(), open.PeerCount())
	}
	waitFor(t, 3*time.Minute, stats, func() bool {
		st, ok := restricted.DialStats()
		return ok && st.RefusedInbound >= 1
	})
	st, _ := restricted.DialStats()
	if restricted.PeerCount() != 0 || open.PeerCount() != 0 || st.Dials != 0 {
		t.Fatalf("a peer from 127.0.0.1 got through: %s", stats())
	}
}
