package store

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no goroutine (signature workers included) outlives
// the tests.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
