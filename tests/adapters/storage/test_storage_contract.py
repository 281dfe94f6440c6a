"""One contract for every ObjectStore: what the disk store does in dev, S3 does in prod."""

from __future__ import annotations

import pytest

from fieldedge.errors import NotFound, ValidationFailed
from fieldedge.ports.storage import ObjectInfo, ObjectStore

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
KEY = "c0ffee/visits/v1/p1.png"


async def test_put_then_get_returns_bytes_and_type(store: ObjectStore) -> None:
    info = await store.put(KEY, PNG, content_type="image/png")

    assert info == ObjectInfo(key=KEY, size=len(PNG), content_type="image/png")
    stored = await store.get(KEY)
    assert stored.data == PNG
    assert stored.info == info


async def test_head_describes_an_object_and_is_none_when_missing(store: ObjectStore) -> None:
    await store.put(KEY, PNG, content_type="image/png")

    assert await store.head(KEY) == ObjectInfo(key=KEY, size=len(PNG), content_type="image/png")
    assert await store.head("c0ffee/visits/v1/missing.png") is None


async def test_put_replaces_an_object_whole(store: ObjectStore) -> None:
    await store.put(KEY, PNG, content_type="image/png")
    await store.put(KEY, b"RIFF....WEBP", content_type="image/webp")

    stored = await store.get(KEY)
    assert (stored.data, stored.info.content_type) == (b"RIFF....WEBP", "image/webp")


async def test_read_prefix_returns_only_the_first_bytes(store: ObjectStore) -> None:
    await store.put(KEY, PNG, content_type="image/png")

    assert await store.read_prefix(KEY, 8) == PNG[:8]
    assert await store.read_prefix(KEY, 10_000) == PNG


async def test_read_range_reads_a_piece_and_nothing_past_the_end(store: ObjectStore) -> None:
    await store.put(KEY, PNG, content_type="image/png")

    assert await store.read_range(KEY, 1, 3) == PNG[1:4]
    assert await store.read_range(KEY, 70, 100) == PNG[70:]
    assert await store.read_range(KEY, len(PNG), 8) == b""
    assert await store.read_range(KEY, len(PNG) + 5, 8) == b""
    with pytest.raises(NotFound):
        await store.read_range("c0ffee/nothing-here", 0, 4)


async def test_empty_object_round_trips(store: ObjectStore) -> None:
    await store.put("c0ffee/empty.bin", b"", content_type="application/octet-stream")

    assert (await store.get("c0ffee/empty.bin")).data == b""
    assert await store.read_prefix("c0ffee/empty.bin", 8) == b""


async def test_delete_removes_and_is_idempotent(store: ObjectStore) -> None:
    await store.put(KEY, PNG, content_type="image/png")

    await store.delete(KEY)
    await store.delete(KEY)

    assert await store.head(KEY) is None
    with pytest.raises(NotFound):
        await store.get(KEY)


async def test_missing_key_is_not_found(store: ObjectStore) -> None:
    with pytest.raises(NotFound):
        await store.get("c0ffee/nothing-here")
    with pytest.raises(NotFound):
        await store.read_prefix("c0ffee/nothing-here", 4)


@pytest.mark.parametrize(
    "key", ["../escape", "a/../../escape", "/etc/passwd", "a\\b", "a//b", "", "a/.hidden"]
)
async def test_keys_that_could_escape_are_refused(store: ObjectStore, key: str) -> None:
    with pytest.raises(ValidationFailed):
        await store.put(key, b"x", content_type="text/plain")
    with pytest.raises(ValidationFailed):
        await store.get(key)
    with pytest.raises(ValidationFailed):
        await store.presign_get(key, expires_s=60)


async def test_a_content_type_with_a_line_break_is_refused(store: ObjectStore) -> None:
    with pytest.raises(ValidationFailed):
        await store.put(KEY, PNG, content_type="image/png\r\nX-Evil: 1")


async def test_ping_answers_when_up(store: ObjectStore) -> None:
    await store.ping()
