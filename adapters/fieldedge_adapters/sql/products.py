"""The catalogue in SQL: products by id, by a batch of ids (pricing an order), and a
keyset page filtered by active flag and a search over name and SKU."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from uuid import UUID

from sqlmodel import select

from fieldedge.domain.products import Product
from fieldedge.ports.fieldforce import ProductQuery
from fieldedge_adapters.sql.entities import EntityRepository, conflict_as, contains_text
from fieldedge_adapters.sql.tables_fieldforce import ProductRow

_SKU_TAKEN = "A product with this SKU already exists."


class SqlProductRepository(EntityRepository[Product, ProductRow]):
    model, row, noun = Product, ProductRow, "Product"

    async def get(self, product_id: UUID, *, include_deleted: bool = False) -> Product | None:
        return await self._get(product_id, include_deleted=include_deleted)

    async def by_ids(self, product_ids: Collection[UUID]) -> Sequence[Product]:
        """Deleted and inactive ones included: an old order still shows what it sold, and
        ``Product.orderable`` tells a new order it cannot."""
        if not product_ids:
            return []
        statement = (
            select(ProductRow)
            .where(*self._where(include_deleted=True), self.c("id").in_(list(product_ids)))
            .order_by(self.c("id"))
        )
        return await self._many(statement)

    async def add(self, product: Product) -> Product:
        with conflict_as(_SKU_TAKEN):
            return await self._add(product)

    async def save(self, product: Product) -> Product:
        with conflict_as(_SKU_TAKEN):
            return await self._save(product)

    async def list(self, query: ProductQuery) -> Sequence[Product]:
        statement = self._page(query.after, query.limit)
        if query.active is not None:
            statement = statement.where(self.c("active") == query.active)
        if query.q:
            statement = statement.where(contains_text(query.q, self.c("name"), self.c("sku")))
        return await self._many(statement)
