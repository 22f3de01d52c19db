"""The tamper-evident audit log: hash-chained entries, signed checkpoints, verify and show."""
