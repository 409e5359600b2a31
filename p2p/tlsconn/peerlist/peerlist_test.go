package peerlist

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ledgernet/ledgernet/p2p/enode"
)

const idHex = "5b0c4f1e2d3a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1ff"

var id = enode.MustParseID(idHex)

func TestParse(t *testing.T) {
	good := []struct {
		in   string
		want Peer
	}{
		{"127.0.0.1:30300", Peer{Addr: "127.0.0.1:30300"}},
		{"[::1]:30300", Peer{Addr: "[::1]:30300"}},
		{"node3.example.org:1", Peer{Addr: "node3.example.org:1"}},
		{idHex + "@10.0.0.2:30300", Peer{Addr: "10.0.0.2:30300", ID: id}},
		{"0x" + idHex + "@10.0.0.2:30300", Peer{Addr: "10.0.0.2:30300", ID: id}},
	}
	for _, tc := range good {
		got, err := Parse(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		if again, err := Parse(got.String()); err != nil || again != got {
			t.Errorf("Parse(String()) of %q = %+v, %v", tc.in, again, err)
		}
	}
	bad := map[string]string{
		"no port":     "127.0.0.1",
		"empty port":  "127.0.0.1:",
		"port 0":      "127.0.0.1:0",
		"port range":  "127.0.0.1:65536",
		"port name":   "127.0.0.1:http",
		"empty host":  ":30300",
		"short id":    "abcd@127.0.0.1:1",
		"zero id":     strings.Repeat("0", 64) + "@127.0.0.1:1",
		"id not hex":  strings.Repeat("z", 64) + "@127.0.0.1:1",
		"empty":       "",
		"only an id@": idHex + "@",
	}
	for name, in := range bad {
		if _, err := Parse(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Parse(%q) error %v, want ErrInvalid", name, in, err)
		}
	}
}

func TestParseAllDuplicates(t *testing.T) {
	if _, err := ParseAll([]string{"127.0.0.1:1", "127.0.0.1:2"}); err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string][]string{
		"address": {"127.0.0.1:1", idHex + "@127.0.0.1:1"},
		"id":      {idHex + "@127.0.0.1:1", idHex + "@127.0.0.1:2"},
	} {
		if _, err := ParseAll(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("duplicate %s: error %v, want ErrInvalid", name, err)
		}
	}
}

func TestDecode(t *testing.T) {
	doc := `
# comment
[[peers]]
address = "10.0.0.2:30300"
id = "` + idHex + `"

[[peers]]
address = "node3.example.org:30300"
`
	got, err := Decode([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []Peer{{Addr: "10.0.0.2:30300", ID: id}, {Addr: "node3.example.org:30300"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	enc, err := Encode(want)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(enc)
	if err != nil || !reflect.DeepEqual(back, want) {
		t.Fatalf("round trip: %+v, %v\n%s", back, err, enc)
	}
	if got, err := Decode(nil); err != nil || len(got) != 0 {
		t.Errorf("empty document: %v, %v", got, err)
	}
}

func TestDecodeBad(t *testing.T) {
	bad := map[string]string{
		"syntax":        `[[peers]`,
		"unknown key":   "[[peers]]\naddress = \"1.2.3.4:5\"\nport = 5\n",
		"unknown table": "[peer]\naddress = \"1.2.3.4:5\"\n",
		"no address":    "[[peers]]\nid = \"" + idHex + "\"\n",
		"bad address":   "[[peers]]\naddress = \"1.2.3.4\"\n",
		"bad id":        "[[peers]]\naddress = \"1.2.3.4:5\"\nid = \"xyz\"\n",
		"wrong type":    "[[peers]]\naddress = 5\n",
		"duplicate":     "[[peers]]\naddress = \"1.2.3.4:5\"\n[[peers]]\naddress = \"1.2.3.4:5\"\n",
		"too large":     strings.Repeat("#", MaxFileSize+1),
	}
	for name, doc := range bad {
		if _, err := Decode([]byte(doc)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: error %v, want ErrInvalid", name, err)
		}
	}
}

func TestLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "peers.toml")
	if err := os.WriteFile(path, []byte("[[peers]]\naddress = \"127.0.0.1:30300\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil || len(got) != 1 || got[0].Addr != "127.0.0.1:30300" {
		t.Fatalf("Load: %+v, %v", got, err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.toml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte("[[peers]]\naddress = \"10.0.0.2:30300\"\nid = \"" + idHex + "\"\n"))
	f.Add([]byte("[[peers]]\naddress = \"[::1]:1\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		peers, err := Decode(data)
		if err != nil {
			return
		}
		enc, err := Encode(peers)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Decode(enc)
		if err != nil || !reflect.DeepEqual(back, peers) && len(peers) > 0 {
			t.Fatalf("round trip of %+v: %+v, %v", peers, back, err)
		}
	})
}
