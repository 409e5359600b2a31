package enode

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadOrCreateNodeKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), NodeKeyFile)
	key, created, err := LoadOrCreateNodeKey(path)
	if err != nil || !created {
		t.Fatalf("first start: created=%v err=%v", created, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("permissions %o, want 600", perm)
	}
	data, _ := os.ReadFile(path)
	if len(data) != 64 {
		t.Errorf("file is %d bytes, want 64 hex characters", len(data))
	}
	key2, created, err := LoadOrCreateNodeKey(path)
	if err != nil || created {
		t.Fatalf("second start: created=%v err=%v", created, err)
	}
	if !key.PubKey().IsEqual(key2.PubKey()) {
		t.Error("reloaded a different key")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestSaveNodeKeyNoOverwrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), NodeKeyFile)
	k1, _ := GenerateKey(nil)
	k2, _ := GenerateKey(nil)
	if err := SaveNodeKey(path, k1); err != nil {
		t.Fatal(err)
	}
	if err := SaveNodeKey(path, k2); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("overwrite: %v, want ErrExist", err)
	}
	got, err := LoadNodeKey(path)
	if err != nil || !got.PubKey().IsEqual(k1.PubKey()) {
		t.Fatal("existing key was replaced")
	}
}

// TestNodeKeyGethFormat checks the file format against the EIP-778 key: a
// geth nodekey file holds exactly the hex of the private key.
func TestNodeKeyGethFormat(t *testing.T) {
	ex := loadExample(t)
	key := exampleKey(t)
	if got := string(MarshalNodeKey(key)); got != ex.PrivateKey {
		t.Errorf("MarshalNodeKey = %s, want %s", got, ex.PrivateKey)
	}
	for _, suffix := range []string{"", "\n", "\r\n", "\n\n"} {
		k, err := ParseNodeKey([]byte(ex.PrivateKey + suffix))
		if err != nil || !bytes.Equal(MarshalNodeKey(k), MarshalNodeKey(key)) {
			t.Errorf("suffix %q: %v", suffix, err)
		}
	}
}

func TestBadNodeKeyFiles(t *testing.T) {
	good := loadExample(t).PrivateKey
	order := "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
	tests := []struct {
		name, content, want string
	}{
		{"empty", "", "too short"},
		{"short", good[:63], "too short"},
		{"not hex", "zz" + good[2:], "invalid byte"},
		{"trailing garbage", good + "x", "invalid character"},
		{"trailing space", good + " ", "invalid character"},
		{"too many newlines", good + "\n\n\n", "too long"},
		{"two keys", good + "\n" + good, "invalid character"},
		{"zero key", strings.Repeat("0", 64), "not a valid secp256k1 scalar"},
		{"group order", order, "not a valid secp256k1 scalar"},
		{"above group order", strings.Repeat("f", 64), "not a valid secp256k1 scalar"},
		{"large file", good + strings.Repeat("\n", 1<<20), "too long"},
	}
	dir := t.TempDir()
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, "key"+string(rune('a'+i)))
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := LoadNodeKey(path)
			if !errors.Is(err, ErrInvalidNodeKey) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadNodeKey error = %v, want ErrInvalidNodeKey mentioning %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the file", err)
			}
			// A malformed file is never replaced by LoadOrCreate.
			if _, _, err := LoadOrCreateNodeKey(path); !errors.Is(err, ErrInvalidNodeKey) {
				t.Errorf("LoadOrCreateNodeKey error = %v", err)
			}
			if data, _ := os.ReadFile(path); string(data) != tc.content {
				t.Error("malformed file was modified")
			}
		})
	}
}

func TestLoadNodeKeyMissing(t *testing.T) {
	_, err := LoadNodeKey(filepath.Join(t.TempDir(), "none"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error = %v, want ErrNotExist", err)
	}
}
