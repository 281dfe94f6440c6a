"""Settings: derived pool sizes, and explicit values winning over derived ones."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from fieldedge.settings import Settings


def make(**values: object) -> Settings:
    return Settings(fieldedge_env="test", jwt_secret="s" * 40, _env_file=None, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("concurrency", "pool", "hashes"),
    [(1, 2, 1), (8, 2, 1), (40, 10, 2), (80, 20, 4), (1000, 20, 4)],
)
def test_server_concurrency_sizes_the_pool_and_the_hash_semaphore(
    concurrency: int, pool: int, hashes: int
) -> None:
    settings = make(server_concurrency=concurrency)
    assert (settings.db_pool_size, settings.db_max_overflow) == (pool, pool)
    assert settings.argon2_concurrency == hashes


def test_explicit_sizes_win() -> None:
    settings = make(server_concurrency=40, db_pool_size=3, argon2_concurrency=1)
    assert (settings.db_pool_size, settings.db_max_overflow, settings.argon2_concurrency) == (
        3,
        10,
        1,
    )


def test_without_concurrency_the_defaults_stand() -> None:
    settings = make()
    assert (settings.db_pool_size, settings.db_max_overflow, settings.argon2_concurrency) == (
        5,
        5,
        2,
    )


def test_trusted_proxies_are_addresses_or_networks() -> None:
    assert make(trusted_proxies="10.0.0.0/8, 192.0.2.1").trusted_proxies == [
        "10.0.0.0/8",
        "192.0.2.1",
    ]
    with pytest.raises(ValidationError, match="TRUSTED_PROXIES"):
        make(trusted_proxies="10.0.0.0/8,proxy.internal")


@pytest.mark.parametrize("prefix", ["storage", "mail"])
def test_own_keys_come_in_pairs(prefix: str) -> None:
    both = make(**{f"{prefix}_access_key_id": "id", f"{prefix}_secret_access_key": "secret"})
    assert both.credentials(prefix) == ("id", "secret")
    assert make().credentials(prefix) is None
    with pytest.raises(ValidationError, match=f"{prefix.upper()}_ACCESS_KEY_ID"):
        make(**{f"{prefix}_access_key_id": "id"})
