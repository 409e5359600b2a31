// Package version holds ledgernet's version string and the client name it
// announces to peers.
package version

import (
	"fmt"
	"runtime"
)

// Version is ledgernet's release version.
const Version = "0.1.0-dev"

// UserAgent is the BIP14 user agent sent in Bitcoin version messages.
func UserAgent() string { return "/ledgernet:" + Version + "/" }

// ClientName is the devp2p Hello client name:
// ledgernet/<version>/<os>-<arch>/<go version>.
func ClientName() string {
	return fmt.Sprintf("ledgernet/v%s/%s-%s/%s", Version, runtime.GOOS, runtime.GOARCH, runtime.Version())
}
