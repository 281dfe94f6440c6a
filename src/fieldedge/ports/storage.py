"""Private object storage for photos and exports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    key: str
    size: int
    content_type: str


@dataclass(frozen=True, slots=True)
class StoredObject:
    info: ObjectInfo
    data: bytes


@dataclass(frozen=True, slots=True)
class PresignedUpload:
    """What a client needs to PUT an object straight to storage."""

    url: str
    method: str = "PUT"
    headers: dict[str, str] = field(default_factory=dict)


class ObjectStore(Protocol):
    """Keys are relative paths (``{companyId}/visits/...``); a missing key raises ``NotFound``."""

    @property
    def name(self) -> str: ...

    async def put(self, key: str, data: bytes, *, content_type: str) -> ObjectInfo: ...

    async def get(self, key: str) -> StoredObject: ...

    async def head(self, key: str) -> ObjectInfo | None: ...

    async def read_prefix(self, key: str, length: int) -> bytes:
        """The first ``length`` bytes of an object (to check magic bytes without a full read)."""
        ...

    async def read_range(self, key: str, start: int, length: int) -> bytes:
        """Up to ``length`` bytes from offset ``start`` (fewer at the end, ``b""`` past it):
        a large object read in pieces, in bounded memory."""
        ...

    async def delete(self, key: str) -> None: ...

    async def presign_put(
        self, key: str, *, content_type: str, expires_s: int
    ) -> PresignedUpload: ...

    async def presign_get(self, key: str, *, expires_s: int) -> str: ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...
