"""S3 presigned URLs, actually used: a client PUTs and GETs over HTTP with httpx."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from fieldedge.ports.storage import ObjectStore

JPEG = b"\xff\xd8\xff\xe0" + b"\x10" * 512
KEY = "c0ffee/visits/v1/p1.jpg"


@pytest.fixture
async def s3(s3_url: str, make_store: Callable[..., ObjectStore]) -> AsyncIterator[ObjectStore]:
    opened = make_store(s3_url)
    try:
        yield opened
    finally:
        await opened.close()


async def test_presigned_put_then_presigned_get_round_trip(s3: ObjectStore) -> None:
    upload = await s3.presign_put(KEY, content_type="image/jpeg", expires_s=300)
    async with httpx.AsyncClient() as http:
        put = await http.request(upload.method, upload.url, content=JPEG, headers=upload.headers)
        assert put.status_code == 200, put.text

        got = await http.get(await s3.presign_get(KEY, expires_s=300))

    assert got.status_code == 200
    assert got.content == JPEG
    assert got.headers["content-type"] == "image/jpeg"
    assert await s3.head(KEY) is not None


async def test_presigned_put_signs_the_content_type(s3: ObjectStore) -> None:
    # moto does not check presigned signatures, so S3's refusal of another type cannot
    # be shown against it; what makes S3 refuse is that the header is signed, here.
    upload = await s3.presign_put(KEY, content_type="image/jpeg", expires_s=300)

    query = parse_qs(urlsplit(upload.url).query)
    assert upload.headers == {"Content-Type": "image/jpeg"}
    assert "content-type" in query["X-Amz-SignedHeaders"][0].split(";")
    assert query["X-Amz-Expires"] == ["300"]
