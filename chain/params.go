package chain

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ledgernet/ledgernet/wire"
)

// Checkpoint pins the hash of the block at a height. A header at that
// height with another hash is rejected, and so is a header that would fork
// the chain below the highest checkpoint already passed.
type Checkpoint struct {
	Height int32
	Hash   wire.Hash
}

// Params are the consensus and network constants of one chain. Get them from
// the constructors (MainNetParams, ...) or ParamsByName; each call returns a
// fresh copy, so a test may change its copy (for instance lower PowLimit)
// without affecting anyone else.
type Params struct {
	// Name is the network's name: mainnet, testnet3, testnet4, signet,
	// regtest or devnet.
	Name string
	// Net is the network magic: mainnet's 0xd9b4bef9 is sent as f9 be b4 d9.
	Net wire.BitcoinNet
	// DefaultPort is the TCP port nodes listen on by default.
	DefaultPort uint16
	// DNSSeeds are host names that resolve to addresses of nodes.
	DNSSeeds []string

	// GenesisBlock is the whole first block, byte-exact.
	GenesisBlock *wire.MsgBlock
	// GenesisHash is GenesisBlock's hash.
	GenesisHash wire.Hash

	// PowLimit is the highest (easiest) target a block may have.
	PowLimit *big.Int
	// PowLimitBits is PowLimit in compact form (Core's
	// UintToArith256(powLimit).GetCompact()); minimum-difficulty blocks
	// carry exactly these bits.
	PowLimitBits uint32
	// TargetTimespan is the time one retarget interval should take.
	TargetTimespan time.Duration
	// TargetSpacing is the time one block should take.
	TargetSpacing time.Duration
	// RetargetInterval is the number of blocks between retargets,
	// TargetTimespan / TargetSpacing (2,016 on Bitcoin).
	RetargetInterval int32
	// RetargetAdjustmentFactor bounds each retarget: the measured timespan is
	// clamped to [TargetTimespan/factor, TargetTimespan*factor] (4 on Bitcoin).
	RetargetAdjustmentFactor int64
	// ReduceMinDifficulty enables the testnet rule: a block whose timestamp is
	// more than twice TargetSpacing after its parent's may carry
	// PowLimitBits (Core's fPowAllowMinDifficultyBlocks).
	ReduceMinDifficulty bool
	// MinDiffReductionTime is that "twice TargetSpacing": 20 minutes on
	// Bitcoin's test networks.
	MinDiffReductionTime time.Duration
	// PoWNoRetargeting keeps every block at its parent's bits (regtest).
	PoWNoRetargeting bool
	// EnforceBIP94 turns on testnet4's rules: a retarget scales the bits of
	// the period's first block, and the first block of a period may not be
	// more than MaxTimewarp older than its parent.
	EnforceBIP94 bool

	// BIP34Height, BIP66Height and BIP65Height are where block versions 2,
	// 3 and 4 became required; a header below the required version at or
	// above these heights is rejected (Core's bad-version).
	BIP34Height int32
	BIP66Height int32
	BIP65Height int32
	// CoinbaseMaturity is how many blocks a coinbase output must wait before
	// it can be spent.
	CoinbaseMaturity int32
	// SubsidyHalvingInterval is how many blocks pass between halvings of the
	// block reward.
	SubsidyHalvingInterval int32

	// Checkpoints lists known-good blocks by height, in increasing order.
	Checkpoints []Checkpoint
}

// MaxTimewarp is BIP94's bound: the first block of a retarget period may be
// at most this much older than its parent (Core's MAX_TIMEWARP).
const MaxTimewarp = 600 * time.Second

// ErrUnknownNetwork is returned by ParamsByName for a name it does not know.
var ErrUnknownNetwork = errors.New("chain: unknown network")

// ParamsByName returns the parameters of a network by its Params.Name.
// "bitcoin" and "main" are accepted for mainnet (bitcoin is the profile
// name), "test" for testnet3.
func ParamsByName(name string) (*Params, error) {
	switch strings.ToLower(name) {
	case "mainnet", "bitcoin", "main":
		return MainNetParams(), nil
	case "testnet3", "test":
		return TestNet3Params(), nil
	case "testnet4":
		return TestNet4Params(), nil
	case "signet":
		return SigNetParams(), nil
	case "regtest":
		return RegTestParams(), nil
	case "devnet":
		return DevNetParams(), nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownNetwork, name)
}

// NetworkNames lists the names ParamsByName accepts as Params.Name.
func NetworkNames() []string {
	return []string{"mainnet", "testnet3", "testnet4", "signet", "regtest", "devnet"}
}

// hexTarget parses a big-endian hex constant.
func targetConst(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("chain: bad constant target " + s) // constants only
	}
	return n
}

func hashConst(s string) wire.Hash {
	h, err := wire.NewHashFromStr(s)
	if err != nil {
		panic("chain: bad constant hash: " + err.Error()) // constants only
	}
	return h
}

// bitcoinPowLimit is 2^224-1, the limit of mainnet, testnet3 and testnet4.
const bitcoinPowLimit = "00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

// bitcoinTiming fills the retarget fields shared by Bitcoin's networks.
func bitcoinTiming(p *Params) {
	p.TargetTimespan = 14 * 24 * time.Hour
	p.TargetSpacing = 10 * time.Minute
	p.RetargetInterval = 2016
	p.RetargetAdjustmentFactor = 4
	p.MinDiffReductionTime = 20 * time.Minute
	p.CoinbaseMaturity = 100
	p.SubsidyHalvingInterval = 210_000
}

// MainNetParams returns Bitcoin mainnet's parameters.
func MainNetParams() *Params {
	p := &Params{
		Name:        "mainnet",
		Net:         wire.MainNet,
		DefaultPort: 8333,
		DNSSeeds: []string{
			"seed.bitcoin.sipa.be",
			"dnsseed.bluematt.me",
			"seed.bitcoinstats.com",
			"seed.bitcoin.jonasschnelli.ch",
			"seed.btc.petertodd.net",
			"seed.bitcoin.sprovoost.nl",
			"dnsseed.emzy.de",
			"seed.bitcoin.wiz.biz",
			"seed.mainnet.achownodes.xyz",
		},
		GenesisBlock: mainNetGenesis(),
		GenesisHash:  hashConst("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"),
		PowLimit:     targetConst(bitcoinPowLimit),
		PowLimitBits: 0x1d00ffff,
		BIP34Height:  227931,
		BIP66Height:  363725,
		BIP65Height:  388381,
		// Checkpoints from Bitcoin Core's historical list (removed from
		// Core in 2025 along with checkpoint enforcement; btcd keeps them).
		// The first two sit inside the headers fixture and are tested.
		Checkpoints: []Checkpoint{
			{11111, hashConst("0000000069e244f73d78e8fd29ba2fd2ed618bd6fa2ee92559f542fdb26e7c1d")},
			{33333, hashConst("000000002dd5588a74784eaa7ab0507a18ad16a236e7b1ce69f00d7ddfb5d0a6")},
			{74000, hashConst("0000000000573993a3c9e41ce34471c079dcf5f52a0e824a81e7f953b8661a20")},
			{105000, hashConst("00000000000291ce28027faea320c8d2b054b2e0fe44a773f3eefb151d6bdc97")},
			{134444, hashConst("00000000000005b12ffd4cd315cd34ffd4a594f430ac814c91184a0d42d2b0fe")},
			{168000, hashConst("000000000000099e61ea72015e79632f216fe6cb33d7899acb35b75c8303b763")},
			{193000, hashConst("000000000000059f452a5f7340de6682a977387c17010ff6e6c3bd83ca8b1317")},
			{210000, hashConst("000000000000048b95347e83192f69cf0366076336c639f9b7228e9ba171342e")},
			{216116, hashConst("00000000000001b4f4b433e81ee46494af945cf96014816a4e2370f11b23df4e")},
			{225430, hashConst("00000000000001c108384350f74090433e7fcf79a606b8e797f065b130575932")},
			{250000, hashConst("000000000000003887df1f29024b06fc2200b55f8af8f35453d7be294df2d214")},
			{279000, hashConst("0000000000000001ae8c72a0b0c301f67e3afca10e819efa9041e458e9bd7e40")},
			{295000, hashConst("00000000000000004d9b4ef50f0f9d686fd69db2e03af35a100370c64632a983")},
		},
	}
	bitcoinTiming(p)
	return p
}

// TestNet3Params returns Bitcoin testnet3's parameters: mainnet's limits
// with the 20-minute minimum-difficulty rule.
func TestNet3Params() *Params {
	p := &Params{
		Name:        "testnet3",
		Net:         wire.TestNet3,
		DefaultPort: 18333,
		DNSSeeds: []string{
			"testnet-seed.bitcoin.jonasschnelli.ch",
			"seed.tbtc.petertodd.net",
			"seed.testnet.bitcoin.sprovoost.nl",
			"testnet-seed.bluematt.me",
		},
		GenesisBlock:        testNet3Genesis(),
		GenesisHash:         hashConst("000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943"),
		PowLimit:            targetConst(bitcoinPowLimit),
		PowLimitBits:        0x1d00ffff,
		ReduceMinDifficulty: true,
		BIP34Height:         21111,
		BIP66Height:         330776,
		BIP65Height:         581885,
		Checkpoints: []Checkpoint{
			{546, hashConst("000000002a936ca763904c3c35fce2f3556c559c0214345d31b1bcebf76acb70")},
		},
	}
	bitcoinTiming(p)
	return p
}

// TestNet4Params returns Bitcoin testnet4's parameters (BIP94): testnet3's
// rules plus the timewarp fix and first-block retargeting.
func TestNet4Params() *Params {
	p := &Params{
		Name:        "testnet4",
		Net:         wire.TestNet4,
		DefaultPort: 48333,
		DNSSeeds: []string{
			"seed.testnet4.bitcoin.sprovoost.nl",
			"seed.testnet4.wiz.biz",
		},
		GenesisBlock:        testNet4Genesis(),
		GenesisHash:         hashConst("00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043"),
		PowLimit:            targetConst(bitcoinPowLimit),
		PowLimitBits:        0x1d00ffff,
		ReduceMinDifficulty: true,
		EnforceBIP94:        true,
		BIP34Height:         1,
		BIP66Height:         1,
		BIP65Height:         1,
	}
	bitcoinTiming(p)
	return p
}

// SigNetParams returns the default signet's parameters. Signet blocks also
// carry a signature from the signet challenge in the coinbase; that is a
// block-body rule and is not checked on headers.
func SigNetParams() *Params {
	p := &Params{
		Name: "signet",
		// The first four bytes of the double-SHA256 of the default
		// challenge script, as Core derives a signet's magic.
		Net:         wire.SigNet,
		DefaultPort: 38333,
		DNSSeeds: []string{
			"seed.signet.bitcoin.sprovoost.nl",
			"seed.signet.achownodes.xyz",
		},
		GenesisBlock: sigNetGenesis(),
		GenesisHash:  hashConst("00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6"),
		PowLimit:     targetConst("00000377ae000000000000000000000000000000000000000000000000000000"),
		PowLimitBits: 0x1e0377ae,
		BIP34Height:  1,
		BIP66Height:  1,
		BIP65Height:  1,
	}
	bitcoinTiming(p)
	return p
}

// RegTestParams returns Bitcoin regtest's parameters: the easiest possible
// limit, no retargeting.
func RegTestParams() *Params {
	p := &Params{
		Name:                "regtest",
		Net:                 wire.RegTest,
		DefaultPort:         18444,
		GenesisBlock:        regTestGenesis(),
		GenesisHash:         hashConst("0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206"),
		PowLimit:            targetConst("7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
		PowLimitBits:        0x207fffff,
		ReduceMinDifficulty: true,
		PoWNoRetargeting:    true,
		BIP34Height:         1,
		BIP66Height:         1,
		BIP65Height:         1,
	}
	bitcoinTiming(p)
	p.SubsidyHalvingInterval = 150
	return p
}

// init names the devnet magic in the wire package's registry, so that
// envelopes of the devnet are shown by name. The registry is only a table of
// names for display; the pair cannot clash with Bitcoin's built-in ones.
func init() {
	_ = wire.RegisterNet(DevNetMagic, "devnet")
}

// Devnet constants. The magic is the ASCII bytes "LNET" as sent on the wire
// (4c 4e 45 54), which as a little-endian uint32 is 0x54454e4c. The port,
// 30777, sits next to Ethereum's 30303 range and far from Bitcoin's ports.
const (
	DevNetMagic wire.BitcoinNet = 0x54454e4c
	DevNetPort  uint16          = 30777
	// devnetPowLimitBits encodes 0x000fffff·2^224 (one hash in 4,096 meets
	// it): a 2-core machine mines hundreds of blocks per second at the
	// limit, so tests never wait on proof of work.
	devnetPowLimitBits = 0x1f0fffff
	devnetPowLimit     = "000fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
)

// DevNetParams returns the parameters of ledgernet's own open network: a
// block every 5 seconds, a retarget every 60 blocks (5 minutes) with
// Bitcoin's 4× clamp, no minimum-difficulty exception, and an easy limit.
// Every block from height 1 must have version 4 or more.
func DevNetParams() *Params {
	return &Params{
		Name:                     "devnet",
		Net:                      DevNetMagic,
		DefaultPort:              DevNetPort,
		GenesisBlock:             devNetGenesis(),
		GenesisHash:              hashConst(devnetGenesisHash),
		PowLimit:                 targetConst(devnetPowLimit),
		PowLimitBits:             devnetPowLimitBits,
		TargetTimespan:           5 * time.Minute,
		TargetSpacing:            5 * time.Second,
		RetargetInterval:         60,
		RetargetAdjustmentFactor: 4,
		MinDiffReductionTime:     10 * time.Second,
		BIP34Height:              1,
		BIP66Height:              1,
		BIP65Height:              1,
		// Short, so that a devnet's coinbase outputs become spendable within
		// a couple of minutes.
		CoinbaseMaturity:       20,
		SubsidyHalvingInterval: 210_000,
	}
}

// devnetGenesisHash pins the devnet genesis block mined offline.
const devnetGenesisHash = "000dda016c5691027807aefff7522370b5622d6d5a82ecbf5d0706a13169740c"
