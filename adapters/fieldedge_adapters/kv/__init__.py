"""The KV adapters, chosen by URL scheme; each driver is imported only in its branch.

A Lambda on ``memory://`` or Upstash never loads redis-py, and one on ``redis://`` never
loads the Upstash SDK: the import sits inside the branch that needs it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fieldedge.errors import ConfigError
from fieldedge.ports.kv import KeyValue
from fieldedge_adapters.kv.memory import MemoryKV

__all__ = ["MemoryKV", "kv_from_url"]


def kv_from_url(
    url: str,
    *,
    timeout_s: float,
    upstash_url: str | None = None,
    upstash_token: str | None = None,
) -> KeyValue:
    """Build the KV for ``KV_URL``; ``upstash://`` takes its REST URL and token apart
    (``UPSTASH_REDIS_REST_URL`` / ``UPSTASH_REDIS_REST_TOKEN``), as Upstash hands them out."""
    if timeout_s <= 0:
        raise ConfigError("KV timeout must be positive")
    scheme = urlsplit(url).scheme
    if scheme == "memory":
        return MemoryKV()
    if scheme in ("redis", "rediss"):
        from fieldedge_adapters.kv.redis import RedisKV

        return RedisKV.from_url(url, timeout_s=timeout_s)
    if scheme == "upstash":
        if not upstash_url or not upstash_token:
            raise ConfigError(
                "KV_URL: upstash:// needs UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN"
            )
        from fieldedge_adapters.kv.upstash import UpstashKV

        return UpstashKV(upstash_url.rstrip("/"), upstash_token, timeout_s=timeout_s)
    raise ConfigError(f"KV_URL: unsupported scheme {scheme!r} (use memory, redis, rediss, upstash)")
