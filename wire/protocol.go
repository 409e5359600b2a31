package wire

import (
	"strconv"
	"strings"
)

// Protocol versions. A peer's negotiated version (the lower of both sides')
// decides which fields some messages carry; the names follow Bitcoin Core's
// version.h and btcd.
const (
	// ProtocolVersion is the newest version this package speaks (addrv2 and
	// wtxidrelay, as Bitcoin Core since 0.21).
	ProtocolVersion uint32 = 70016

	// MultipleAddressVersion is the first version that may send more than
	// one address in an addr message.
	MultipleAddressVersion uint32 = 209
	// NetAddressTimeVersion is the first version whose addr entries carry a
	// timestamp (Core's CADDR_TIME_VERSION).
	NetAddressTimeVersion uint32 = 31402
	// BIP0031Version is the last version BEFORE ping carried a nonce and pong
	// existed: the nonce is present only when pver > BIP0031Version (Core's
	// and btcd's test, which BIP31 words as "after 60000").
	BIP0031Version uint32 = 60000
	// BIP0035Version is the first version with the mempool message.
	BIP0035Version uint32 = 60002
	// BIP0037Version is the first version with bloom filters and the relay
	// flag at the end of version.
	BIP0037Version uint32 = 70001
	// SendHeadersVersion is the first version with sendheaders (BIP130).
	SendHeadersVersion uint32 = 70012
	// FeeFilterVersion is the first version with feefilter (BIP133).
	FeeFilterVersion uint32 = 70013
	// SendCmpctVersion is the first version with compact blocks (BIP152;
	// Core's SHORT_IDS_BLOCKS_VERSION).
	SendCmpctVersion uint32 = 70014
	// AddrV2Version is the first version with sendaddrv2/addrv2 (BIP155).
	AddrV2Version uint32 = 70016
	// WTxIDRelayVersion is the first version with wtxidrelay (BIP339).
	WTxIDRelayVersion uint32 = 70016
)

// ServiceFlag is the bit field of services a node offers, sent in version and
// in every address record.
type ServiceFlag uint64

// Service bits (Bitcoin Core's protocol.h).
const (
	// SFNodeNetwork: serves the full block chain.
	SFNodeNetwork ServiceFlag = 1 << 0
	// SFNodeGetUTXO: BIP64 getutxo (obsolete).
	SFNodeGetUTXO ServiceFlag = 1 << 1
	// SFNodeBloom: BIP111 bloom-filtered connections.
	SFNodeBloom ServiceFlag = 1 << 2
	// SFNodeWitness: BIP144 witness data.
	SFNodeWitness ServiceFlag = 1 << 3
	// SFNodeCompactFilters: BIP157/158 compact block filters.
	SFNodeCompactFilters ServiceFlag = 1 << 6
	// SFNodeNetworkLimited: BIP159, serves the last 288 blocks.
	SFNodeNetworkLimited ServiceFlag = 1 << 10
	// SFNodeP2PV2: BIP324 v2 transport.
	SFNodeP2PV2 ServiceFlag = 1 << 11
)

var serviceNames = []struct {
	flag ServiceFlag
	name string
}{
	{SFNodeNetwork, "SFNodeNetwork"},
	{SFNodeGetUTXO, "SFNodeGetUTXO"},
	{SFNodeBloom, "SFNodeBloom"},
	{SFNodeWitness, "SFNodeWitness"},
	{SFNodeCompactFilters, "SFNodeCompactFilters"},
	{SFNodeNetworkLimited, "SFNodeNetworkLimited"},
	{SFNodeP2PV2, "SFNodeP2PV2"},
}

// Has reports whether every bit of want is set in f.
func (f ServiceFlag) Has(want ServiceFlag) bool { return f&want == want }

// String lists the named bits joined by "|", followed by any unnamed bits in
// hex, e.g. "SFNodeNetwork|SFNodeWitness|0x1000". Zero is "0x0".
func (f ServiceFlag) String() string {
	if f == 0 {
		return "0x0"
	}
	var parts []string
	rest := f
	for _, s := range serviceNames {
		if rest&s.flag != 0 {
			parts = append(parts, s.name)
			rest &^= s.flag
		}
	}
	if rest != 0 {
		parts = append(parts, "0x"+strconv.FormatUint(uint64(rest), 16))
	}
	return strings.Join(parts, "|")
}
