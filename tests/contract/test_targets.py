"""The target repository on every implementation: one target per rep per month, a month's
targets, and a month's achievement summed from a hand-built month of real rows in a
company whose time zone is not UTC (Asia/Kolkata, UTC+05:30), boundaries included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fieldedge.domain.orders import OrderStatus
from fieldedge.domain.targets import Figures, Target, month_bounds
from fieldedge.domain.visits import VisitFlag
from fieldedge.errors import Conflict
from fieldedge.ports.database import Database

from .world import NOW, Tenant, contact, new_id, order, payment, store, tenant, user, visit

# December 2026 in Kolkata: from 1 Dec 00:00 IST to 1 Jan 00:00 IST.
START = datetime(2026, 11, 30, 18, 30, tzinfo=UTC)
END = datetime(2026, 12, 31, 18, 30, tzinfo=UTC)
MID = datetime(2026, 12, 15, 6, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def target(t: Tenant, **fields: Any) -> Target:
    values = {"id": new_id(), "company_id": t.id, "user_id": t.rep.id, "month": "2026-12",
              "order_value": 100_000, "collections": 50_000, "visits": 40, "new_contacts": 4,
              "set_by": t.manager.id, "created_at": NOW, "updated_at": NOW, **fields}  # fmt: skip
    return Target(**values)


def test_the_month_is_the_companys_local_month() -> None:
    assert month_bounds("2026-12", "Asia/Kolkata") == (START, END)
    assert month_bounds("2026-02", "UTC") == (
        datetime(2026, 2, 1, tzinfo=UTC),
        datetime(2026, 3, 1, tzinfo=UTC),
    )


async def test_one_target_per_rep_per_month(database: Database) -> None:
    t = await tenant(database)
    first = target(t)
    await store(database, t.scope, first, target(t, month="2027-01"))
    with pytest.raises(Conflict):
        await store(database, t.scope, target(t))
    async with t.uow(database) as uow:
        found = await uow.targets.for_month(t.rep.id, "2026-12", lock=True)
        assert found is not None
        assert found.id == first.id
        assert found.version > 0
        assert await uow.targets.for_month(t.manager.id, "2026-12") is None
        assert [x.month for x in await uow.targets.in_month("2027-01", None)] == ["2027-01"]
        assert await uow.targets.in_month("2026-12", [t.manager.id]) == []


async def test_another_tenants_targets_are_not_there(database: Database) -> None:
    t, other = await tenant(database), await tenant(database, "Rival Pharma")
    await store(database, other.scope, target(other))
    async with t.uow(database) as uow:
        assert await uow.targets.in_month("2026-12", None) == []
        assert await uow.targets.for_month(other.rep.id, "2026-12") is None


async def _month(t: Tenant, database: Database) -> tuple[Any, Any]:
    """The hand-built month: rep ``t.rep`` and a second rep, ``peer``, of one team."""
    peer = user(t.id, manager_id=t.manager.id, name="Priya Peer")
    await store(database, t.scope, peer)
    rep, c = t.rep.id, t.contact.id

    def o(total: int, status: OrderStatus, at: datetime, **more: Any) -> Any:
        fields = {"subtotal": total, "tax": 0, "total": total, "status": status,
                  "created_at": at, "updated_at": at}  # fmt: skip
        return order(t.id, c, more.pop("user_id", rep), **fields, **more)

    s = OrderStatus
    orders = [
        o(1_000, s.PENDING, MID),  # not accepted yet
        o(2_000, s.APPROVED, MID),
        o(3_000, s.DISPATCHED, MID),
        o(4_000, s.DELIVERED, MID),
        o(5_000, s.REJECTED, MID),
        o(6_000, s.CANCELLED, MID, approved_at=MID),  # approved, then called off
        o(7_000, s.APPROVED, START - SECOND),  # 30 Nov 23:59:59 IST
        o(8_000, s.APPROVED, START),  # 1 Dec 00:00 IST
        o(10_000, s.APPROVED, END - SECOND),  # 31 Dec 23:59:59 IST
        o(20_000, s.APPROVED, END),  # 1 Jan 00:00 IST
        o(40_000, s.APPROVED, MID, deleted_at=MID),
        o(500, s.DELIVERED, MID, user_id=peer.id),
    ]
    paid = orders[1].id

    def p(amount: int, at: datetime, **more: Any) -> Any:
        return payment(t.id, paid, more.pop("user_id", rep), amount=amount, received_at=at, **more)

    payments = [
        p(1_500, MID),
        p(2_500, MID + timedelta(days=3)),
        p(100, START - SECOND),
        p(200, START),
        p(300, END - SECOND),
        p(400, END),
        p(50, MID, deleted_at=MID),
        p(70, MID, user_id=peer.id),
    ]

    def v(at: datetime, verified: bool = True, **more: Any) -> Any:
        flags = [] if verified else [VisitFlag.OUT_OF_RANGE]
        return visit(t.id, c, more.pop("user_id", rep), checked_in_at=at, verified=verified,
                     flags=flags, **more)  # fmt: skip

    visits = [
        v(MID, checked_out_at=MID + timedelta(minutes=20)),
        v(MID + timedelta(days=1)),  # never checked out: still a verified visit
        v(START),
        v(MID, verified=False),
        v(MID, verified=False, checked_out_at=MID + timedelta(minutes=5)),
        v(START - SECOND),
        v(END),
        v(MID, deleted_at=MID),
        v(MID, user_id=peer.id),
    ]

    def k(at: datetime, by: Any = rep, **more: Any) -> Any:
        return contact(t.id, created_by=by, created_at=at, updated_at=at, **more)

    contacts = [
        k(MID),
        k(START),
        k(END - SECOND, owner_id=peer.id),  # the rep made it, the peer owns it
        k(START - SECOND),
        k(END),
        k(MID, deleted_at=MID),
        k(MID, by=peer.id, owner_id=rep),  # the peer made it for the rep
        k(MID, by=None),  # made before creators were kept: nobody's
    ]
    await store(database, t.scope, *orders, *payments, *visits, *contacts)
    return rep, peer.id


async def test_a_months_achievement_from_the_real_rows(database: Database) -> None:
    t, other = await tenant(database), await tenant(database, "Rival Pharma")
    rep, peer = await _month(t, database)
    await store(database, other.scope, other.order(status=OrderStatus.APPROVED, created_at=MID))
    async with t.uow(database) as uow:
        sums = await uow.targets.achieved([rep, peer, t.manager.id, other.rep.id], START, END)
    assert sums == {
        # 2 000 + 3 000 + 4 000 + 8 000 + 10 000; 1 500 + 2 500 + 200 + 300; 3 visits;
        # three contacts (one at the month's first instant).
        rep: Figures(order_value=27_000, collections=4_500, visits=3, new_contacts=3),
        peer: Figures(order_value=500, collections=70, visits=1, new_contacts=1),
    }


async def test_achievement_reads_only_the_reps_asked_for(database: Database) -> None:
    t = await tenant(database)
    rep, _ = await _month(t, database)
    async with t.uow(database) as uow:
        assert set(await uow.targets.achieved([rep], START, END)) == {rep}
        assert await uow.targets.achieved([], START, END) == {}
        nov = await uow.targets.achieved([rep], START - timedelta(days=30), START)
    assert nov == {rep: Figures(order_value=7_000, collections=100, visits=1, new_contacts=1)}
