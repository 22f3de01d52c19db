"""Evaluation and benchmarks: clip generator, metrics, and scripts that print tables (not part of the package)."""
