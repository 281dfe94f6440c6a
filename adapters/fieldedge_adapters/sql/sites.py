"""Sites in SQL: a contact's sites, a site's children, a search over name and address,
and the ``?near=`` box (index-friendly ranges; the exact distance is the use case's)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from fieldedge.domain.sites import Site
from fieldedge.ports.records import Record
from fieldedge.ports.sites import SiteQuery
from fieldedge_adapters.sql.repo import Repository, limit_param, shape, table_of, tenant_filter
from fieldedge_adapters.sql.statements import box_params, contains_text, in_box, like_pattern
from fieldedge_adapters.sql.tables_service import SiteRow

T = table_of(SiteRow)


@shape
def _list(
    after: bool, contact: bool, parent: bool, root: bool | None, q: bool, ranges: int, tenant: bool
) -> Any:
    statement = sa.select(T).where(*tenant_filter(T, tenant), T.c.deleted_at.is_(None))
    if after:
        statement = statement.where(T.c.id > sa.bindparam("after"))
    if contact:
        statement = statement.where(T.c.contact_id == sa.bindparam("contact"))
    if parent:
        statement = statement.where(T.c.parent_id == sa.bindparam("parent"))
    if root is not None:
        no_parent = T.c.parent_id.is_(None)
        statement = statement.where(no_parent if root else sa.not_(no_parent))
    if q:
        statement = statement.where(contains_text("q", T.c.name, T.c.address))
    if ranges:  # the near box; the exact distance is the use case's
        statement = statement.where(in_box(T, ranges))
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


class SqlSiteRepository(Repository[Site]):
    table, model = T, Site
    field_versioned = True

    async def get(
        self, site_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Site | None:
        return await self._get(site_id, include_deleted=include_deleted, lock=lock)

    async def add(self, site: Site) -> None:
        self._add(site)

    async def save(self, site: Site) -> None:
        self._save(site)

    async def list(self, query: SiteQuery) -> Sequence[Record]:
        box = query.box
        ranges = len(box.lng_ranges) if box is not None else 0
        statement = _list(
            query.after is not None,
            query.contact_id is not None,
            query.parent_id is not None,
            query.root,
            bool(query.q),
            ranges,
            self._tenant,
        )
        params: dict[str, Any] = {
            "after": query.after,
            "contact": query.contact_id,
            "parent": query.parent_id,
            "q": like_pattern(query.q) if query.q else None,
            "limit": query.limit,
        }
        return await self._rows(statement, **params, **box_params(box))

    async def has_children(self, site_id: UUID) -> bool:
        return bool(await self._rows(_child(self._tenant), parent=site_id))
