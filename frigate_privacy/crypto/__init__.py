"""age encryption (pyrage) on byte streams, and Ed25519 signing keys."""
