"""Choosing the store by URL, lazy driver imports, and failures a deployer will meet."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from fieldedge.errors import ConfigError, Conflict, DependencyUnavailable
from fieldedge.ports.storage import ObjectStore

MakeStore = Callable[..., ObjectStore]


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, read, released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://host/x", "unsupported scheme"),
        ("s3://", "needs a bucket"),
        ("s3://b?endpoint=http://x", "unknown parameter"),
        ("s3://b?addressing_style=sideways", "addressing_style"),
    ],
)
def test_bad_urls_stop_with_a_readable_message(make_store: MakeStore, url: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        make_store(url)


async def test_relative_file_url_is_relative_to_the_working_directory(
    make_store: MakeStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store = make_store("file://./var/storage")

    await store.put("a/b.txt", b"hi", content_type="text/plain")

    assert (tmp_path / "var" / "storage" / "a" / "b.txt").read_bytes() == b"hi"


async def test_file_store_leaves_no_temp_files(make_store: MakeStore, tmp_path: Path) -> None:
    store = make_store(f"file://{tmp_path}")
    await store.put("a/b.txt", b"one", content_type="text/plain")
    await store.put("a/b.txt", b"two", content_type="text/plain")

    names = sorted(path.name for path in (tmp_path / "a").iterdir())
    assert names == [".b.txt.type", "b.txt"]


async def test_file_key_under_an_object_is_a_conflict(
    make_store: MakeStore, tmp_path: Path
) -> None:
    store = make_store(f"file://{tmp_path}")
    await store.put("a", b"object", content_type="text/plain")

    with pytest.raises(Conflict):
        await store.put("a/b", b"x", content_type="text/plain")
    assert await store.head("a/b") is None


async def test_file_ping_fails_when_the_root_is_not_a_directory(
    make_store: MakeStore, tmp_path: Path
) -> None:
    (tmp_path / "taken").write_text("a file, not a directory")
    store = make_store(f"file://{tmp_path / 'taken'}")

    with pytest.raises(DependencyUnavailable) as caught:
        await store.ping()
    assert caught.value.dependency == "storage"


async def test_s3_unreachable_is_dependency_unavailable(make_store: MakeStore) -> None:
    store = make_store(
        f"s3://bucket?endpoint_url=http://127.0.0.1:{_closed_port()}&region=eu-west-1",
        timeout_s=1.0,
    )
    try:
        for call in (store.ping(), store.get("a/b"), store.put("a/b", b"x", content_type="a/b")):
            with pytest.raises(DependencyUnavailable) as caught:
                await call
            assert caught.value.dependency == "storage"
            assert caught.value.retryable
    finally:
        await store.close()


async def test_s3_ping_fails_for_a_missing_bucket(make_store: MakeStore, moto_server: str) -> None:
    store = make_store(f"s3://no-such-bucket-here?endpoint_url={moto_server}&region=eu-west-1")
    try:
        with pytest.raises(DependencyUnavailable):
            await store.ping()
    finally:
        await store.close()


def test_file_store_never_loads_the_aws_sdk(tmp_path: Path) -> None:
    """Cold start on Lambda pays only for the adapters it uses."""
    code = (
        "import sys\n"
        "from fieldedge_adapters.storage import storage_from_url\n"
        f"storage_from_url('file://{tmp_path}', timeout_s=1, signing_key=b'k',"
        " public_base_url='http://x')\n"
        "loaded = sorted(m for m in ('aioboto3', 'botocore', 'aiobotocore') if m in sys.modules)\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
