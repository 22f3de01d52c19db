"""Talking to Frigate: HTTP client, MQTT listener, payload models, version quirks, track store."""
