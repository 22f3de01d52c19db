"""Retention, erasure and audio-off enforcement: a pure plan, then a separate apply step."""
