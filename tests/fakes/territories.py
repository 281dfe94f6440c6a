"""The territory repository in memory: the same filters as ``sql/territories.py``, and
the subtree walk the contacts list's ``?territoryId=`` makes (``subtree``)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from fieldedge.domain.territories import Territory
from fieldedge.ports.records import Record
from fieldedge.ports.territories import TerritoryQuery

from .repo import MemoryRepository, equals, where
from .store import TERRITORIES, Row
from .txn import MemoryTxn


async def subtree(txn: MemoryTxn, root: UUID) -> set[UUID]:
    """Live ``root`` and every live territory below it (a deleted one ends its branch);
    a row reached twice is not walked again, as SQL's ``UNION`` does."""
    live = [row for row in await txn.rows(TERRITORIES) if row["deleted_at"] is None]
    found = {row["id"] for row in live if row["id"] == root}
    frontier = set(found)
    while frontier:
        frontier = {row["id"] for row in live if row["parent_id"] in frontier} - found
        found |= frontier
    return found


class MemoryTerritoryRepository(MemoryRepository[Territory]):
    table, model = TERRITORIES, Territory

    async def get(
        self, territory_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Territory | None:
        return await self._get(territory_id, include_deleted=include_deleted, lock=lock)

    async def add(self, territory: Territory) -> None:
        self._add(territory)

    async def save(self, territory: Territory) -> None:
        self._save(territory)

    async def list(self, query: TerritoryQuery) -> Sequence[Record]:
        def matches(row: Row) -> bool:
            return (
                (query.parent_id is None or row["parent_id"] == query.parent_id)
                and (query.root is None or (row["parent_id"] is None) == query.root)
                and (query.kind is None or row["kind"] == query.kind)
                and (query.rep_id is None or str(query.rep_id) in row["rep_ids"])
            )

        rows = await self._list(matches, after=query.after, limit=query.limit)
        return [self._record(row) for row in rows]

    async def has_children(self, territory_id: UUID) -> bool:
        return bool(await self._rows(where(self._live, equals("parent_id", territory_id))))
