"""sql adapters."""
