// Package peerlist reads the static peer list of the permissioned profile:
// the peers a node keeps connected, given as repeated `--peer
// [ID@]HOST:PORT` flags or as a TOML file of [[peers]] tables:
//
//	# peers.toml
//	[[peers]]
//	address = "10.0.0.2:30300"
//	# Optional: the peer's node ID (64 hex digits, as `ledgernet cert show`
//	# prints it). When set, a connection to this address is refused unless
//	# the peer's certificate has this ID.
//	id = "5b0c...e1"
//
//	[[peers]]
//	address = "node3.example.org:30300"
//
// Parsing is strict: unknown keys, duplicate addresses or IDs, bad ports and
// malformed IDs are errors naming the entry, so that a typo does not
// silently drop a peer. Host names are kept as given; the node resolves them
// when it applies the list.
package peerlist

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/ledgernet/ledgernet/p2p/enode"
)

// Limits of a peer list: a consortium has tens of nodes, not thousands.
const (
	MaxPeers    = 1024
	MaxFileSize = 1 << 20
)

// ErrInvalid is wrapped by every parse error.
var ErrInvalid = errors.New("peerlist: invalid peer list")

// Peer is one entry of the list.
type Peer struct {
	// Addr is "host:port"; host is an IP address or a DNS name.
	Addr string
	// ID is the node ID the peer's certificate must have; zero when the
	// entry does not pin one.
	ID enode.ID
}

// HasID reports whether the entry pins a node ID.
func (p Peer) HasID() bool { return !p.ID.IsZero() }

// String returns the entry in the form Parse reads: "ID@host:port", or
// "host:port" without an ID.
func (p Peer) String() string {
	if p.HasID() {
		return p.ID.String() + "@" + p.Addr
	}
	return p.Addr
}

// Parse reads one entry of the form "[ID@]host:port", as the --peer flag
// takes it.
func Parse(s string) (Peer, error) {
	var p Peer
	addr := s
	if i := strings.IndexByte(s, '@'); i >= 0 {
		id, err := enode.ParseID(s[:i])
		if err != nil {
			return p, fmt.Errorf("%w: %q: node ID: %w", ErrInvalid, s, err)
		}
		if id.IsZero() {
			return p, fmt.Errorf("%w: %q: zero node ID", ErrInvalid, s)
		}
		p.ID, addr = id, s[i+1:]
	}
	if err := checkAddr(addr); err != nil {
		return p, fmt.Errorf("%w: %q: %w", ErrInvalid, s, err)
	}
	p.Addr = addr
	return p, nil
}

// ParseAll parses several entries (repeated --peer flags) and checks them
// as a list.
func ParseAll(ss []string) ([]Peer, error) {
	peers := make([]Peer, 0, len(ss))
	for _, s := range ss {
		p, err := Parse(s)
		if err != nil {
			return nil, err
		}
		peers = append(peers, p)
	}
	return peers, checkList(peers)
}

func checkAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if host == "" {
		return errors.New("empty host")
	}
	n, err := strconv.ParseUint(port, 10, 16)
	if err != nil || n == 0 {
		return fmt.Errorf("bad port %q", port)
	}
	return nil
}

func checkList(peers []Peer) error {
	if len(peers) > MaxPeers {
		return fmt.Errorf("%w: %d peers, at most %d", ErrInvalid, len(peers), MaxPeers)
	}
	addrs := make(map[string]int, len(peers))
	ids := make(map[enode.ID]int, len(peers))
	for i, p := range peers {
		if j, dup := addrs[p.Addr]; dup {
			return fmt.Errorf("%w: entries %d and %d both have address %s", ErrInvalid, j+1, i+1, p.Addr)
		}
		addrs[p.Addr] = i
		if p.HasID() {
			if j, dup := ids[p.ID]; dup {
				return fmt.Errorf("%w: entries %d and %d both have ID %s", ErrInvalid, j+1, i+1, p.ID)
			}
			ids[p.ID] = i
		}
	}
	return nil
}

// file is the TOML document.
type file struct {
	Peers []entry `toml:"peers"`
}

type entry struct {
	Address string `toml:"address"`
	ID      string `toml:"id,omitempty"`
}

// Decode parses a TOML peer list.
func Decode(data []byte) ([]Peer, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrInvalid, len(data), MaxFileSize)
	}
	var f file
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&f)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("%w: unknown key %q", ErrInvalid, und[0].String())
	}
	if len(f.Peers) > MaxPeers {
		return nil, fmt.Errorf("%w: %d peers, at most %d", ErrInvalid, len(f.Peers), MaxPeers)
	}
	peers := make([]Peer, 0, len(f.Peers))
	for i, e := range f.Peers {
		if e.Address == "" {
			return nil, fmt.Errorf("%w: peer %d: no address", ErrInvalid, i+1)
		}
		s := e.Address
		if e.ID != "" {
			s = e.ID + "@" + e.Address
		}
		p, err := Parse(s)
		if err != nil {
			return nil, fmt.Errorf("peer %d: %w", i+1, err)
		}
		peers = append(peers, p)
	}
	return peers, checkList(peers)
}

// Load reads and parses a TOML peer list file.
func Load(path string) ([]Peer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	peers, err := Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return peers, nil
}

// Encode returns the TOML form of a list, which Decode reads back.
func Encode(peers []Peer) ([]byte, error) {
	f := file{Peers: make([]entry, len(peers))}
	for i, p := range peers {
		f.Peers[i].Address = p.Addr
		if p.HasID() {
			f.Peers[i].ID = p.ID.String()
		}
	}
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(f); err != nil {
		return nil, fmt.Errorf("peerlist: %w", err)
	}
	return b.Bytes(), nil
}
