"""Photos held by a row other than a visit: an expense line's receipt, a punch-in selfie.

The rules are the visit photos' (``services.photos``): a photo is accepted only from its
bytes (``photo_check.inspect_photo``: at most 10 MiB, a whole JPEG, PNG or WebP), its
SHA-256 is recorded, it is stored private under a tenant-prefixed key
(``domain.photos.owned_photo_key``), and it is read back through the row's own access
check as a short-lived signed URL (S3/R2) or the bytes (local disk).

The object is written before the row that names it; a row write that then fails
removes the object again (``discard``), so nothing is left half-written.
"""

from __future__ import annotations

import hashlib
from contextlib import suppress
from dataclasses import dataclass
from uuid import UUID

from fieldedge.domain.photos import PhotoRef, owned_photo_key
from fieldedge.errors import FieldedgeError
from fieldedge.ports.storage import StoredObject
from fieldedge.services.deps import Deps
from fieldedge.services.photo_check import inspect_photo

READ_URL_TTL_S = 300


@dataclass(frozen=True, slots=True)
class Checked:
    """An upload whose bytes passed the checks, and their hash."""

    data: bytes
    content_type: str
    extension: str
    sha256: str


@dataclass(frozen=True, slots=True)
class SignedRead:
    """Either a short-lived URL to redirect to (S3/R2) or the bytes (local disk)."""

    content_type: str
    url: str | None = None
    stored: StoredObject | None = None


def check_upload(data: bytes) -> Checked:
    """413 over the cap, 415 when it is not a whole image we take."""
    image = inspect_photo(data)
    return Checked(data, image.content_type, image.extension, hashlib.sha256(data).hexdigest())


async def store_photo(
    deps: Deps, company_id: UUID, kind: str, owner_id: UUID, photo: Checked
) -> PhotoRef:
    """Put the checked bytes under a fresh tenant-prefixed key."""
    photo_id = deps.ids.new()
    key = owned_photo_key(company_id, kind, owner_id, photo_id, photo.extension)
    await deps.storage.put(key, photo.data, content_type=photo.content_type)
    return PhotoRef(
        id=photo_id,
        key=key,
        content_type=photo.content_type,
        size=len(photo.data),
        sha256=photo.sha256,
    )


async def discard(deps: Deps, key: str) -> None:
    """Remove an object no row names (a failed write's, a replaced one's): best effort."""
    with suppress(FieldedgeError):
        await deps.storage.delete(key)


async def signed_read(deps: Deps, key: str, content_type: str) -> SignedRead:
    if deps.storage.name == "file":
        return SignedRead(content_type, stored=await deps.storage.get(key))
    url = await deps.storage.presign_get(key, expires_s=READ_URL_TTL_S)
    return SignedRead(content_type, url=url)
