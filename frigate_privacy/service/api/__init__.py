"""Our HTTP API: FastAPI app, users and tokens, roles, rate limit, Home Assistant ingress, redacted media."""
