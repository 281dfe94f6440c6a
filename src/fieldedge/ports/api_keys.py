"""The API-key repository. ``by_prefix`` finds a key before its tenant is known (system
scope, as a refresh token is found by its hash); everything else is tenant-bound."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from fieldedge.domain.api_keys import ApiKey


class ApiKeyRepository(Protocol):
    async def get(self, key_id: UUID, *, lock: bool = False) -> ApiKey | None: ...

    async def by_prefix(self, prefix: str) -> ApiKey | None:
        """The key whose current or previous secret has this prefix (system scope)."""
        ...

    async def add(self, key: ApiKey) -> None:
        """Raises ``Conflict`` when the prefix is taken (at the latest at commit)."""
        ...

    async def save(self, key: ApiKey) -> None: ...

    async def list(self, *, after: UUID | None, limit: int) -> Sequence[ApiKey]:
        """The tenant's keys by id, revoked ones included."""
        ...

    async def touch(self, key_id: UUID, at: datetime) -> None:
        """Set ``last_used_at`` (one UPDATE; the caller decides how often)."""
        ...
