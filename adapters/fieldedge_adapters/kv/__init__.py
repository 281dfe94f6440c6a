"""kv adapters."""
