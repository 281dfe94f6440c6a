"""The catalogue, orders and payments in SQL on every backend: SKUs unique among live
products, money in BIGINT round-trips exactly, the list filters, and payments by order."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
import uuid_utils

from fieldedge.domain.contacts import Contact
from fieldedge.domain.orders import Order, OrderStatus, order_number
from fieldedge.domain.payments import Payment, PaymentMethod
from fieldedge.domain.products import Product
from fieldedge.errors import Conflict
from fieldedge.ports.database import Database, Scope
from fieldedge.ports.fieldforce import OrderQuery, PaymentQuery, ProductQuery
from fixtures.database import add_company, add_user

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BIG = 3 * 2**31  # past INTEGER: totals are BIGINT


def new_id() -> UUID:
    return UUID(bytes=uuid_utils.uuid7().bytes)


def product(company_id: UUID, sku: str, **f: Any) -> Product:
    f.setdefault("name", f"Product {sku}")
    f.setdefault("unit_price", 1999)
    return Product(id=new_id(), company_id=company_id, sku=sku, created_at=NOW, updated_at=NOW, **f)


async def test_sku_is_unique_among_live_products_of_a_company(db: Database) -> None:
    a, b = await add_company(db, "A"), await add_company(db, "B")
    first = product(a.id, "PARA-500", unit_price=BIG, tax_rate_bp=1800)
    async with db.unit_of_work(Scope.tenant(a.id)) as uow:
        await uow.products.add(first)
        await uow.commit()
    async with db.unit_of_work(Scope.tenant(a.id)) as uow:
        assert await uow.products.get(first.id) == first
        with pytest.raises(Conflict, match="SKU"):
            await uow.products.add(product(a.id, "PARA-500"))
    async with db.unit_of_work(Scope.tenant(b.id)) as uow:  # another company: its own SKUs
        await uow.products.add(product(b.id, "PARA-500"))
        await uow.commit()
    second = product(a.id, "AMOX-250")
    async with db.unit_of_work(Scope.tenant(a.id)) as uow:
        await uow.products.add(second)
        with pytest.raises(Conflict, match="SKU"):
            await uow.products.save(second.model_copy(update={"sku": "PARA-500"}))
    async with db.unit_of_work(Scope.tenant(a.id)) as uow:
        await uow.products.save(first.model_copy(update={"deleted_at": NOW}))
        reborn = product(a.id, "PARA-500")  # the deleted one's SKU is free again
        await uow.products.add(reborn)
        await uow.commit()
    async with db.unit_of_work(Scope.tenant(a.id)) as uow:
        assert await uow.products.get(first.id) is None
        assert (await uow.products.get(first.id, include_deleted=True)) is not None
        # by_ids: deleted ones included (old orders show them), other tenants' never.
        found = await uow.products.by_ids([first.id, reborn.id, new_id()])
        assert {p.id for p in found} == {first.id, reborn.id}
        assert await uow.products.by_ids([]) == []


async def test_product_list_filters(db: Database) -> None:
    company = await add_company(db)
    rows = [
        product(company.id, "PARA-500", name="Paracetamol 500"),
        product(company.id, "AMOX_250", name="Amoxicillin", active=False),
        product(company.id, "ZINC-10", name="Zinc 10%", deleted_at=NOW),
    ]
    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        for p in rows:
            await uow.products.add(p)
        await uow.commit()

    async def skus(**query: Any) -> list[str]:
        async with db.unit_of_work(Scope.tenant(company.id)) as uow:
            return [p.sku for p in await uow.products.list(ProductQuery(**query))]

    assert await skus() == ["PARA-500", "AMOX_250"]
    assert await skus(active=True) == ["PARA-500"]
    assert await skus(active=False) == ["AMOX_250"]
    assert await skus(q="para") == ["PARA-500"]
    assert await skus(q="x_2") == ["AMOX_250"]
    assert await skus(q="_") == ["AMOX_250"]  # literal underscore, not "any character"
    assert await skus(q="10%") == []  # only a deleted product has it


async def graph(db: Database) -> tuple[UUID, list[UUID], list[UUID]]:
    """A company, two reps and two contacts."""
    company = await add_company(db)
    reps = [(await add_user(db, company.id, f"r{i}@acme.example")).id for i in (1, 2)]
    contacts = [
        Contact(id=new_id(), company_id=company.id, name=f"C{i}", created_at=NOW, updated_at=NOW)
        for i in (1, 2)
    ]
    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        for c in contacts:
            await uow.contacts.add(c)
        await uow.commit()
    return company.id, reps, [c.id for c in contacts]


def order(company_id: UUID, n: int, user_id: UUID, contact_id: UUID, **f: Any) -> Order:
    return Order(
        id=new_id(), company_id=company_id, number=order_number(n), user_id=user_id,
        contact_id=contact_id, currency="INR", created_at=NOW, updated_at=NOW, **f,
    )  # fmt: skip


async def test_orders_round_trip_and_filter(db: Database) -> None:
    company, (r1, r2), (c1, c2) = await graph(db)
    line = {"productId": str(new_id()), "sku": "P", "quantity": 3, "unitPrice": BIG}
    big = order(company, 1, r1, c1, items=[line], subtotal=BIG * 3, tax=5, total=BIG * 3 + 5)
    paid = order(company, 2, r1, c2, total=500, amount_paid=500, status=OrderStatus.DELIVERED)
    other = order(company, 3, r2, c1, total=900, amount_paid=100)
    async with db.unit_of_work(Scope.tenant(company)) as uow:
        for o in (big, paid, other):
            await uow.orders.add(o)
        with pytest.raises(Conflict):
            await uow.orders.add(order(company, 3, r2, c1))
    async with db.unit_of_work(Scope.tenant(company)) as uow:
        for o in (big, paid, other):
            await uow.orders.add(o)
        await uow.commit()
    async with db.unit_of_work(Scope.tenant(company)) as uow:
        assert await uow.orders.get(big.id) == big
        moved = await uow.orders.get(big.id)
        assert moved is not None
        moved.approve(r2, NOW)
        await uow.orders.save(moved)
        await uow.commit()

    async def numbers(**query: Any) -> list[str]:
        async with db.unit_of_work(Scope.tenant(company)) as uow:
            return [o.number for o in await uow.orders.list(OrderQuery(**query))]

    one, two, three = (order_number(n) for n in (1, 2, 3))
    assert await numbers() == [one, two, three]
    assert await numbers(user_ids=[r1]) == [one, two]
    assert await numbers(user_ids=[]) == []
    assert await numbers(contact_id=c1) == [one, three]
    assert await numbers(status=OrderStatus.APPROVED) == [one]
    assert await numbers(status=OrderStatus.PENDING) == [three]
    assert await numbers(with_balance=True) == [one, three]
    assert await numbers(with_balance=False) == [two]
    assert await numbers(after=big.id, limit=1) == [two]


async def test_payments_by_order_collector_and_method(db: Database) -> None:
    company, (r1, r2), (c1, _) = await graph(db)
    o1, o2 = order(company, 1, r1, c1, total=BIG), order(company, 2, r2, c1, total=1000)

    def pay(o: Order, by: UUID, method: PaymentMethod, amount: int) -> Payment:
        return Payment(
            id=new_id(), company_id=company, order_id=o.id, user_id=by, amount=amount,
            method=method, received_at=NOW, created_at=NOW, updated_at=NOW,
        )  # fmt: skip

    p1 = pay(o1, r1, PaymentMethod.BANK_TRANSFER, BIG - 1)
    p2, p3 = pay(o1, r1, PaymentMethod.UPI, 1), pay(o2, r2, PaymentMethod.CASH, 400)
    async with db.unit_of_work(Scope.tenant(company)) as uow:
        for o in (o1, o2):
            await uow.orders.add(o)
        for p in (p1, p2, p3):
            await uow.payments.add(p)
        await uow.commit()

    async def ids(**query: Any) -> list[UUID]:
        async with db.unit_of_work(Scope.tenant(company)) as uow:
            return [p.id for p in await uow.payments.list(PaymentQuery(**query))]

    assert await ids() == [p1.id, p2.id, p3.id]
    assert await ids(order_id=o1.id) == [p1.id, p2.id]
    assert await ids(user_ids=[r2]) == [p3.id]
    assert await ids(method=PaymentMethod.BANK_TRANSFER) == [p1.id]
    async with db.unit_of_work(Scope.tenant(company)) as uow:
        assert await uow.payments.get(p1.id) == p1
    stranger = await add_company(db, "B")
    async with db.unit_of_work(Scope.tenant(stranger.id)) as uow:
        assert await uow.payments.get(p1.id) is None
        assert await uow.payments.list(PaymentQuery()) == []
        assert await uow.orders.get(o1.id) is None
        assert await uow.orders.list(OrderQuery()) == []
        assert await uow.products.list(ProductQuery()) == []
