"""The territory repository. Tenant-bound like every repository; every role of the
company reads the whole tree, so nothing here narrows by caller."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from fieldedge.domain.territories import Territory
from fieldedge.ports.records import Record


@dataclass(frozen=True, slots=True)
class TerritoryQuery:
    after: UUID | None = None
    limit: int = 20
    parent_id: UUID | None = None  # direct children of this territory
    root: bool | None = None  # True: no parent (the tree's roots); False: a parent
    kind: str | None = None  # normalised (``domain.territories.normalize_kind``)
    rep_id: UUID | None = None  # territories this user is assigned to


class TerritoryRepository(Protocol):
    async def get(
        self, territory_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Territory | None: ...

    async def add(self, territory: Territory) -> None: ...

    async def save(self, territory: Territory) -> None: ...

    async def list(self, query: TerritoryQuery) -> Sequence[Record]: ...

    async def has_children(self, territory_id: UUID) -> bool:
        """True when a live territory has ``territory_id`` as its parent."""
        ...
