package rlpx

import (
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ledgernet/ledgernet/internal/fixtures"
)

// hexBytes is a hex string in the fixture JSON.
type hexBytes []byte

func (h *hexBytes) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := hex.DecodeString(s)
	*h = v
	return err
}

type packetVector struct {
	Name        string     `json:"name"`
	Format      string     `json:"format"`
	Ciphertext  hexBytes   `json:"ciphertext_hex"`
	Size        int        `json:"size"`
	Version     uint64     `json:"expected_version"`
	ExtraRLP    []hexBytes `json:"expected_extra_list_elements_rlp"`
	Signature   hexBytes   `json:"expected_signature"`
	DecryptWith string     `json:"decrypt_with"`
}

// eip8Fixture is testdata/eth/rlpx_eip8_handshake.json: the EIP-8
// test vectors.
type eip8Fixture struct {
	Keys struct {
		StaticA    hexBytes `json:"static_private_key_a"`
		StaticB    hexBytes `json:"static_private_key_b"`
		EphemeralA hexBytes `json:"ephemeral_private_key_a"`
		EphemeralB hexBytes `json:"ephemeral_private_key_b"`
		NonceA     hexBytes `json:"nonce_a"`
		NonceB     hexBytes `json:"nonce_b"`
	} `json:"keys"`
	Auth    []packetVector `json:"auth_packets"`
	Ack     []packetVector `json:"ack_packets"`
	Secrets struct {
		Auth       string   `json:"auth"`
		Ack        string   `json:"ack"`
		AES        hexBytes `json:"aes_secret"`
		MAC        hexBytes `json:"mac_secret"`
		IngressFoo hexBytes `json:"ingress_mac_after_foo"`
	} `json:"derived_secrets_b"`
	Hello struct {
		RLP      hexBytes `json:"rlp_hex"`
		Expected struct {
			Version    uint64     `json:"p2p_version"`
			ClientID   string     `json:"client_id"`
			Caps       [][]any    `json:"capabilities"`
			ListenPort uint64     `json:"listen_port"`
			NodeID     hexBytes   `json:"node_id"`
			ExtraRLP   []hexBytes `json:"extra_list_elements_rlp"`
		} `json:"expected"`
	} `json:"devp2p_hello_eip8"`
	Pub struct {
		StaticA    hexBytes `json:"static_a"`
		StaticB    hexBytes `json:"static_b"`
		EphemeralA hexBytes `json:"ephemeral_a"`
		EphemeralB hexBytes `json:"ephemeral_b"`
	} `json:"public_keys_uncompressed_64"`
}

// loadEIP8 reads the EIP-8 fixture and fails the test when it is missing: the
// vectors are the only outside check of the wire format, so they must never
// be skipped silently.
func loadEIP8(tb testing.TB) *eip8Fixture {
	tb.Helper()
	const p = "eth/rlpx_eip8_handshake.json"
	b := fixtures.Read(tb, p)
	f := new(eip8Fixture)
	if err := json.Unmarshal(b, f); err != nil {
		tb.Fatalf("fixture %s: %v", p, err)
	}
	if len(f.Keys.StaticA) != 32 || len(f.Auth) == 0 || len(f.Ack) == 0 {
		tb.Fatalf("fixture %s: unexpected content", p)
	}
	return f
}

func (f *eip8Fixture) packet(tb testing.TB, list []packetVector, name string) packetVector {
	tb.Helper()
	for _, v := range list {
		if v.Name == name {
			return v
		}
	}
	tb.Fatalf("fixture has no packet %q", name)
	return packetVector{}
}

func privKey(b []byte) *secp256k1.PrivateKey { return secp256k1.PrivKeyFromBytes(b) }
