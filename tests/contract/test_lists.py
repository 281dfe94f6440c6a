"""The other lists' filters (visits, products, orders, payments, users, photos), keyset
pages by id, and the single-row reads beside them."""

from __future__ import annotations

from datetime import timedelta

from fieldedge.domain.identity import Role
from fieldedge.domain.orders import Order, OrderStatus
from fieldedge.domain.payments import PaymentMethod
from fieldedge.domain.photos import PhotoStatus
from fieldedge.domain.visits import Visit, VisitFlag
from fieldedge.ports.database import Database
from fieldedge.ports.fieldforce import OrderQuery, PaymentQuery, ProductQuery, VisitQuery

from .world import NOW, contact, payment, photo, product, store, tenant, user

HOUR = timedelta(hours=1)


async def test_visit_filters_and_the_previous_check_in(database: Database) -> None:
    t = await tenant(database)
    other_rep, shop = user(t.id, manager_id=t.manager.id), contact(t.id)
    await store(database, t.scope, other_rep, shop)
    early = t.visit(checked_in_at=NOW - 2 * HOUR, verified=True)
    edge = t.visit(checked_in_at=NOW, flags=[VisitFlag.LOW_ACCURACY])
    late = t.visit(checked_in_at=NOW + HOUR, contact_id=shop.id, verified=True)
    theirs = Visit.load({**t.visit().values(), "user_id": other_rep.id})
    gone = t.visit(checked_in_at=NOW + 2 * HOUR, deleted_at=NOW)
    await store(database, t.scope, early, edge, late, theirs, gone)
    async with t.uow(database) as uow:

        async def ids(**query: object) -> set[object]:
            return {r["id"] for r in await uow.visits.list(VisitQuery(**query))}  # type: ignore[arg-type]

        assert await ids() == {early.id, edge.id, late.id, theirs.id}
        assert await ids(user_ids=[t.rep.id]) == {early.id, edge.id, late.id}
        assert await ids(user_ids=[]) == set()
        assert await ids(contact_id=shop.id) == {late.id}
        assert await ids(verified=True) == {early.id, late.id}
        assert await ids(verified=False) == {edge.id, theirs.id}
        assert await ids(since=NOW, user_ids=[t.rep.id]) == {edge.id, late.id}  # since: >=
        assert await ids(until=NOW, user_ids=[t.rep.id]) == {early.id}  # until: <
        previous = await uow.visits.previous_for(t.rep.id, NOW)
        assert previous is not None
        assert previous.id == edge.id  # at or before, the latest, never a deleted one
        latest = await uow.visits.previous_for(t.rep.id, NOW + 3 * HOUR)
        assert latest is not None
        assert latest.id == late.id
        assert await uow.visits.previous_for(t.rep.id, NOW - 3 * HOUR) is None
        assert await uow.visits.get(gone.id) is None


async def test_product_filters_and_reads_by_ids(database: Database) -> None:
    t = await tenant(database)
    para = product(t.id, sku="PCM-500", name="Paracetamol 500")
    ibu = product(t.id, sku="IBU-200", name="Ibuprofen", active=False)
    gone = product(t.id, sku="OLD-1", name="Paracetamol syrup", deleted_at=NOW)
    odd = product(t.id, sku="X_1%", name="Odd one")
    await store(database, t.scope, para, ibu, gone, odd)
    async with t.uow(database) as uow:

        async def ids(**query: object) -> set[object]:
            return {r["id"] for r in await uow.products.list(ProductQuery(**query))}  # type: ignore[arg-type]

        assert await ids() == {para.id, ibu.id, odd.id}
        assert await ids(active=True) == {para.id, odd.id}
        assert await ids(active=False) == {ibu.id}
        assert await ids(q="paracetamol") == {para.id}
        assert await ids(q="ibu-") == {ibu.id}  # the SKU is searched too
        assert await ids(q="_1%") == {odd.id}
        assert await ids(q="x%") == set()
        assert await uow.products.get(gone.id) is None
        assert await uow.products.get(gone.id, include_deleted=True) is not None
        found = await uow.products.by_ids([gone.id, ibu.id, para.id])
        assert await uow.products.by_ids([]) == []
    assert sorted(p.id for p in found) == [p.id for p in found]  # by id
    assert {p.id for p in found} == {gone.id, ibu.id, para.id}  # deleted and inactive too


async def test_order_filters(database: Database) -> None:
    t = await tenant(database)
    other_rep, shop = user(t.id), contact(t.id)
    await store(database, t.scope, other_rep, shop)
    owing = t.order(amount_paid=100)
    paid = t.order(amount_paid=1180, contact_id=shop.id)
    theirs = Order.load({**t.order().values(), "user_id": other_rep.id})
    approved = t.order()
    approved.approve(t.manager.id, NOW)
    gone = t.order(deleted_at=NOW)
    await store(database, t.scope, owing, paid, theirs, approved, gone)
    async with t.uow(database) as uow:

        async def ids(**query: object) -> set[object]:
            return {r["id"] for r in await uow.orders.list(OrderQuery(**query))}  # type: ignore[arg-type]

        assert await ids() == {owing.id, paid.id, theirs.id, approved.id}
        assert await ids(user_ids=[other_rep.id]) == {theirs.id}
        assert await ids(user_ids=[]) == set()
        assert await ids(contact_id=shop.id) == {paid.id}
        assert await ids(status=OrderStatus.APPROVED) == {approved.id}
        assert await ids(status=OrderStatus.PENDING) == {owing.id, paid.id, theirs.id}
        assert await ids(with_balance=True) == {owing.id, theirs.id, approved.id}
        assert await ids(with_balance=False) == {paid.id}
        assert await uow.orders.get(gone.id) is None
        (record,) = await uow.orders.list(OrderQuery(status=OrderStatus.APPROVED))
    assert Order.load(record) == approved


async def test_payment_filters(database: Database) -> None:
    t = await tenant(database)
    other_rep = user(t.id)
    first, second = t.order(), t.order()
    await store(database, t.scope, other_rep, first, second)
    cash = payment(t.id, first.id, t.rep.id)
    upi = payment(t.id, first.id, other_rep.id, method=PaymentMethod.UPI, reference="UPI/123")
    card = payment(t.id, second.id, t.rep.id, method=PaymentMethod.CARD)
    gone = payment(t.id, second.id, t.rep.id, deleted_at=NOW)
    await store(database, t.scope, cash, upi, card, gone)
    async with t.uow(database) as uow:

        async def ids(**query: object) -> set[object]:
            return {r["id"] for r in await uow.payments.list(PaymentQuery(**query))}  # type: ignore[arg-type]

        assert await ids() == {cash.id, upi.id, card.id}
        assert await ids(order_id=first.id) == {cash.id, upi.id}
        assert await ids(user_ids=[t.rep.id]) == {cash.id, card.id}
        assert await ids(method=PaymentMethod.UPI) == {upi.id}
        assert await ids(order_id=second.id, method=PaymentMethod.CASH) == set()
        assert await uow.payments.get(gone.id) is None
        found = await uow.payments.get(upi.id)
    assert found == upi


async def test_keyset_pages_of_every_list(database: Database) -> None:
    t = await tenant(database)
    orders = [t.order() for _ in range(3)]
    visits = [t.visit() for _ in range(3)]
    products = [product(t.id) for _ in range(3)]
    payments = [payment(t.id, orders[0].id, t.rep.id) for _ in range(3)]
    await store(database, t.scope, *orders, *visits, *products, *payments)
    queries = {
        "orders": (OrderQuery, orders),
        "visits": (VisitQuery, visits),
        "products": (ProductQuery, products),
        "payments": (PaymentQuery, payments),
    }
    async with t.uow(database) as uow:
        for name, (query, made) in queries.items():
            repository = getattr(uow, name)
            expected = sorted(e.id for e in made)
            first = await repository.list(query(limit=2))
            rest = await repository.list(query(after=first[-1]["id"], limit=2))
            assert [r["id"] for r in first] == expected[:2], name
            assert [r["id"] for r in rest] == expected[2:], name
            assert await repository.list(query(after=expected[-1])) == [], name


async def test_user_filters_and_pages(database: Database) -> None:
    t = await tenant(database)  # Meera Manager, Ravi Rep (reports to Meera)
    admin = user(t.id, role=Role.ADMIN, name="Anita Admin", email="anita@acme.in")
    off = user(t.id, manager_id=t.manager.id, name="Old Rep", active=False)
    odd = user(t.id, name="Under_score", email="x_y@acme.in")
    await store(database, t.scope, admin, off, odd)
    async with t.uow(database) as uow:

        async def ids(**filters: object) -> set[object]:
            found = await uow.users.list(after=None, limit=20, **filters)  # type: ignore[arg-type]
            return {u.id for u in found}

        assert await ids(manager_id=t.manager.id) == {t.rep.id, off.id}
        assert await ids(role=Role.ADMIN) == {admin.id}
        assert await ids(active=False) == {off.id}
        assert await ids(active=True, role=Role.SALES_REP) == {t.rep.id, odd.id}
        assert await ids(q="ANITA") == {admin.id}  # name or email
        assert await ids(q="acme.in") == {admin.id, odd.id}
        assert await ids(q="_") == {odd.id}
        everyone = sorted([t.manager.id, t.rep.id, admin.id, off.id, odd.id])
        first = await uow.users.list(after=None, limit=3)
        rest = await uow.users.list(after=first[-1].id, limit=3)
    assert [u.id for u in first] + [u.id for u in rest] == everyone


async def test_photos_of_a_visit_and_reuse_across_visits(database: Database) -> None:
    t = await tenant(database)
    one, two = t.visit(), t.visit()
    await store(database, t.scope, one, two)
    sha, other_sha = "a" * 64, "b" * 64
    ready = photo(t.id, one.id, status=PhotoStatus.READY, sha256=sha, size=100)
    pending = photo(t.id, one.id, sha256=other_sha)
    await store(database, t.scope, ready, pending)
    async with t.uow(database) as uow:
        photos = await uow.photos.for_visit(one.id)
        assert [p.id for p in photos] == sorted([ready.id, pending.id])
        assert await uow.photos.for_visit(two.id) == []
        assert await uow.photos.get(one.id, ready.id) == ready
        assert await uow.photos.get(two.id, ready.id) is None  # another visit's photo
        assert await uow.photos.used_elsewhere(sha, two.id) is True
        assert await uow.photos.used_elsewhere(sha, one.id) is False  # its own visit
        assert await uow.photos.used_elsewhere(other_sha, two.id) is False  # not ready yet
        pending.apply({"status": PhotoStatus.READY, "size": 5})
        await uow.photos.save(pending)
        assert await uow.photos.used_elsewhere(other_sha, two.id) is True
        await uow.commit()
