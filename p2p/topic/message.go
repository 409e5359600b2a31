package topic

import (
	"encoding/hex"
	"fmt"
	"slices"
	"unicode/utf8"

	"golang.org/x/crypto/sha3"

	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/originsig"
	"github.com/ledgernet/ledgernet/rlp"
)

// Protocol name, version and codes.
const (
	Name    = "topic"
	Version = 1
	// TopicMsg is the protocol's only message.
	TopicMsg = 0
	Length   = 1
)

// Commands is the envelope command of each code, for package tlsconn.
var Commands = []string{"topicmsg"}

// Limits.
const (
	// DefaultMaxPayload caps a payload unless Config.MaxPayload says
	// otherwise; go-libp2p-pubsub's default too.
	DefaultMaxPayload = 1 << 20
	// MaxTopicLen is the longest topic name, as in package status.
	MaxTopicLen = 128
	// MaxTopics is the most topics a node may follow (status.MaxTopics).
	MaxTopics = 256
	// MaxHops caps the hop limit a message may carry; more is lowered to
	// it, so that a peer cannot make a message circulate longer.
	MaxHops = 64
	// maxOverhead bounds a message's encoding beyond its payload: the
	// fields, the signature and the RLP headers.
	maxOverhead = 512
)

// Kind is how a message is addressed.
type Kind uint8

const (
	// Unicast goes to one node by ID.
	Unicast Kind = 1
	// Multicast goes to every node subscribed to a topic.
	Multicast Kind = 2
	// Broadcast goes to every node.
	Broadcast Kind = 3
)

func (k Kind) String() string {
	switch k {
	case Unicast:
		return "unicast"
	case Multicast:
		return "multicast"
	case Broadcast:
		return "broadcast"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// MsgID identifies a message together with its origin: 16 random bytes
// chosen by the origin.
type MsgID [16]byte

func (id MsgID) String() string { return hex.EncodeToString(id[:]) }

// MarshalText encodes the ID as hex.
func (id MsgID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// Message is a topic/1 message.
//
//	[kind, origin, id, hops, target, payload, sig]
//
// target is the destination node ID (32 bytes) for Unicast, the topic for
// Multicast, empty for Broadcast. hops is the number of hops the message
// may still travel: at least 1 on the wire, lowered by each relay, never
// signed. sig is the origin's signature (package originsig) of Digest, or
// empty.
type Message struct {
	Kind    Kind
	Origin  enode.ID
	ID      MsgID
	Hops    uint8
	Dest    enode.ID // Unicast
	Topic   string   // Multicast
	Payload []byte
	Sig     []byte
}

// key is the deduplication key: origin and ID. A relay cannot change it
// without breaking the signature, and another origin cannot claim it.
type key [48]byte

func (m *Message) key() key {
	var k key
	copy(k[:32], m.Origin[:])
	copy(k[32:], m.ID[:])
	return k
}

const digestPrefix = "ledgernet/topic/1\x00"

// Digest is what the origin signs: keccak-256 of the prefix and the RLP
// list [kind, origin, id, target, payload] (every field but hops and sig).
func (m *Message) Digest() [32]byte {
	var d [32]byte
	h := sha3.NewLegacyKeccak256()
	h.Write([]byte(digestPrefix))
	// Headers are written apart so that the payload is hashed where it
	// is, not copied.
	var head []byte
	head = rlp.AppendUint(head, uint64(m.Kind))
	head = rlp.AppendBytes(head, m.Origin[:])
	head = rlp.AppendBytes(head, m.ID[:])
	head = appendTarget(head, m)
	var ph []byte // the payload's string header; none for one byte below 0x80
	if p := m.Payload; len(p) != 1 || p[0] >= 0x80 {
		ph = rlp.AppendStringHeader(nil, len(p))
	}
	h.Write(rlp.AppendListHeader(nil, len(head)+len(ph)+len(m.Payload)))
	h.Write(head)
	h.Write(ph)
	h.Write(m.Payload)
	h.Sum(d[:0])
	return d
}

func appendTarget(b []byte, m *Message) []byte {
	switch m.Kind {
	case Unicast:
		return rlp.AppendBytes(b, m.Dest[:])
	case Multicast:
		return rlp.AppendString(b, m.Topic)
	}
	return rlp.AppendBytes(b, nil)
}

// encode returns the message's encoding.
func (m *Message) encode() []byte {
	b := make([]byte, 0, len(m.Payload)+len(m.Sig)+128)
	b, start := rlp.StartList(b)
	b = rlp.AppendUint(b, uint64(m.Kind))
	b = rlp.AppendBytes(b, m.Origin[:])
	b = rlp.AppendBytes(b, m.ID[:])
	b = rlp.AppendUint(b, uint64(m.Hops))
	b = appendTarget(b, m)
	b = rlp.AppendBytes(b, m.Payload)
	b = rlp.AppendBytes(b, m.Sig)
	return rlp.EndList(b, start)
}

// decodeMessage decodes b, whose length the caller has checked against
// maxPayload+maxOverhead. The result aliases b. A zero hop limit decodes
// but returns ErrHopLimit with the message, so the caller can count it.
func decodeMessage(b []byte, maxPayload int) (*Message, error) {
	s, err := rlp.NewListStream(b)
	if err != nil {
		return nil, malformed(err)
	}
	m := new(Message)
	kind, err := s.Uint8()
	if err != nil {
		return nil, malformed(err)
	}
	m.Kind = Kind(kind)
	if m.Kind < Unicast || m.Kind > Broadcast {
		return nil, malformed(fmt.Errorf("kind %d", kind))
	}
	origin, err := s.Bytes()
	if err != nil || len(origin) != len(m.Origin) {
		return nil, malformed(fmt.Errorf("origin: %d bytes, %v", len(origin), err))
	}
	copy(m.Origin[:], origin)
	id, err := s.Bytes()
	if err != nil || len(id) != len(m.ID) {
		return nil, malformed(fmt.Errorf("id: %d bytes, %v", len(id), err))
	}
	copy(m.ID[:], id)
	if m.Hops, err = s.Uint8(); err != nil {
		return nil, malformed(fmt.Errorf("hops: %v", err))
	}
	target, err := s.Bytes()
	if err != nil {
		return nil, malformed(fmt.Errorf("target: %v", err))
	}
	switch m.Kind {
	case Unicast:
		if len(target) != len(m.Dest) {
			return nil, malformed(fmt.Errorf("destination of %d bytes", len(target)))
		}
		copy(m.Dest[:], target)
	case Multicast:
		if err := checkTopic(string(target)); err != nil {
			return nil, malformed(err)
		}
		m.Topic = string(target)
	case Broadcast:
		if len(target) != 0 {
			return nil, malformed(fmt.Errorf("broadcast with a target of %d bytes", len(target)))
		}
	}
	// The payload's size is checked before the caller copies it.
	if m.Payload, err = s.Bytes(); err != nil {
		return nil, malformed(fmt.Errorf("payload: %v", err))
	}
	if len(m.Payload) > maxPayload {
		return nil, fmt.Errorf("%w: payload of %d bytes, limit %d", ErrTooLarge, len(m.Payload), maxPayload)
	}
	if m.Sig, err = s.Bytes(); err != nil {
		return nil, malformed(fmt.Errorf("sig: %v", err))
	}
	if len(m.Sig) > originsig.MaxSize {
		return nil, malformed(fmt.Errorf("signature of %d bytes", len(m.Sig)))
	}
	if len(m.Sig) == 0 {
		m.Sig = nil
	}
	if err := s.End(); err != nil {
		return nil, malformed(err)
	}
	if m.Hops == 0 {
		return m, ErrHopLimit
	}
	return m, nil
}

func malformed(err error) error { return fmt.Errorf("%w: %v", ErrMalformed, err) }

func checkTopic(t string) error {
	if len(t) == 0 || len(t) > MaxTopicLen || !utf8.ValidString(t) {
		return fmt.Errorf("%w: %d bytes (1 to %d of UTF-8)", ErrInvalidTopic, len(t), MaxTopicLen)
	}
	return nil
}

// detach copies what a message aliases, for keeping it beyond the read.
func (m *Message) detach() {
	m.Payload = slices.Clone(m.Payload)
	if m.Payload == nil {
		m.Payload = []byte{}
	}
	m.Sig = slices.Clone(m.Sig)
}
