"""The disk store's presigned URLs: HMAC-signed, bound to method, key, expiry and type."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import parse_qs, unquote, urlsplit

from fieldedge.ports.storage import ObjectStore
from fieldedge.signing import storage_signing_key, verify_file_signature

KEY = "c0ffee/visits/v1/p 1.jpg"


def _pieces(url: str) -> tuple[str, str, str, str]:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    key = unquote(parts.path.removeprefix("/api/files/"))
    return f"{parts.scheme}://{parts.netloc}", key, query["expires"][0], query["sig"][0]


async def test_presigned_get_points_at_the_api_and_verifies(
    make_store: Callable[..., ObjectStore],
    file_url: str,
    signing_key: bytes,
) -> None:
    store: ObjectStore = make_store(file_url)
    url = await store.presign_get(KEY, expires_s=300)

    base, key, expires, sig = _pieces(url)
    assert (base, key) == ("http://files.test", KEY)
    assert int(expires) > time.time()
    now = time.time()
    assert verify_file_signature(
        signing_key, method="GET", key=key, expires=expires, sig=sig, now=now
    )
    # The same URL is worthless for anything else.
    assert not verify_file_signature(
        signing_key, method="PUT", key=key, expires=expires, sig=sig, now=now
    )
    assert not verify_file_signature(
        signing_key, method="GET", key=key + "x", expires=expires, sig=sig, now=now
    )
    assert not verify_file_signature(
        signing_key, method="GET", key=key, expires=str(int(expires) + 1), sig=sig, now=now
    )
    assert not verify_file_signature(
        signing_key,
        method="GET",
        key=key,
        expires=expires,
        sig=sig[:-1] + ("1" if sig.endswith("0") else "0"),
        now=now,
    )
    assert not verify_file_signature(
        b"another key", method="GET", key=key, expires=expires, sig=sig, now=now
    )


async def test_presigned_get_expires(
    make_store: Callable[..., ObjectStore], file_url: str, signing_key: bytes
) -> None:
    store: ObjectStore = make_store(file_url)
    _, key, expires, sig = _pieces(await store.presign_get(KEY, expires_s=60))

    later = int(expires) + 1
    assert not verify_file_signature(
        signing_key, method="GET", key=key, expires=expires, sig=sig, now=later
    )


async def test_presigned_put_binds_the_content_type(
    make_store: Callable[..., ObjectStore],
    file_url: str,
    signing_key: bytes,
) -> None:
    store: ObjectStore = make_store(file_url)
    upload = await store.presign_put(KEY, content_type="image/jpeg", expires_s=300)

    assert (upload.method, upload.headers) == ("PUT", {"Content-Type": "image/jpeg"})
    _, key, expires, sig = _pieces(upload.url)
    now = time.time()
    assert verify_file_signature(
        signing_key,
        method="PUT",
        key=key,
        expires=expires,
        sig=sig,
        now=now,
        content_type="image/jpeg",
    )
    assert not verify_file_signature(
        signing_key,
        method="PUT",
        key=key,
        expires=expires,
        sig=sig,
        now=now,
        content_type="text/html",
    )


def test_malformed_query_values_are_refusals_not_errors(signing_key: bytes) -> None:
    for expires, sig in [(None, "ab"), ("12", None), ("soon", "ab"), ("-5", "ab"), ("", "")]:
        assert not verify_file_signature(
            signing_key, method="GET", key="a", expires=expires, sig=sig, now=0
        )


def test_file_url_key_is_derived_not_the_jwt_secret() -> None:
    secret = "s" * 48
    derived = storage_signing_key(secret)

    assert derived == storage_signing_key(secret)
    assert derived != secret.encode()
    assert derived != storage_signing_key("t" * 48)
    assert len(derived) == 32
