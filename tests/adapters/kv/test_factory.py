"""``kv_from_url``: the URL scheme picks the adapter, and only that adapter's driver loads."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from fieldedge.errors import ConfigError
from fieldedge_adapters.kv import MemoryKV, kv_from_url


def loaded_after(code: str) -> set[str]:
    """The driver modules a fresh interpreter has imported after running ``code``."""
    probe = textwrap.dedent(code) + textwrap.dedent(
        """
        import sys
        drivers = ("hiredis", "redis", "upstash_redis", "httpx")
        print(" ".join(m for m in drivers if m in sys.modules))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return set(out.stdout.split())


def test_memory_is_chosen_by_its_scheme() -> None:
    kv = kv_from_url("memory://", timeout_s=1)
    assert isinstance(kv, MemoryKV)
    assert kv.name == "memory"


@pytest.mark.parametrize("url", ["memcached://localhost", "redis+sentinel://x", "", "var/kv.db"])
def test_an_unsupported_scheme_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError, match="KV_URL: unsupported scheme"):
        kv_from_url(url, timeout_s=1)


@pytest.mark.parametrize(
    ("rest_url", "token"), [(None, "t"), ("https://x.upstash.io", None), ("", "")]
)
def test_upstash_needs_its_rest_url_and_token(rest_url: str | None, token: str | None) -> None:
    with pytest.raises(ConfigError, match="UPSTASH_REDIS_REST_URL"):
        kv_from_url("upstash://", timeout_s=1, upstash_url=rest_url, upstash_token=token)


def test_a_non_positive_timeout_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="timeout"):
        kv_from_url("memory://", timeout_s=0)


def test_memory_loads_no_driver() -> None:
    code = "from fieldedge_adapters.kv import kv_from_url; kv_from_url('memory://', timeout_s=1)"
    assert loaded_after(code) == set()


def test_redis_loads_its_parser_and_no_client_library() -> None:
    code = """
        from fieldedge_adapters.kv import kv_from_url
        kv_from_url('redis://127.0.0.1:1/0', timeout_s=1)
    """
    assert loaded_after(code) == {"hiredis"}


def test_upstash_loads_upstash_and_not_redis() -> None:
    code = """
        import asyncio
        from fieldedge_adapters.kv import kv_from_url
        kv = kv_from_url('upstash://', timeout_s=1, upstash_url='http://127.0.0.1:1',
                         upstash_token='t')
        asyncio.run(kv.close())
    """
    loaded = loaded_after(code)
    assert "upstash_redis" in loaded
    assert not {"redis", "hiredis"} & loaded
