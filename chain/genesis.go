package chain

import (
	"encoding/binary"
	"encoding/hex"

	"github.com/ledgernet/ledgernet/wire"
)

// Genesis blocks are built from their parts, the way Bitcoin Core's
// CreateGenesisBlock does, and pinned by tests to their well-known hashes.
// Each call builds a fresh block, so no caller can change another's copy.

// genesisReward is the 50-coin output of every genesis coinbase here.
const genesisReward = 50 * 100_000_000

// Coinbase texts (pszTimestamp in Core).
const (
	bitcoinGenesisText  = "The Times 03/Jan/2009 Chancellor on brink of second bailout for banks"
	testnet4GenesisText = "03/May/2024 000000000000000000001ebd58c244970b3aa9d783bb001011fbe8ea8e98e00e"
	devnetGenesisText   = "ledgernet devnet genesis 2026-01-01: one small open network, headers first"
)

// satoshiGenesisPubKey is the uncompressed public key the Bitcoin genesis
// output pays to (mainnet, testnet3, signet and regtest share it).
const satoshiGenesisPubKey = "04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb6" +
	"49f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f"

// pushData appends a minimal push of data (up to 255 bytes) to script.
func pushData(script, data []byte) []byte {
	if len(data) < 0x4c {
		script = append(script, byte(len(data)))
	} else {
		script = append(script, 0x4c, byte(len(data)))
	}
	return append(script, data...)
}

// genesisScriptSig is Core's "CScript() << 486604799 << CScriptNum(4) <<
// text" with the network's bits in place of 486604799: the bits as a 4-byte
// script number, the number 4 as a 1-byte push, then the text.
func genesisScriptSig(bits uint32, text string) []byte {
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], bits)
	s := pushData(nil, n[:])
	s = pushData(s, []byte{4})
	return pushData(s, []byte(text))
}

// payToPubKey is "<pubkey> OP_CHECKSIG".
func payToPubKey(pubKey []byte) []byte {
	return append(pushData(nil, pubKey), 0xac)
}

func hexConst(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic("chain: bad constant hex: " + err.Error()) // constants only
	}
	return b
}

// genesisBlock assembles a one-transaction genesis block. The merkle root of
// a one-transaction block is that transaction's txid.
func genesisBlock(text string, pkScript []byte, version int32, timestamp, bits, nonce uint32) *wire.MsgBlock {
	tx := &wire.MsgTx{
		Version: 1,
		TxIn: []*wire.TxIn{{
			PreviousOutPoint: wire.OutPoint{Index: 0xffffffff},
			SignatureScript:  genesisScriptSig(0x1d00ffff, text),
			Sequence:         0xffffffff,
		}},
		TxOut: []*wire.TxOut{{Value: genesisReward, PkScript: pkScript}},
	}
	return &wire.MsgBlock{
		Header: wire.BlockHeader{
			Version:    version,
			MerkleRoot: tx.TxHash(),
			Timestamp:  timestamp,
			Bits:       bits,
			Nonce:      nonce,
		},
		Transactions: []*wire.MsgTx{tx},
	}
}

// bitcoinGenesis is the genesis shape shared by mainnet, testnet3, signet
// and regtest: the same coinbase, different time, bits and nonce.
func bitcoinGenesis(timestamp, bits, nonce uint32) *wire.MsgBlock {
	return genesisBlock(bitcoinGenesisText, payToPubKey(hexConst(satoshiGenesisPubKey)), 1, timestamp, bits, nonce)
}

func mainNetGenesis() *wire.MsgBlock  { return bitcoinGenesis(1231006505, 0x1d00ffff, 2083236893) }
func testNet3Genesis() *wire.MsgBlock { return bitcoinGenesis(1296688602, 0x1d00ffff, 414098458) }
func sigNetGenesis() *wire.MsgBlock   { return bitcoinGenesis(1598918400, 0x1e0377ae, 52613770) }
func regTestGenesis() *wire.MsgBlock  { return bitcoinGenesis(1296688602, 0x207fffff, 2) }

// testNet4Genesis pays to a 33-byte all-zero "public key", so its output can
// never be spent.
func testNet4Genesis() *wire.MsgBlock {
	return genesisBlock(testnet4GenesisText, payToPubKey(make([]byte, 33)), 1, 1714777860, 0x1d00ffff, 393743547)
}

// Devnet genesis header fields. The block was mined once, offline, at the
// devnet proof-of-work limit (devnetPowLimitBits) with the coinbase below;
// DevNetParams pins the resulting hash.
const (
	devnetGenesisTime  = 1767225600 // 2026-01-01 00:00:00 UTC
	devnetGenesisNonce = 3239
)

// devNetGenesis follows testnet4's shape: the coinbase text names ledgernet
// and the reward pays to an all-zero key, unspendable.
func devNetGenesis() *wire.MsgBlock {
	return genesisBlock(devnetGenesisText, payToPubKey(make([]byte, 33)), 1, devnetGenesisTime, devnetPowLimitBits, devnetGenesisNonce)
}
