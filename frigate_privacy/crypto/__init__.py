"""age encryption (pyrage) on byte streams, passphrase rules, and the service's Ed25519 signing key."""
