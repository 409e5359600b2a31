package atomicfile

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// leftovers fails the test when dir holds anything but want.
func leftovers(t *testing.T, dir string, want ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if len(names) != len(want) || (len(want) > 0 && names[0] != want[0]) {
		t.Fatalf("directory holds %q, want %q", names, want)
	}
}

func check(t *testing.T, path string, data []byte, perm fs.FileMode) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("%s holds %q, want %q", path, got, data)
	}
	if runtime.GOOS == "windows" {
		return
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != perm {
		t.Fatalf("%s has mode %v, want %v", path, st.Mode().Perm(), perm)
	}
}

func TestReplace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "crl.pem")
	for _, c := range []struct {
		data []byte
		perm fs.FileMode
	}{
		{[]byte("first"), 0o644},
		{[]byte("second, longer"), 0o600},
		{nil, 0o640},
	} {
		if err := Replace(path, c.data, c.perm); err != nil {
			t.Fatal(err)
		}
		check(t, path, c.data, c.perm)
		leftovers(t, dir, "crl.pem")
	}
}

func TestCreate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "nodekey")
	if err := Create(path, []byte("key"), 0o600); err != nil {
		t.Fatal(err)
	}
	check(t, path, []byte("key"), 0o600)
	err := Create(path, []byte("other"), 0o600)
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second Create: %v, want fs.ErrExist", err)
	}
	check(t, path, []byte("key"), 0o600)
	leftovers(t, dir, "nodekey")
}

func TestMissingDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent", "f")
	for name, fn := range map[string]func(string, []byte, fs.FileMode) error{"Replace": Replace, "Create": Create} {
		if err := fn(path, []byte("x"), 0o600); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s into a missing directory: %v, want fs.ErrNotExist", name, err)
		}
	}
}
