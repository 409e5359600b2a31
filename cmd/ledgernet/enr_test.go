package main

import (
	"encoding/base64"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/ledgernet/ledgernet/p2p/enode"
	"github.com/ledgernet/ledgernet/p2p/enr"
)

const eip778Text = "enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8"

func TestENRDecodeExample(t *testing.T) {
	out, err := runKeyCLI(t, "enr", "decode", eip778Text)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		"seq:       1\n",
		"node ID:   a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7\n",
		"signature: valid (v4)\n",
		"id         v4\n",
		"ip         127.0.0.1\n",
		"udp        30303\n",
		"secp256k1  03ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd3138",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestENRDecodeAllEntries(t *testing.T) {
	key, _ := enode.GenerateKey(nil)
	ln := enode.NewLocalNode(key, 6)
	ln.SetIP(netip.MustParseAddr("192.0.2.7"))
	ln.SetIP(netip.MustParseAddr("2001:db8::7"))
	ln.Set(enr.TCP(30777))
	ln.Set(enr.UDP6(30778))
	ln.Set(enr.Network("devnet"))
	r := ln.Node().Record()
	r.SetRaw("zzz", []byte{0xc2, 0x01, 0x02})
	if err := r.Sign(key); err != nil {
		t.Fatal(err)
	}
	text, _ := r.Text()
	out, err := runKeyCLI(t, "enr", "decode", text)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{
		"seq:       8\n",
		"node ID:   " + ln.ID().String(),
		"ip6        2001:db8::7\n",
		"ip         192.0.2.7\n",
		"tcp        30777\n",
		"udp6       30778\n",
		`ledgernet  network "devnet"`,
		"zzz        0xc20102 (raw RLP)",
		"enode pubkey " + enode.PubkeyHex(key.PubKey()),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestENRDecodeErrors(t *testing.T) {
	raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(eip778Text, "enr:"))
	raw[10] ^= 1
	badSig := "enr:" + base64.RawURLEncoding.EncodeToString(raw)

	out, err := runKeyCLI(t, "enr", "decode", badSig)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(out, "signature: INVALID") || !strings.Contains(out, "udp        30303") {
		t.Errorf("bad signature: %v\n%s", err, out)
	}
	if _, err := runKeyCLI(t, "enr", "decode", "enr:AAAA"); err == nil {
		t.Error("garbage accepted")
	}
	if _, err := runKeyCLI(t, "enr", "decode", "--", strings.TrimPrefix(eip778Text, "enr:")); !errors.Is(err, enr.ErrMissingPrefix) {
		t.Errorf("missing prefix: %v", err)
	}
	if _, err := runKeyCLI(t, "enr", "decode"); !errors.As(err, &ee) || ee.code != 2 {
		t.Errorf("no argument: %v", err)
	}
}
