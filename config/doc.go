// Package config holds a ledgernet node's configuration: the network profile,
// where it keeps its data, what it listens on, whom it talks to and what it
// serves.
//
// A configuration is built in three layers, each overriding the one before:
// the profile's defaults (Defaults), then a TOML file (Load), then command-line
// flags (the caller applies those it saw set). Validate checks the result
// once, so the rest of the node can trust it.
package config
