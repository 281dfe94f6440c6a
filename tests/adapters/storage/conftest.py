"""The object store under test, once per adapter: local disk always, S3 through moto."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from fieldedge.ports.storage import ObjectStore
from fieldedge_adapters.storage import storage_from_url

SIGNING_KEY = b"k" * 32
PUBLIC_BASE_URL = "http://files.test"

MakeStore = Callable[..., ObjectStore]


@pytest.fixture
def signing_key() -> bytes:
    return SIGNING_KEY


@pytest.fixture
def make_store() -> MakeStore:
    def make(url: str, *, timeout_s: float = 5.0) -> ObjectStore:
        return storage_from_url(
            url, timeout_s=timeout_s, signing_key=SIGNING_KEY, public_base_url=PUBLIC_BASE_URL
        )

    return make


@pytest.fixture
def file_url(tmp_path: Path) -> str:
    return f"file://{tmp_path / 'storage'}"


@pytest.fixture(params=["file", "s3"])
def store_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
async def store(store_url: str, make_store: MakeStore) -> AsyncIterator[ObjectStore]:
    opened = make_store(store_url)
    try:
        yield opened
    finally:
        await opened.close()
