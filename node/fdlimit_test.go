package node

import (
	"testing"

	"github.com/ledgernet/ledgernet/api"
)

func TestAPIConnLimit(t *testing.T) {
	for _, tt := range []struct {
		limit        uint64
		peers, shake int
		want         int
	}{
		{0, 50, 64, api.DefaultMaxConns},             // unknown: the default
		{1 << 20, 125, 64, api.DefaultMaxConns},      // plenty: the default
		{1024, 125, 64, (1024 - 125 - 64 - 128) / 2}, // a small limit: half of what is left
		{256, 125, 64, 16},                           // too small: a floor
	} {
		if got := apiConnLimit(tt.limit, tt.peers, tt.shake); got != tt.want {
			t.Errorf("apiConnLimit(%d, %d, %d) = %d, want %d", tt.limit, tt.peers, tt.shake, got, tt.want)
		}
	}
	if openFilesLimit() == 0 {
		t.Error("the open files limit is unknown on this system")
	}
}
