"""Work-order attachments: a photo (JPEG, PNG, WebP: the visit photos' rules) or a PDF,
decided by the bytes, never by the client's label.

A PDF is taken when it starts with the ``%PDF-1.x`` / ``%PDF-2.x`` header and ends with
the ``%%EOF`` marker within its last 1 KiB (a cut-off upload has none), at most 10 MiB
(``MAX_ATTACHMENT_BYTES``, the photo cap). Nothing in it is parsed or rendered on the
request path; it is stored private and read back only through a short-lived signed URL
(or the bytes from local disk) with ``Content-Type: application/pdf``.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from fieldedge.domain.photos import MAX_PHOTO_BYTES, ImageType
from fieldedge.errors import PayloadTooLarge, UnsupportedMediaType

MAX_ATTACHMENT_BYTES = MAX_PHOTO_BYTES  # 10 MiB, the upload cap of every file route
MAX_ATTACHMENTS = 50  # per work order
PDF = ImageType("application/pdf", "pdf")
_PDF_HEADER = re.compile(rb"%PDF-[12]\.\d")
_EOF_WINDOW = 1024


def is_pdf(head: bytes) -> bool:
    return _PDF_HEADER.match(head) is not None


def check_pdf(data: bytes) -> ImageType:
    """413 over the cap; 415 when the bytes are not a whole PDF."""
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise PayloadTooLarge(
            f"An attachment may be at most {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MiB."
        )
    if not is_pdf(data[:8]):
        raise UnsupportedMediaType("Only JPEG, PNG and WebP photos and PDF files are accepted.")
    if b"%%EOF" not in data[-_EOF_WINDOW:]:
        raise UnsupportedMediaType("This PDF is cut short (no %%EOF marker at its end).")
    return PDF


class Attachment(BaseModel):
    """A checked file on a work order, as stored inside the row (``attachments``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: UUID
    key: str = Field(max_length=300)  # {company}/work_orders/{work order}/{id}.{ext}
    content_type: str = Field(max_length=32)  # detected from the bytes
    size: int = Field(ge=0, le=MAX_ATTACHMENT_BYTES)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    uploaded_by: UUID
    at: AwareDatetime


def attachment_entries(value: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored attachments checked, as JSON-ready values (for the entity's validator)."""
    return [Attachment.model_validate(item).model_dump(mode="json") for item in value]
