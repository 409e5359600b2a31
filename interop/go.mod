module github.com/ledgernet/ledgernet/interop

go 1.26.0

replace github.com/ledgernet/ledgernet => ../

require (
	github.com/btcsuite/btcd v0.25.0
	github.com/ledgernet/ledgernet v0.0.0-00010101000000-000000000000
)

require (
	github.com/btcsuite/btcd/chaincfg/chainhash v1.1.0 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
)
