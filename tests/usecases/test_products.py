"""The catalogue: staff write it, a rep reads what is active, and lists come from the KV
cache until a write moves the tenant to a new version."""

from __future__ import annotations

from uuid import UUID

import pytest

from fieldedge.errors import Conflict, NotFound, ValidationFailed
from fieldedge.services import catalogue_cache
from fieldedge.services.products import (
    CreateProduct,
    create_product,
    delete_product,
    get_product,
    list_products,
    update_product,
)

from .world import World


def _pen(**fields: object) -> CreateProduct:
    return CreateProduct(**{"sku": "PEN-1", "name": "Gel pen", "unit_price": 1250,
                            "tax_rate_bp": 1800, **fields})  # fmt: skip


async def _skus(
    world: World, who: str, active: bool | None = None, q: str | None = None
) -> set[str]:
    page = await list_products(world.as_(who), active, q, None, 100, world.deps)
    return {str(row["sku"]) for row in page.items}


@pytest.mark.parametrize("who", ["admin", "mgr_b"])
async def test_staff_create_a_product_and_it_is_audited(world: World, who: str) -> None:
    made = await create_product(world.as_(who), _pen(), world.deps)
    got = await get_product(world.as_("rep_a1"), made.id, world.deps)
    assert (got.sku, got.unit_price, got.tax_rate_bp, got.active) == ("PEN-1", 1250, 1800, True)
    entry = world.audit()[-1]
    assert (entry.action, entry.detail) == ("product.created", {"sku": "PEN-1", "unitPrice": 1250})


async def test_a_sku_is_unique_per_company_only(world: World, other: World) -> None:
    await create_product(world.as_("admin"), _pen(), world.deps)
    with pytest.raises(Conflict):
        await create_product(world.as_("mgr_a"), _pen(name="Other pen"), world.deps)
    await create_product(other.as_("admin"), _pen(), other.deps)
    assert await _skus(world, "admin") == {"PEN-1"}


async def test_a_deleted_products_sku_is_free_again(world: World) -> None:
    old = await create_product(world.as_("admin"), _pen(), world.deps)
    await delete_product(world.as_("admin"), old.id, world.deps)
    new = await create_product(world.as_("admin"), _pen(unit_price=1300), world.deps)
    assert new.id != old.id


@pytest.mark.parametrize(
    "cmd",
    [_pen(unit_price=-1), _pen(tax_rate_bp=-5), _pen(tax_rate_bp=10_001), _pen(sku=""),
     _pen(name="")],
)  # fmt: skip
async def test_bad_product_input_is_refused_and_nothing_written(
    world: World, cmd: CreateProduct
) -> None:
    with pytest.raises(ValidationFailed):
        await create_product(world.as_("admin"), cmd, world.deps)
    assert await _skus(world, "admin") == set()
    assert world.actions() == []


async def test_a_rep_sees_active_products_only(world: World) -> None:
    await world.product(sku="ON")
    hidden = await world.product(sku="OFF", active=False)
    assert await _skus(world, "rep_a1") == {"ON"}
    assert await _skus(world, "rep_a1", active=False) == set()
    assert await _skus(world, "mgr_a", active=False) == {"OFF"}
    assert await _skus(world, "admin") == {"ON", "OFF"}
    with pytest.raises(NotFound):
        await get_product(world.as_("rep_a1"), hidden.id, world.deps)
    assert (await get_product(world.as_("mgr_a"), hidden.id, world.deps)).sku == "OFF"


async def test_a_search_matches_name_or_sku(world: World) -> None:
    await world.product(sku="PARA-500", name="Paracetamol 500")
    await world.product(sku="IBU-200", name="Ibuprofen")
    assert await _skus(world, "rep_a1", q="para") == {"PARA-500"}
    assert await _skus(world, "rep_a1", q="ibu-2") == {"IBU-200"}


async def test_an_edit_is_audited_with_the_old_price(world: World) -> None:
    product = await world.product()
    changed = await update_product(world.as_("mgr_a"), product.id, {"unit_price": 1400},
                                   world.deps)  # fmt: skip
    assert changed.unit_price == 1400
    entry = world.audit()[-1]
    assert entry.action == "product.updated"
    assert entry.detail == {"fields": ["unit_price"], "before": {"unitPrice": 1250,
                            "taxRateBp": 1800}}  # fmt: skip


async def test_an_invalid_edit_changes_nothing(world: World) -> None:
    product = await world.product()
    with pytest.raises(ValidationFailed):
        await update_product(world.as_("admin"), product.id, {"unit_price": -3}, world.deps)
    assert (await get_product(world.as_("admin"), product.id, world.deps)).unit_price == 1250


async def test_renaming_a_sku_to_a_taken_one_is_a_conflict(world: World) -> None:
    await world.product(sku="A")
    b = await world.product(sku="B")
    with pytest.raises(Conflict):
        await update_product(world.as_("admin"), b.id, {"sku": "A"}, world.deps)


async def test_delete_leaves_a_tombstone(world: World) -> None:
    product = await world.product()
    await delete_product(world.as_("admin"), product.id, world.deps)
    for call in (get_product, delete_product):
        with pytest.raises(NotFound):
            await call(world.as_("admin"), product.id, world.deps)
    await world.assert_tombstone("product", product.id)


async def test_another_tenants_product_is_not_found(world: World, other: World) -> None:
    theirs = await other.product()
    with pytest.raises(NotFound):
        await get_product(world.as_("admin"), theirs.id, world.deps)
    with pytest.raises(NotFound):
        await update_product(world.as_("admin"), theirs.id, {"name": "x"}, world.deps)


# --- the cache --------------------------------------------------------------------------


async def _behind_the_back(world: World, product_id: UUID, name: str) -> None:
    """Change a row without a use case: only a fresh read can see it."""
    async with world.uow() as uow:
        row = await uow.products.get(product_id)
        assert row is not None
        row.name = name
        await uow.products.save(row)
        await uow.commit()


async def _names(world: World, who: str = "rep_a1") -> list[str]:
    page = await list_products(world.as_(who), None, None, None, 20, world.deps)
    return [str(row["name"]) for row in page.items]


async def test_lists_come_from_the_cache_until_a_write(world: World) -> None:
    product = await world.product(name="Cached")
    assert await _names(world) == ["Cached"]
    await _behind_the_back(world, product.id, "Fresh")
    assert await _names(world) == ["Cached"]  # served from the cache
    await create_product(world.as_("admin"), _pen(), world.deps)  # any write invalidates
    assert sorted(await _names(world)) == ["Fresh", "Gel pen"]


async def test_a_search_is_never_cached(world: World) -> None:
    product = await world.product(name="Cached")
    assert await _skus(world, "rep_a1", q="cach")
    await _behind_the_back(world, product.id, "Renamed")
    assert await _skus(world, "rep_a1", q="cach") == set()


async def test_the_cache_is_per_tenant_and_per_query(world: World, other: World) -> None:
    await world.product(name="Ours")
    await other.product(name="Theirs")
    assert await _names(world) == ["Ours"]
    assert await _names(other) == ["Theirs"]
    await world.product(name="Inactive", active=False)
    await catalogue_cache.invalidate(world.deps.kv, world.id)
    assert await _names(world, "rep_a1") == ["Ours"]  # the rep's page asks for active only
    assert sorted(await _names(world, "admin")) == ["Inactive", "Ours"]


async def test_a_cached_page_is_stale_for_at_most_its_ttl(world: World) -> None:
    product = await world.product(name="Cached")
    await _names(world)
    await _behind_the_back(world, product.id, "Fresh")
    world.clock.advance(catalogue_cache.TTL_S - 1)
    assert await _names(world) == ["Cached"]
    world.clock.advance(2)
    assert await _names(world) == ["Fresh"]


async def test_the_version_key_expires_and_a_new_one_is_made(world: World) -> None:
    await create_product(world.as_("admin"), _pen(), world.deps)
    key = catalogue_cache.version_key(world.id)
    version = await world.deps.kv.get(key)
    assert version is not None
    world.clock.advance(catalogue_cache.VERSION_TTL_S + 1)
    assert await world.deps.kv.get(key) is None  # evicted or expired: never a reset counter
    assert await _names(world) == ["Gel pen"]
    assert await world.deps.kv.get(key) not in (None, version)
