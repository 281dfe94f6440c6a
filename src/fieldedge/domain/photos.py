"""Visit photos: what we accept is decided by the bytes, never by the client's label.

A ``Content-Type: image/png`` header costs an attacker nothing; the first bytes of a
real JPEG, PNG or WebP file do. The type we store and serve is the one we detected.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from fieldedge.domain.base import Entity
from fieldedge.errors import PayloadTooLarge, UnsupportedMediaType

MAX_PHOTO_BYTES = 10 * 1024 * 1024  # 10 MiB
SNIFF_BYTES = 12  # enough for every signature below (WebP needs 12)


class PhotoStatus(StrEnum):
    PENDING = "PENDING"  # presigned upload issued, bytes not yet checked
    READY = "READY"  # bytes checked: size, type and SHA-256 recorded


class VisitPhoto(Entity):
    id: UUID
    company_id: UUID
    visit_id: UUID
    key: str = Field(max_length=300)  # photo_key(): tenant-prefixed object key
    content_type: str = Field(max_length=32)  # declared while PENDING, detected once READY
    size: int | None = Field(default=None, ge=0, le=MAX_PHOTO_BYTES)
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")  # finds reuse
    status: PhotoStatus = PhotoStatus.PENDING
    captured_at: AwareDatetime | None = None  # when the device took it (offline: earlier)
    version: int = 0
    created_at: AwareDatetime
    updated_at: AwareDatetime


@dataclass(frozen=True, slots=True)
class ImageType:
    content_type: str
    extension: str


JPEG = ImageType("image/jpeg", "jpg")
PNG = ImageType("image/png", "png")
WEBP = ImageType("image/webp", "webp")

IMAGE_TYPES = {t.content_type: t for t in (JPEG, PNG, WEBP)}

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def declared_image_type(content_type: str) -> ImageType | None:
    """What a presigned upload announces (``image/png; x=y`` too); the bytes decide later."""
    return IMAGE_TYPES.get(content_type.split(";", 1)[0].strip().lower())


def sniff_image(head: bytes) -> ImageType | None:
    """The image type of a file from its first bytes, or None when it is none we take."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(_PNG_SIGNATURE):
        return PNG
    if len(head) >= SNIFF_BYTES and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def check_photo(head: bytes, size: int) -> ImageType:
    """The detected type of an upload, or the contract's refusal (413, then 415)."""
    if size > MAX_PHOTO_BYTES:
        raise PayloadTooLarge(f"A photo may be at most {MAX_PHOTO_BYTES // (1024 * 1024)} MiB.")
    image = sniff_image(head)
    if image is None:
        raise UnsupportedMediaType("Only JPEG, PNG and WebP photos are accepted.")
    return image


def photo_key(company_id: UUID, visit_id: UUID, photo_id: UUID, extension: str) -> str:
    """Tenant first, so a bucket policy or a lifecycle rule can act per company."""
    return f"{company_id}/visits/{visit_id}/{photo_id}.{extension}"


class PhotoRef(BaseModel):
    """A checked photo held by a row other than a visit (a receipt on an expense line, a
    selfie on a punch-in): where it is stored and what its bytes were. Stored as a dict
    inside its row; ``photo_ref`` checks one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: UUID
    key: str = Field(max_length=300)  # owned_photo_key(): tenant-prefixed
    content_type: str = Field(max_length=32)  # detected from the bytes
    size: int = Field(ge=0, le=MAX_PHOTO_BYTES)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


def photo_ref(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """A stored photo reference checked, as JSON-ready values (for an entity's validator)."""
    return None if value is None else PhotoRef.model_validate(value).model_dump(mode="json")


def owned_photo_key(company_id: UUID, kind: str, owner_id: UUID, photo_id: UUID,
                    extension: str) -> str:  # fmt: skip
    """``{company}/{kind}/{owner}/{photo}.{ext}``: tenant first, as for visit photos."""
    return f"{company_id}/{kind}/{owner_id}/{photo_id}.{extension}"
