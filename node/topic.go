package node

import (
	"context"
	"errors"
	"fmt"

	"github.com/ledgernet/ledgernet/api"
	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/topic"
)

// follow subscribes the node to t for its whole life (a topic of the
// config): the node then announces t in its status record and delivers
// its messages, which a goroutine counts and drops unless someone else
// subscribed too.
func (n *Node) follow(t string) error {
	ch, _, err := n.topic.Subscribe(t)
	if err != nil {
		return fmt.Errorf("node: topic %q: %w", t, err)
	}
	log := n.logger("topic")
	n.subs.Go(func() {
		for d := range ch { // closed by topic.Close
			log.Debug("Topic message", "topic", d.Topic, "origin", d.Origin.TerminalString(), "bytes", len(d.Payload))
		}
	})
	return nil
}

// TopicService returns the topic service (topic/1), nil on the Bitcoin
// profiles.
func (n *Node) TopicService() *topic.Service { return n.topic }

// TopicDropped counts the messages API subscribers were too slow to take.
func (n *Node) TopicDropped() uint64 { return n.apiDropped.Load() }

// Send implements api.Backend: a unicast to a node by ID.
func (n *Node) Send(_ context.Context, nodeID string, payload []byte) error {
	if err := n.readyTopics(); err != nil {
		return err
	}
	id, err := enode.ParseID(nodeID)
	if err != nil {
		return fmt.Errorf("%w: node ID: %v", api.ErrInvalid, err)
	}
	_, err = n.topic.Send(id, payload)
	return topicError(err)
}

// Publish implements api.Backend: a multicast to a topic's subscribers.
func (n *Node) Publish(_ context.Context, t string, payload []byte) error {
	if err := n.readyTopics(); err != nil {
		return err
	}
	_, err := n.topic.Publish(t, payload)
	return topicError(err)
}

// Broadcast implements api.Backend: a message to every node.
func (n *Node) Broadcast(_ context.Context, payload []byte) error {
	if err := n.readyTopics(); err != nil {
		return err
	}
	_, err := n.topic.Broadcast(payload)
	return topicError(err)
}

// Subscribe implements api.Backend: the messages of a topic until cancel
// (or until the node stops), with the node's stream caps and byte budgets
// (APIStreamLimits): a slow reader loses its oldest messages, counted in
// TopicDropped.
func (n *Node) Subscribe(_ context.Context, t string) (<-chan api.Message, func(), error) {
	if err := n.readyTopics(); err != nil {
		return nil, nil, err
	}
	return n.apiSubs.subscribe(t)
}

func (n *Node) readyTopics() error {
	if err := n.ready(); err != nil {
		return err
	}
	if n.topic == nil {
		return ErrNoTopics
	}
	return nil
}

// topicError maps the topic service's errors to the API's.
func topicError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, topic.ErrUnreachable), errors.Is(err, topic.ErrNoSubscribers):
		return fmt.Errorf("%w: %v", api.ErrNotFound, err)
	case errors.Is(err, topic.ErrInvalidTopic), errors.Is(err, topic.ErrPayloadTooLarge):
		return fmt.Errorf("%w: %v", api.ErrInvalid, err)
	case errors.Is(err, topic.ErrNoPeers), errors.Is(err, topic.ErrClosed):
		return fmt.Errorf("%w: %v", api.ErrNotReady, err)
	}
	return err
}
