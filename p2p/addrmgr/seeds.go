package addrmgr

import (
	"context"
	"crypto/sha256"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/ledgernet/ledgernet/chain"
	"github.com/ledgernet/ledgernet/wire"
)

// Resolver looks up the addresses of a host name (*net.Resolver has it).
// Tests pass a fake, so they never touch DNS.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// seedServices is what a DNS seed's answers are assumed to offer (btcd).
const seedServices = wire.SFNodeNetwork | wire.SFNodeWitness

// SeedFromDNS resolves each of hosts (a profile's chain.Params.DNSSeeds) and
// adds the answers on port with a random age of three to seven days, as
// btcd does, so that they rank below addresses heard from live peers. It
// returns how many addresses were new; failed lookups are logged and
// skipped.
func (m *Manager) SeedFromDNS(ctx context.Context, r Resolver, hosts []string, port uint16) int {
	total := 0
	for _, host := range hosts {
		ips, err := r.LookupNetIP(ctx, "ip", host)
		if err != nil {
			m.log.Debug("DNS seed failed", "host", host, "err", err)
			continue
		}
		now := m.cfg.Clock.Now()
		addrs := make([]wire.NetAddress, 0, len(ips))
		for _, ip := range ips {
			age := 3*24*time.Hour + time.Duration(rand.Int64N(int64(4*24*time.Hour)))
			addrs = append(addrs, wire.NetAddress{Timestamp: uint32(now.Add(-age).Unix()), Services: seedServices, IP: ip.Unmap(), Port: port})
		}
		// The seed's own name stands for the source: its answers share
		// bucket groups, as one source's should.
		n := m.Add(addrs, seedSource(host))
		m.log.Info("DNS seed", "host", host, "addrs", len(ips), "new", n)
		total += n
	}
	return total
}

// seedSource maps a seed host name to a stable pseudo-address whose /32
// group depends on the name, for bucketing only: each seed's answers share
// one source group, as one peer's would.
func seedSource(host string) netip.Addr {
	sum := sha256.Sum256([]byte(host))
	var b [16]byte
	b[0], b[1], b[2], b[3] = 0x3f, 0xfe, sum[0], sum[1]
	return netip.AddrFrom16(b)
}

// fixedSeeds holds, per profile, addresses to try when DNS seeding yields
// nothing (Core's chainparamsseeds.h). The lists are empty until a source
// we can vouch for fills them; Config of the node can give its own.
var fixedSeeds = map[string][]netip.AddrPort{
	"mainnet":  nil,
	"testnet3": nil,
	"testnet4": nil,
	"signet":   nil,
	"regtest":  nil, // regtest nodes are always given explicitly
	"devnet":   nil,
}

// FixedSeeds returns the fixed seed addresses of p's network.
func FixedSeeds(p *chain.Params) []netip.AddrPort {
	return append([]netip.AddrPort(nil), fixedSeeds[p.Name]...)
}

// AddFixedSeeds adds seeds as addresses heard of a week ago, so that any
// address from a live peer ranks above them.
func (m *Manager) AddFixedSeeds(seeds []netip.AddrPort) int {
	now := m.cfg.Clock.Now()
	addrs := make([]wire.NetAddress, 0, len(seeds))
	for _, ap := range seeds {
		addrs = append(addrs, wire.NetAddress{Timestamp: uint32(now.Add(-7 * 24 * time.Hour).Unix()), Services: seedServices, IP: ap.Addr().Unmap(), Port: ap.Port()})
	}
	return m.Add(addrs, seedSource("fixed"))
}
