"""Orders and payments as use cases: server pricing, the status machine, who may move
and see what, approval emails, and payments against the balance."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from fieldedge.domain.orders import Order, OrderStatus
from fieldedge.domain.payments import PaymentMethod
from fieldedge.domain.pricing import ItemRequest
from fieldedge.errors import (
    Conflict,
    Forbidden,
    InvalidStateTransition,
    NotFound,
    ValidationFailed,
)
from fieldedge.services.orders import (
    CreateOrder,
    OrderFilter,
    UpdateOrder,
    create_order,
    get_order,
    list_orders,
    update_order,
)
from fieldedge.services.payments import (
    PaymentFilter,
    RecordPayment,
    get_payment,
    list_payments,
    record_payment,
)

from .world import World

S = OrderStatus


async def _order(world: World, who: str = "rep_a1", quantity: int = 2) -> Order:
    contact = await world.contact(who if who.startswith("rep") else "rep_a1", email="dr@x.example")
    pen = await world.product(unit_price=1250, tax_rate_bp=1800)
    return await create_order(
        world.as_(who), CreateOrder(contact.id, [ItemRequest(pen.id, quantity)]), world.deps
    )


async def _move(world: World, who: str, order: Order, status: S, **fields: object) -> Order:
    return await update_order(
        world.as_(who), order.id, UpdateOrder(status=status, **fields), world.deps
    )


async def test_the_server_prices_and_numbers_an_order(world: World) -> None:
    first = await _order(world, quantity=3)
    second = await _order(world)
    assert (first.subtotal, first.tax, first.total) == (3750, 675, 4425)
    assert first.lines[0].line_total == 4425
    assert (first.number, second.number) == ("ORD-000001", "ORD-000002")
    assert first.currency == world.company.currency
    assert world.audit()[-2].detail == {"total": 4425, "lines": 1}


async def test_a_disagreeing_client_total_is_refused(world: World) -> None:
    contact = await world.contact("rep_a1")
    pen = await world.product()
    cmd = CreateOrder(contact.id, [ItemRequest(pen.id, 1)], total=1)
    with pytest.raises(ValidationFailed) as caught:
        await create_order(world.as_("rep_a1"), cmd, world.deps)
    assert set(caught.value.details or {}) == {"total"}


@pytest.mark.parametrize("case", ["no items", "zero", "inactive", "other contact", "deleted"])
async def test_a_bad_order_is_refused_and_nothing_written(world: World, case: str) -> None:
    contact = await world.contact("rep_a2" if case == "other contact" else "rep_a1")
    pen = await world.product(active=case != "inactive")
    if case == "deleted":
        pen = await world.product(sku="GONE", deleted_at=world.clock.now())
    items = [] if case == "no items" else [ItemRequest(pen.id, 0 if case == "zero" else 1)]
    with pytest.raises(ValidationFailed):
        await create_order(world.as_("rep_a1"), CreateOrder(contact.id, items), world.deps)
    assert "order.created" not in world.actions()


async def test_a_price_change_leaves_a_taken_order_alone(world: World) -> None:
    order = await _order(world)
    async with world.uow() as uow:
        pen = await uow.products.get(order.lines[0].product_id)
        assert pen is not None
        pen.unit_price = 9999
        await uow.products.save(pen)
        await uow.commit()
    assert (await get_order(world.as_("admin"), order.id, world.deps)).total == order.total


async def test_who_sees_which_order(world: World) -> None:
    mine = [await _order(world, who) for who in ("rep_a1", "rep_a2", "rep_b1")]

    async def seen(who: str) -> set[UUID]:
        page = await list_orders(world.as_(who), OrderFilter(), None, 50, world.deps)
        return {UUID(str(row["id"])) for row in page.items}

    assert await seen("rep_a1") == {mine[0].id}
    assert await seen("mgr_a") == {mine[0].id, mine[1].id}
    assert await seen("admin") == {o.id for o in mine}
    with pytest.raises(NotFound):
        await get_order(world.as_("mgr_b"), mine[0].id, world.deps)
    filtered = await list_orders(world.as_("mgr_a"), OrderFilter(user_id=world.people["rep_b1"].id),
                                 None, 50, world.deps)  # fmt: skip
    assert filtered.items == []


async def test_the_whole_happy_path_and_the_approval_emails(world: World) -> None:
    order = await _order(world)
    approved = await _move(world, "mgr_a", order, S.APPROVED)
    assert (approved.approved_by, approved.approved_at) == (world.people["mgr_a"].id,
                                                            world.clock.now())  # fmt: skip
    mails = world.emails("order_approved")
    assert sorted(m["to"][0] for m in mails) == sorted([world.people["rep_a1"].email,
                                                        "dr@x.example"])  # fmt: skip
    assert mails[0]["context"]["orderNumber"] == order.number
    await _move(world, "admin", order, S.DISPATCHED)
    delivered = await _move(world, "mgr_a", order, S.DELIVERED)
    assert delivered.status is S.DELIVERED
    assert world.actions()[-3:] == ["order.approved", "order.dispatched", "order.delivered"]


@pytest.mark.parametrize(
    ("path", "target"),
    [([], S.DISPATCHED), ([], S.DELIVERED), ([], S.PENDING), ([S.APPROVED], S.REJECTED),
     ([S.REJECTED], S.APPROVED), ([S.CANCELLED], S.APPROVED),
     ([S.APPROVED, S.DISPATCHED], S.CANCELLED)],
)  # fmt: skip
async def test_moves_the_machine_does_not_have(world: World, path: list[S], target: S) -> None:
    order = await _order(world)
    for step in path:
        await _move(world, "admin", order, step)
    with pytest.raises(InvalidStateTransition):
        await _move(world, "admin", order, target)


@pytest.mark.parametrize(("who", "status"), [("rep_a1", S.APPROVED), ("rep_a1", S.REJECTED)])
async def test_a_rep_may_not_decide_their_own_order(world: World, who: str, status: S) -> None:
    order = await _order(world)
    with pytest.raises(Forbidden):
        await _move(world, who, order, status)
    assert (await get_order(world.as_("admin"), order.id, world.deps)).status is S.PENDING


async def test_a_manager_may_not_approve_an_order_they_took_themselves(world: World) -> None:
    order = await _order(world, "mgr_a")
    with pytest.raises(Forbidden, match="own manager"):
        await _move(world, "mgr_a", order, S.APPROVED)
    await _move(world, "admin", order, S.APPROVED)


@pytest.mark.parametrize(("who", "status"), [("mgr_b", S.APPROVED), ("rep_a2", S.CANCELLED)])
async def test_an_order_outside_the_callers_scope_is_not_found(
    world: World, who: str, status: S
) -> None:
    order = await _order(world)
    with pytest.raises(NotFound):
        await _move(world, who, order, status)


async def test_a_rep_cancels_their_own_order_with_a_reason(world: World) -> None:
    order = await _order(world)
    cancelled = await _move(world, "rep_a1", order, S.CANCELLED, reason="Duplicate")
    assert cancelled.cancel_reason == "Duplicate"
    assert cancelled.cancelled_by == world.people["rep_a1"].id


async def test_a_reason_belongs_to_a_rejection_or_a_cancellation_only(world: World) -> None:
    order = await _order(world)
    with pytest.raises(ValidationFailed):
        await _move(world, "mgr_a", order, S.APPROVED, reason="why not")


async def test_notes_change_only_while_pending_and_only_by_the_rep(world: World) -> None:
    order = await _order(world)
    noted = await update_order(world.as_("rep_a1"), order.id, UpdateOrder(notes="Leave at gate"),
                               world.deps)  # fmt: skip
    assert noted.notes == "Leave at gate"
    with pytest.raises(Forbidden):
        await update_order(world.as_("mgr_a"), order.id, UpdateOrder(notes="x"), world.deps)
    await _move(world, "mgr_a", order, S.APPROVED)
    with pytest.raises(Conflict):
        await update_order(world.as_("rep_a1"), order.id, UpdateOrder(notes="late"), world.deps)


# --- payments ---------------------------------------------------------------------------


async def _pay(world: World, who: str, order: Order, amount: int, **fields: object) -> object:
    cmd = RecordPayment(order_id=order.id, amount=amount, method=PaymentMethod.UPI, **fields)
    return await record_payment(world.as_(who), cmd, world.deps)


async def test_partial_then_full_payment(world: World) -> None:
    order = await _order(world)  # 2950
    await _pay(world, "rep_a1", order, 950, reference="UPI-1")
    await _pay(world, "mgr_a", order, 2000)
    paid = await get_order(world.as_("admin"), order.id, world.deps)
    assert (paid.amount_paid, paid.balance_due) == (2950, 0)
    assert world.audit()[-1].detail["balanceDue"] == 0
    with pytest.raises(ValidationFailed):
        await _pay(world, "rep_a1", order, 1)  # overpayment


@pytest.mark.parametrize("status", [S.CANCELLED, S.REJECTED])
async def test_no_payment_on_a_dead_order(world: World, status: S) -> None:
    order = await _order(world)
    await _move(world, "mgr_a", order, status)
    with pytest.raises(Conflict):
        await _pay(world, "rep_a1", order, 100)


@pytest.mark.parametrize(("amount", "days"), [(0, 0.0), (-5, 0.0), (100, 2.0), (100, -367.0)])
async def test_a_bad_amount_or_date_is_refused(world: World, amount: int, days: float) -> None:
    order = await _order(world)
    at = world.clock.now() + timedelta(days=days)
    with pytest.raises(ValidationFailed):
        await _pay(world, "rep_a1", order, amount, received_at=at)
    assert (await get_order(world.as_("admin"), order.id, world.deps)).amount_paid == 0


async def test_a_receipt_dated_hours_ahead_or_months_back_is_taken(world: World) -> None:
    order = await _order(world)
    ahead = world.clock.now() + timedelta(hours=3)
    back = world.clock.now() - timedelta(days=200)
    for at in (ahead, back):
        payment = await _pay(world, "rep_a1", order, 10, received_at=at)
        assert payment.received_at == at  # type: ignore[attr-defined]


async def test_a_naive_receipt_time_is_refused(world: World) -> None:
    order = await _order(world)
    with pytest.raises(ValidationFailed) as caught:
        await _pay(world, "rep_a1", order, 10, received_at=world.clock.now().replace(tzinfo=None))
    assert set(caught.value.details or {}) == {"receivedAt"}


async def test_another_reps_order_is_not_found_for_a_payment(world: World) -> None:
    order = await _order(world, "rep_a2")
    with pytest.raises(NotFound):
        await _pay(world, "rep_a1", order, 10)


async def test_who_sees_which_payment(world: World) -> None:
    order = await _order(world)
    by_rep = await _pay(world, "rep_a1", order, 10)
    by_admin = await _pay(world, "admin", order, 10)

    async def seen(who: str) -> set[UUID]:
        page = await list_payments(world.as_(who), PaymentFilter(), None, 50, world.deps)
        return {UUID(str(row["id"])) for row in page.items}

    assert await seen("mgr_a") == {by_rep.id}  # type: ignore[attr-defined]
    assert await seen("admin") == {by_rep.id, by_admin.id}  # type: ignore[attr-defined]
    with pytest.raises(NotFound):
        await get_payment(world.as_("mgr_b"), by_rep.id, world.deps)  # type: ignore[attr-defined]
    # Who recorded it decides, not whose order it is (reported: a rep does not see an
    # admin's payment on their own order).
    assert await seen("rep_a1") == {by_rep.id}  # type: ignore[attr-defined]
