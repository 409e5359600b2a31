package node

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/internal/atomicfile"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/wallet"
)

// Files of the data directory; see the package documentation.
const (
	NodeKeyFile   = "nodekey"
	ChainFile     = "chain.db"
	NodesFile     = "nodes.db"
	WalletKeyFile = "wallet.key"
	APITokenFile  = "api.token"
)

// maxKeyFile caps what is read of a key file: a key is 64 hex characters.
const maxKeyFile = 1024

// loadNodeKey returns the node key: key when given (saved to the file if
// there is none yet), else the file's, created on first start.
func loadNodeKey(dir string, key *secp256k1.PrivateKey) (*secp256k1.PrivateKey, error) {
	path := filepath.Join(dir, NodeKeyFile)
	if key != nil {
		if err := enode.SaveNodeKey(path, key); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		return key, nil
	}
	key, _, err := enode.LoadOrCreateNodeKey(path)
	return key, err
}

// loadWallet returns the node's wallet: from keyBytes when given (saved if
// the file is missing), else from DATADIR/wallet.key, generated on first
// start.
func loadWallet(dir string, p *chain.Params, keyBytes []byte) (*wallet.Wallet, error) {
	path := filepath.Join(dir, WalletKeyFile)
	if keyBytes == nil {
		data, err := readSmall(path)
		switch {
		case err == nil:
			b, err := hex.DecodeString(strings.TrimSpace(string(data)))
			if err != nil {
				return nil, fmt.Errorf("node: %s: %w", path, err)
			}
			w, err := wallet.FromKeyBytes(p, b)
			if err != nil {
				return nil, fmt.Errorf("node: %s: %w", path, err)
			}
			return w, nil
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("node: %w", err)
		}
	}
	var w *wallet.Wallet
	var err error
	if keyBytes != nil {
		w, err = wallet.FromKeyBytes(p, keyBytes)
	} else {
		w, err = wallet.Generate(p, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("node: wallet: %w", err)
	}
	if err := atomicfile.Create(path, []byte(hex.EncodeToString(w.KeyBytes())+"\n"), 0o600); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("node: %w", err)
	}
	return w, nil
}

// readSmall reads a file of at most maxKeyFile bytes.
func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxKeyFile {
		return nil, fmt.Errorf("%s: longer than %d bytes", path, maxKeyFile)
	}
	return b, nil
}
