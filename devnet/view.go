package devnet

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ledgernet/ledgernet/api"
)

// viewLoop draws the live view every Config.Refresh until ctx ends.
func (r *run) viewLoop(ctx context.Context) {
	t := time.NewTicker(r.cfg.Refresh)
	defer t.Stop()
	r.draw(false)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			r.notePeers()
			r.draw(false)
		}
	}
}

// nodeRow is one line of the live view.
type nodeRow struct {
	name, id        string
	miner           bool
	peers           int
	height          int32
	tip             string
	mempool         int
	msgsIn, msgsOut uint64
}

func (r *run) rows() []nodeRow {
	r.mu.Lock()
	ms := r.members
	r.mu.Unlock()
	rows := make([]nodeRow, 0, len(ms))
	for _, m := range ms {
		tip := m.n.Store().Tip()
		in, out := m.n.MsgCounts()
		row := nodeRow{
			name: m.name, id: m.n.ID().TerminalString(), miner: m.miner, peers: m.n.PeerCount(),
			height: tip.Height, tip: short(tip.Hash), msgsIn: in, msgsOut: out,
		}
		if p := m.n.Pool(); p != nil {
			row.mempool = p.Count()
		}
		rows = append(rows, row)
	}
	return rows
}

// draw writes the view: in place on a terminal (the previous view is
// overwritten), as a new block otherwise. final draws the last one.
func (r *run) draw(final bool) {
	var b strings.Builder
	rows := r.rows()
	r.mu.Lock()
	phase := r.phase
	elapsed := time.Since(r.start).Truncate(time.Second)
	sent, confirmed := len(r.stats.txs), 0
	for _, ok := range r.stats.txs {
		if ok {
			confirmed++
		}
	}
	published, want, got := len(r.stats.msgs), 0, 0
	for _, d := range r.stats.msgs {
		want += len(d.want)
		got += d.got
	}
	r.mu.Unlock()
	if r.cfg.TTY && r.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", r.drawn) // back to the top of the previous view
	}
	lines := 0
	line := func(format string, a ...any) {
		if r.cfg.TTY {
			b.WriteString("\x1b[2K") // clear the old line
		}
		fmt.Fprintf(&b, format+"\n", a...)
		lines++
	}
	dur := "until Ctrl-C"
	if r.cfg.Duration > 0 {
		dur = r.cfg.Duration.String()
	}
	line("ledgernet devnet: %d nodes over %s, %d miner(s), seed %d — %s, %v of %s", len(rows), r.cfg.Transport, r.cfg.Miners, r.cfg.Seed, phase, elapsed, dur)
	line("%-4s %-16s %5s %7s %-12s %7s %9s %9s", "node", "id", "peers", "height", "tip", "mempool", "msgs in", "msgs out")
	for _, row := range rows {
		name := row.name
		if row.miner {
			name += "*"
		}
		line("%-4s %-16s %5d %7d %-12s %7d %9d %9d", name, row.id, row.peers, row.height, row.tip, row.mempool, row.msgsIn, row.msgsOut)
	}
	line("transactions: %d sent, %d confirmed; topic messages: %d published, %d of %d deliveries (* mines)", sent, confirmed, published, got, want)
	if r.cfg.TTY {
		r.drawn = lines
	} else if !final {
		b.WriteString("\n")
	}
	io.WriteString(r.cfg.Out, b.String())
}

// network is node 0's API network view: every node of the run, and the
// links between them.
func (r *run) network(context.Context) (api.NetworkInfo, error) {
	r.mu.Lock()
	ms := r.members
	r.mu.Unlock()
	ni := api.NetworkInfo{Nodes: []api.NetworkNode{}, Links: []api.NetworkLink{}}
	seen := map[[2]string]bool{}
	for i, m := range ms {
		nn := m.n.NetworkNode()
		nn.Name = m.name
		nn.Self = i == 0
		ni.Nodes = append(ni.Nodes, nn)
		if i == 0 {
			ni.MsgInRate, ni.MsgOutRate = nn.MsgInRate, nn.MsgOutRate
		}
		for _, p := range m.n.PeersInfo() {
			a, b := nn.ID, p.ID
			if a > b {
				a, b = b, a
			}
			if seen[[2]string{a, b}] {
				continue
			}
			seen[[2]string{a, b}] = true
			ni.Links = append(ni.Links, api.NetworkLink{From: nn.ID, To: p.ID, Transport: p.Transport})
		}
	}
	return ni, nil
}

// Summary is how a run ended.
type Summary struct {
	Seed      uint64
	Transport string
	Duration  time.Duration
	Nodes     []NodeSummary
	// Converged: every node on the same tip beyond genesis, and every node
	// had a peer. Reasons says what failed when it did not.
	Converged bool
	Reasons   []string
	// Height and Tip are node 0's.
	Height int32
	Tip    string

	TxSent, TxConfirmed, TxFailed int
	MsgsPublished                 int
	Deliveries, DeliveriesWanted  int
	DuplicateDeliveries           int
}

// NodeSummary is one node at the end of a run.
type NodeSummary struct {
	Name, ID string
	Height   int32
	Tip      string
	Peers    int
	HadPeer  bool
}

func (r *run) summary() *Summary {
	ok, why := r.converged()
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &Summary{Seed: r.cfg.Seed, Transport: r.cfg.Transport, Duration: time.Since(r.start).Truncate(time.Second), Converged: ok, Reasons: why}
	for _, m := range r.members {
		tip := m.n.Store().Tip()
		s.Nodes = append(s.Nodes, NodeSummary{Name: m.name, ID: m.n.ID().String(), Height: tip.Height, Tip: tip.Hash.String(), Peers: m.n.PeerCount(), HadPeer: m.hadPeer})
	}
	s.Height, s.Tip = s.Nodes[0].Height, s.Nodes[0].Tip
	s.TxSent, s.TxFailed = len(r.stats.txs), r.stats.txFailed
	for _, c := range r.stats.txs {
		if c {
			s.TxConfirmed++
		}
	}
	s.MsgsPublished = len(r.stats.msgs)
	for _, d := range r.stats.msgs {
		s.DeliveriesWanted += len(d.want)
		s.Deliveries += d.got
	}
	s.DuplicateDeliveries = r.stats.duplicates
	return s
}

// Write prints the summary.
func (s *Summary) Write(w io.Writer) {
	fmt.Fprintf(w, "\nsummary (seed %d, %s, %v):\n", s.Seed, s.Transport, s.Duration)
	same := 0
	minPeers, maxPeers := -1, 0
	for _, n := range s.Nodes {
		if n.Tip == s.Tip {
			same++
		}
		if minPeers < 0 || n.Peers < minPeers {
			minPeers = n.Peers
		}
		maxPeers = max(maxPeers, n.Peers)
	}
	if same == len(s.Nodes) {
		fmt.Fprintf(w, "  tips:         all %d nodes at height %d, tip %s\n", len(s.Nodes), s.Height, s.Tip)
	} else {
		fmt.Fprintf(w, "  tips:         %d of %d nodes at height %d, tip %s; not:\n", same, len(s.Nodes), s.Height, s.Tip)
		for _, n := range s.Nodes {
			if n.Tip != s.Tip {
				fmt.Fprintf(w, "                  %s at height %d, tip %s\n", n.Name, n.Height, n.Tip)
			}
		}
	}
	fmt.Fprintf(w, "  peers:        %d to %d per node at the end\n", max(minPeers, 0), maxPeers)
	fmt.Fprintf(w, "  transactions: %d sent, %d confirmed", s.TxSent, s.TxConfirmed)
	if s.TxFailed > 0 {
		fmt.Fprintf(w, ", %d refused", s.TxFailed)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  topic msgs:   %d published, %d of %d deliveries made", s.MsgsPublished, s.Deliveries, s.DeliveriesWanted)
	if s.DuplicateDeliveries > 0 {
		fmt.Fprintf(w, ", %d duplicates", s.DuplicateDeliveries)
	}
	fmt.Fprintln(w)
	if s.Converged {
		fmt.Fprintln(w, "converged: yes")
		return
	}
	fmt.Fprintln(w, "converged: NO")
	for _, why := range s.Reasons {
		fmt.Fprintf(w, "  - %s\n", why)
	}
}
