"""The catalogue in SQL: products by id, by a batch of ids (pricing an order), and a
keyset page filtered by active flag and a search over name and SKU."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any
from uuid import UUID

import sqlalchemy as sa

from fieldedge.domain.products import Product
from fieldedge.errors import Conflict
from fieldedge.ports.fieldforce import ProductQuery
from fieldedge.ports.records import Record
from fieldedge_adapters.sql.repo import Repository, limit_param, shape, table_of, tenant_filter
from fieldedge_adapters.sql.statements import any_of, contains_text, like_pattern
from fieldedge_adapters.sql.tables_fieldforce import ProductRow

T = table_of(ProductRow)
SKU_TAKEN = "A product with this SKU already exists."


@shape
def _by_ids(tenant: bool) -> Any:
    return sa.select(T).where(*tenant_filter(T, tenant), any_of(T.c.id, "ids")).order_by(T.c.id)


@shape
def _by_skus(tenant: bool) -> Any:
    return sa.select(T).where(
        *tenant_filter(T, tenant), T.c.deleted_at.is_(None), any_of(T.c.sku, "skus")
    )


@shape
def _list(after: bool, active: bool, q: bool, tenant: bool) -> Any:
    statement = sa.select(T).where(*tenant_filter(T, tenant), T.c.deleted_at.is_(None))
    if after:
        statement = statement.where(T.c.id > sa.bindparam("after"))
    if active:
        statement = statement.where(T.c.active == sa.bindparam("active"))
    if q:
        statement = statement.where(contains_text("q", T.c.name, T.c.sku))
    return statement.order_by(T.c.id).limit(limit_param())


@shape
def _sku_taken(tenant: bool) -> Any:
    return (
        sa.select(T.c.id)
        .where(
            *tenant_filter(T, tenant),
            T.c.deleted_at.is_(None),
            T.c.sku == sa.bindparam("sku"),
            T.c.id != sa.bindparam("id"),
        )
        .limit(1)
    )


class SqlProductRepository(Repository[Product]):
    table, model = T, Product

    async def get(self, product_id: UUID, *, include_deleted: bool = False) -> Product | None:
        return await self._get(product_id, include_deleted=include_deleted)

    async def by_ids(self, product_ids: Collection[UUID]) -> Sequence[Product]:
        if not product_ids:
            return []
        return await self._many(_by_ids(self._tenant), ids=list(product_ids))

    async def _check_sku(self, product: Product) -> None:
        # Up front, so the clash is the caller's 409 now, not a failed commit later.
        if await self._rows(_sku_taken(self._tenant), sku=product.sku, id=product.id):
            raise Conflict(SKU_TAKEN)

    async def add(self, product: Product) -> None:
        await self._check_sku(product)
        self._add(product)

    async def save(self, product: Product) -> None:
        if "sku" in product.changes():
            await self._check_sku(product)
        self._save(product)

    async def by_skus(self, skus: Collection[str]) -> Sequence[Product]:
        if not skus:
            return []
        return await self._many(_by_skus(self._tenant), skus=list(skus))

    async def add_many(self, products: Sequence[Product]) -> None:
        for product in products:
            self._add(product)

    async def list(self, query: ProductQuery) -> Sequence[Record]:
        statement = _list(
            query.after is not None, query.active is not None, bool(query.q), self._tenant
        )
        return await self._rows(
            statement,
            after=query.after,
            active=query.active,
            q=like_pattern(query.q) if query.q else None,
            limit=query.limit,
        )
