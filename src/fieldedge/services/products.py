"""The catalogue: ADMIN and MANAGER write it; everyone reads it, a rep only what is active.

Lists without ``?q=`` (the pages a PWA pulls to fill its catalogue) are served through
the KV cache (``catalogue_cache``); every write moves the tenant to a new cache version
once it has committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.identity import Role
from fieldedge.domain.products import Product
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.ports.fieldforce import ProductQuery
from fieldedge.ports.records import Record
from fieldedge.services import catalogue_cache
from fieldedge.services.common import audit, found
from fieldedge.services.deps import Deps
from fieldedge.services.pagination import Page, after_id, page_by_id


@dataclass(frozen=True, slots=True)
class CreateProduct:
    sku: str
    name: str
    unit_price: int
    tax_rate_bp: int = 0
    description: str | None = None
    active: bool = True


def _reps_see(principal: Principal, product: Product | None) -> bool:
    return product is not None and (principal.role is not Role.SALES_REP or product.active)


async def _product(uow: UnitOfWork, principal: Principal, product_id: UUID) -> Product:
    product = await uow.products.get(product_id)
    return found(product, "product", visible=_reps_see(principal, product))


async def list_products(
    principal: Principal,
    active: bool | None,
    q: str | None,
    cursor: str | None,
    limit: int,
    deps: Deps,
) -> Page[Record]:
    require(principal, Action.PRODUCT_READ)
    if principal.role is Role.SALES_REP:
        if active is False:
            return Page(items=[], limit=limit, next_cursor=None)
        active = True
    query = ProductQuery(after=after_id(cursor), limit=limit + 1, active=active, q=q)
    company_id = principal.tenant

    async def load() -> Page[Record]:
        async with deps.db.unit_of_work(Scope.tenant(company_id)) as uow:
            return page_by_id(await uow.products.list(query), limit)

    if q:
        return await load()  # free-text searches are too varied to be worth caching
    key = {"active": active, "after": str(query.after), "limit": limit}
    return await catalogue_cache.cached_page(deps.kv, company_id, key, load)


async def get_product(principal: Principal, product_id: UUID, deps: Deps) -> Product:
    require(principal, Action.PRODUCT_READ)
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        return await _product(uow, principal, product_id)


async def create_product(principal: Principal, cmd: CreateProduct, deps: Deps) -> Product:
    require(principal, Action.PRODUCT_WRITE)
    now = deps.clock.now()
    company_id = principal.tenant
    product = Product(
        id=deps.ids.new(),
        company_id=company_id,
        sku=cmd.sku,
        name=cmd.name,
        description=cmd.description,
        unit_price=cmd.unit_price,
        tax_rate_bp=cmd.tax_rate_bp,
        active=cmd.active,
        created_at=now,
        updated_at=now,
    )
    async with deps.db.unit_of_work(Scope.tenant(company_id)) as uow:
        await uow.products.add(product)
        await audit(
            uow,
            deps,
            "product.created",
            actor=principal,
            entity="product",
            entity_id=product.id,
            detail={"sku": product.sku, "unitPrice": cmd.unit_price},
        )
        await uow.commit()
    await catalogue_cache.invalidate(deps.kv, company_id)
    return product


async def update_product(
    principal: Principal, product_id: UUID, changes: Mapping[str, Any], deps: Deps
) -> Product:
    """``changes`` holds only the fields the client sent, by their domain names."""
    require(principal, Action.PRODUCT_WRITE)
    now = deps.clock.now()
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        product = await _product(uow, principal, product_id)
        before = {"unitPrice": product.unit_price, "taxRateBp": product.tax_rate_bp}
        product.apply({**changes, "updated_at": now})
        await uow.products.save(product)
        await audit(
            uow,
            deps,
            "product.updated",
            actor=principal,
            entity="product",
            entity_id=product.id,
            detail={"fields": sorted(changes), "before": before},
        )
        await uow.commit()
    await catalogue_cache.invalidate(deps.kv, principal.tenant)
    return product


async def delete_product(principal: Principal, product_id: UUID, deps: Deps) -> Product:
    """A tombstone: old orders keep their snapshot; reads and new orders see 404."""
    require(principal, Action.PRODUCT_WRITE)
    now = deps.clock.now()
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        product = await _product(uow, principal, product_id)
        product.apply({"deleted_at": now, "updated_at": now})
        await uow.products.save(product)
        await audit(
            uow, deps, "product.deleted", actor=principal, entity="product", entity_id=product.id
        )
        await uow.commit()
    await catalogue_cache.invalidate(deps.kv, principal.tenant)
    return product
