"""A self-contained demo: real faces moving over a CCTV-like scene, redacted and scored.

The scene code (sprites, motion paths, compositing) is pure and is reused by `bench/` to build the
evaluation clips with exact per-frame ground truth.
"""
