// Package atomicfile writes whole files so that a crash leaves either the
// old content or the new, never a torn file, and a concurrent reader (a
// Verifier polling crl.pem, say) never sees a half-written one.
//
// The data goes to a temporary file in the target's directory, which is
// given its mode, written, synced and closed, and only then moved into
// place: renamed over the target (Replace) or hard-linked to its name, which
// fails when the name exists (Create). Last the directory is synced so that
// the new entry is durable too.
package atomicfile

import (
	"io/fs"
	"os"
	"path/filepath"
)

// Replace writes data to path with mode perm, replacing any file there.
func Replace(path string, data []byte, perm fs.FileMode) error {
	return write(path, data, perm, os.Rename)
}

// Create writes data to a new file at path with mode perm. It never
// replaces a file: when path exists it returns an error satisfying
// errors.Is(err, fs.ErrExist) and leaves that file untouched, so that of two
// processes creating the same file one wins and the other can read its file.
func Create(path string, data []byte, perm fs.FileMode) error {
	return write(path, data, perm, os.Link) // link fails if path exists
}

// write writes data to a temporary file beside path and calls place to move
// it there.
func write(path string, data []byte, perm fs.FileMode, place func(tmp, path string) error) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	// Removes the temporary file on failure, and its extra name after Link;
	// a no-op after Rename.
	defer os.Remove(tmp.Name())
	// Mode first, whatever the umask, so that secret data never sits in a
	// file with wider permissions (CreateTemp uses 0600).
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := place(tmp.Name(), path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes a new directory entry durable. Errors are ignored: some
// platforms and file systems cannot sync a directory, and the file itself is
// already synced.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
