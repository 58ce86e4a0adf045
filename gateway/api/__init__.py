"""HTTP API routers of the gateway (channels mount their own)."""
