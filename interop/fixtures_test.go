package interop

import (
	"os"
	"path/filepath"
	"testing"
)

// fixture reads a file from ../shared/fixtures (beside the repository) and
// fails the test when it is missing: a missing fixture never lets a test pass.
func fixture(tb testing.TB, rel string) []byte {
	tb.Helper()
	p := filepath.Join("..", "..", "shared", "fixtures", filepath.FromSlash(rel))
	b, err := os.ReadFile(p)
	if err != nil {
		tb.Fatalf("fixture %s is missing (%v): the shared fixtures must sit beside the repository as ../shared/fixtures", rel, err)
	}
	return b
}
