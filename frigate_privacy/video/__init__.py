"""PyAV decode, redact and encode pipeline for video and images; stream probing."""
