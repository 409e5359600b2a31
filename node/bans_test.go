package node

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ledgernet/ledgernet/api"
	"github.com/ledgernet/ledgernet/config"
)

// TestOperatorBans: on every profile the operator's bans work the same
// way: a network ban is listed, persisted and lifted; a ban that matches a
// connected peer drops it at once and keeps it out (by address on regtest,
// by node ID on devnet and permissioned, where the peer keeps redialling).
func TestOperatorBans(t *testing.T) {
	for _, tc := range []struct {
		profile string
		byID    bool
	}{
		{config.ProfileRegtest, false},
		{config.ProfileDevnet, true},
		{config.ProfilePermissioned, true},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			a, b := startPair(t, tc.profile)
			token, err := os.ReadFile(filepath.Join(a.Config().DataDir, APITokenFile))
			if err != nil {
				t.Fatal(err)
			}
			c := api.NewClient(a.APIAddr(), strings.TrimSpace(string(token)), nil)
			ctx := context.Background()

			// A network ban: listed, and lifted.
			if err := c.Ban(ctx, "192.0.2.0/24", time.Hour, "test"); err != nil {
				t.Fatal(err)
			}
			bans, err := c.Bans(ctx)
			if err != nil || len(bans) != 1 || bans[0].Target != "192.0.2.0/24" || bans[0].Reason != "test" {
				t.Fatalf("bans %+v, %v", bans, err)
			}
			if err := c.Unban(ctx, "192.0.2.0/24"); err != nil {
				t.Fatal(err)
			}
			if err := c.Unban(ctx, "192.0.2.0/24"); !errors.Is(err, api.ErrNotFound) {
				t.Fatalf("second unban: %v", err)
			}
			if err := c.Ban(ctx, "not a target", 0, ""); !errors.Is(err, api.ErrInvalid) {
				t.Fatalf("bad target: %v", err)
			}

			// The peer: dropped at once, and kept out while it redials.
			target := "127.0.0.1"
			if tc.byID {
				target = b.ID().String()
			} else if err := c.Ban(ctx, b.ID().String(), 0, ""); !errors.Is(err, api.ErrInvalid) {
				t.Fatalf("a node ID ban on %s: %v, want ErrInvalid", tc.profile, err)
			}
			if err := c.Ban(ctx, target, time.Hour, ""); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 3*time.Minute, func() string { return fmt.Sprintf("a has %d peers", a.PeerCount()) }, func() bool {
				st, _ := a.DialStats()
				refused := st.RefusedInbound + st.RefusedPeers
				if tc.profile == config.ProfileDevnet {
					srv := a.srv.Stats()
					refused = srv.InboundRefused + srv.PeersRefused
				}
				return a.PeerCount() == 0 && refused > 0
			})
			if a.PeerCount() != 0 {
				t.Fatal("the banned peer got back in")
			}
			if err := c.ClearBans(ctx); err != nil {
				t.Fatal(err)
			}
			if bans, _ := c.Bans(ctx); len(bans) != 0 {
				t.Fatalf("after clear: %+v", bans)
			}
		})
	}
}
