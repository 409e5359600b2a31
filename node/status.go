package node

import (
	"crypto"
	"fmt"
	"time"

	"github.com/ledgernet/ledgernet/chain/store"
	"github.com/ledgernet/ledgernet/p2p/certs"
	"github.com/ledgernet/ledgernet/p2p/originsig"
	"github.com/ledgernet/ledgernet/p2p/status"
	"github.com/ledgernet/ledgernet/p2p/topic"
	"github.com/ledgernet/ledgernet/wire"
)

// startMessaging makes the status service (status/1: the node's record,
// its tip following the chain state's tip events) and the topic service
// (topic/1), both signing with the node key (devnet) or the certificate's
// key (permissioned). The node follows the topics of the config.
func (n *Node) startMessaging() error {
	var (
		signer originsig.Signer
		policy = originsig.Require
		err    error
	)
	if n.key != nil {
		signer = originsig.NewSecp256k1Signer(n.key)
	} else {
		// Permissioned: every peer is a certified member, so unsigned
		// records are accepted; ours are signed all the same.
		nc, err := certs.LoadNode(n.cfg.Certs)
		if err != nil {
			return fmt.Errorf("node: %w", err)
		}
		key, ok := nc.Certificate.PrivateKey.(crypto.Signer)
		if !ok {
			return fmt.Errorf("node: %s: the node key cannot sign", n.cfg.Certs)
		}
		if signer, err = originsig.NewCertSigner(key); err != nil {
			return fmt.Errorf("node: %w", err)
		}
		policy = originsig.Optional
	}
	tip := n.store.Tip()
	n.status, err = status.New(status.Config{
		Signer:     signer,
		Signatures: policy,
		Height:     uint64(tip.Height),
		Hash:       tip.Hash,
		Topics:     n.cfg.Topics,
		Services:   uint64(wire.SFNodeNetwork),
		Interval:   time.Duration(n.cfg.StatusInterval),
		Logger:     n.logger("status"),
	})
	if err != nil {
		return fmt.Errorf("node: status: %w", err)
	}
	st := n.status
	n.unsubs = append(n.unsubs, n.store.Subscribe(func(ev store.Event) {
		if ev.Kind == store.EventTipChanged {
			st.SetTip(uint64(ev.Height), ev.Hash) // ErrClosed once stopping: nothing to tell
		}
	}))
	// A tip that moved between Tip and Subscribe.
	if t := n.store.Tip(); t.Hash != tip.Hash {
		st.SetTip(uint64(t.Height), t.Hash)
	}
	n.topic, err = topic.New(topic.Config{
		Signer:        signer,
		Signatures:    policy,
		Directory:     st,
		TopicsChanged: func(ts []string) { st.SetTopics(ts) },
		Logger:        n.logger("topic"),
	})
	if err != nil {
		return fmt.Errorf("node: topic: %w", err)
	}
	limits := n.opts.APIStreams
	limits.minimumBytes = topic.DefaultMaxPayload
	n.apiSubs = newAPISubs(n, limits)
	n.metrics.WatchAPIStreamBytes(n.apiSubs.queuedBytes)
	for _, t := range n.cfg.Topics {
		if err := n.follow(t); err != nil {
			return err
		}
	}
	return nil
}

// StatusService returns the status service, nil on the Bitcoin profiles.
func (n *Node) StatusService() *status.Service { return n.status }
