"""Territories in SQL: the tree's rows, lists by parent, level or rep, and the subtree
of one territory as a recursive CTE (``subtree``: the contacts list's ``?territoryId=``
reads it inside its own statement, so a subtree filter is one query at any depth)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from fieldedge.domain.territories import Territory
from fieldedge.ports.records import Record
from fieldedge.ports.territories import TerritoryQuery
from fieldedge_adapters.sql.repo import (
    CID,
    Repository,
    limit_param,
    shape,
    table_of,
    tenant_filter,
)
from fieldedge_adapters.sql.statements import json_array_has
from fieldedge_adapters.sql.tables_territories import TerritoryRow

T = table_of(TerritoryRow)


def subtree(root: str, tenant: bool) -> Any:
    """The ids of live territory ``:root`` and of every live territory below it.

    ``UNION`` (not ``UNION ALL``) drops rows already reached, so the walk ends even if a
    cycle were ever stored; a deleted territory ends its branch."""
    top = sa.select(T.c.id).where(
        *tenant_filter(T, tenant), T.c.id == sa.bindparam(root), T.c.deleted_at.is_(None)
    )
    tree = top.cte("subtree", recursive=True)
    child = T.alias("child")
    below = sa.select(child.c.id).where(
        *([child.c.company_id == sa.bindparam(CID)] if tenant else []),
        child.c.parent_id == tree.c.id,
        child.c.deleted_at.is_(None),
    )
    return sa.select(tree.union(below).c.id)


@shape
def _list(after: bool, parent: bool, root: bool | None, kind: bool, rep: bool, tenant: bool) -> Any:
    statement = sa.select(T).where(*tenant_filter(T, tenant), T.c.deleted_at.is_(None))
    if after:
        statement = statement.where(T.c.id > sa.bindparam("after"))
    if parent:
        statement = statement.where(T.c.parent_id == sa.bindparam("parent"))
    if root is not None:
        no_parent = T.c.parent_id.is_(None)
        statement = statement.where(no_parent if root else sa.not_(no_parent))
    if kind:
        statement = statement.where(T.c.kind == sa.bindparam("kind"))
    if rep:
        statement = statement.where(json_array_has(T.c.rep_ids, sa.bindparam("rep")))
    return statement.order_by(T.c.id).limit(limit_param())


@shape
def _child(tenant: bool) -> Any:
    return (
        sa.select(T.c.id)
        .where(
            *tenant_filter(T, tenant),
            T.c.parent_id == sa.bindparam("parent"),
            T.c.deleted_at.is_(None),
        )
        .limit(1)
    )


class SqlTerritoryRepository(Repository[Territory]):
    table, model = T, Territory
    field_versioned = True

    async def get(
        self, territory_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Territory | None:
        return await self._get(territory_id, include_deleted=include_deleted, lock=lock)

    async def add(self, territory: Territory) -> None:
        self._add(territory)

    async def save(self, territory: Territory) -> None:
        self._save(territory)

    async def list(self, query: TerritoryQuery) -> Sequence[Record]:
        statement = _list(
            query.after is not None,
            query.parent_id is not None,
            query.root,
            query.kind is not None,
            query.rep_id is not None,
            self._tenant,
        )
        return await self._rows(
            statement,
            after=query.after,
            parent=query.parent_id,
            kind=query.kind,
            rep=str(query.rep_id) if query.rep_id is not None else None,
            limit=query.limit,
        )

    async def has_children(self, territory_id: UUID) -> bool:
        return bool(await self._rows(_child(self._tenant), parent=territory_id))
