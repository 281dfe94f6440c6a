"""HMAC-signed file URLs, for the local-disk object store.

When storage is a directory rather than S3, the API itself plays S3's part: it hands
out ``/api/files/{key}?expires=...&sig=...`` URLs and serves them. The signature binds
the method, the key, the expiry and (for uploads) the content type, so a URL to read a
photo cannot be replayed to overwrite it, nor an upload URL used for another type.

Pure functions, no I/O: the store signs, the route verifies, both with the same key.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote, urlencode

# A fixed label makes the file-URL key a one-way derivative of the JWT secret: a leaked
# file URL (or its key) never yields a key that can mint session tokens.
_STORAGE_KEY_LABEL = b"fieldedge/storage-url-signing/v1"

FILES_PATH = "/api/files/"


def storage_signing_key(jwt_secret: str) -> bytes:
    """The key file URLs are signed with, derived from (never equal to) the JWT secret."""
    return hmac.new(jwt_secret.encode(), _STORAGE_KEY_LABEL, hashlib.sha256).digest()


def _message(method: str, key: str, expires: int, content_type: str | None) -> bytes:
    # Newline-separated: none of the parts may hold a newline (keys are checked by the
    # store, content types by the HTTP layer), so fields cannot bleed into each other.
    parts = (method.upper(), key, str(expires), content_type or "")
    return "\n".join(parts).encode()


def file_signature(
    signing_key: bytes, *, method: str, key: str, expires: int, content_type: str | None = None
) -> str:
    """Hex HMAC-SHA256 of one (method, key, expiry, content type)."""
    return hmac.new(
        signing_key, _message(method, key, expires, content_type), hashlib.sha256
    ).hexdigest()


def signed_file_url(
    public_base_url: str,
    signing_key: bytes,
    *,
    method: str,
    key: str,
    expires: int,
    content_type: str | None = None,
) -> str:
    """``{base}/api/files/{key}?expires=...&sig=...``; ``expires`` is a Unix time in seconds."""
    sig = file_signature(
        signing_key, method=method, key=key, expires=expires, content_type=content_type
    )
    query = urlencode({"expires": str(expires), "sig": sig})
    return f"{public_base_url.rstrip('/')}{FILES_PATH}{quote(key, safe='/')}?{query}"


def verify_file_signature(
    signing_key: bytes,
    *,
    method: str,
    key: str,
    expires: str | None,
    sig: str | None,
    now: float,
    content_type: str | None = None,
) -> bool:
    """True only for an unexpired URL whose signature matches, compared in constant time.

    ``expires`` and ``sig`` are taken raw from the query string, so a missing or
    malformed value is simply a refusal rather than an exception.
    """
    if not expires or not sig or not expires.isascii() or not expires.isdigit():
        return False
    expires_at = int(expires)
    if now > expires_at:
        return False
    expected = file_signature(
        signing_key, method=method, key=key, expires=expires_at, content_type=content_type
    )
    return hmac.compare_digest(expected, sig)
