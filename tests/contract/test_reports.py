"""The report repository on every implementation, against a hand-built set of rows in a
company on America/New_York across the start of daylight saving time (Sunday 8 March
2026, 02:00 EST becomes 03:00 EDT: the local day is 23 hours long), every boundary one
second either side. Each expected figure is worked out by hand in the comments."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from fieldedge.domain.attendance import day_bounds
from fieldedge.domain.identity import Role
from fieldedge.domain.orders import OrderStatus
from fieldedge.domain.reports import GroupBy, age_bounds, day_number, offsets, week_of_day
from fieldedge.ports.database import Database, Scope
from fieldedge.ports.reports import AgeGroup, DayFigures

from .world import (
    attendance_day,
    company,
    contact,
    order,
    payment,
    product,
    store,
    territory,
    user,
    visit,
)

ZONE = "America/New_York"
S = OrderStatus


def z(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def line(p: Any, quantity: int, total: int) -> dict[str, Any]:
    return {"product_id": str(p.id), "sku": p.sku, "name": p.name, "quantity": quantity,
            "unit_price": total // quantity, "tax_rate_bp": 0, "line_subtotal": total,
            "line_tax": 0, "line_total": total}  # fmt: skip


class World:
    def __init__(self) -> None:
        self.firm = company(name="Bay Pharma", timezone=ZONE, currency="USD", country="US")
        cid = self.firm.id
        self.manager = user(cid, role=Role.MANAGER, name="Meera Manager")
        self.rep = user(cid, manager_id=self.manager.id, name="Ravi Rep")
        self.peer = user(cid, manager_id=self.manager.id, name="Priya Peer")
        self.west = territory(cid, name="West")
        self.c1 = contact(cid, name="Dr. West", territory_id=self.west.id)
        self.c2 = contact(cid, name="Dr. Nowhere")
        self.p1 = product(cid, name="Paracetamol")
        self.p2 = product(cid, name="Ibuprofen")

    @property
    def scope(self) -> Scope:
        return Scope.tenant(self.firm.id)

    def order(self, total: int, status: OrderStatus, at: str, **more: Any) -> Any:
        who = more.pop("user", self.rep)
        where = more.pop("contact", self.c1)
        fields = {"subtotal": total, "tax": 0, "total": total, "status": status,
                  "created_at": z(at), "updated_at": z(at), "currency": "USD"}  # fmt: skip
        return order(self.firm.id, where.id, who.id, **{**fields, **more})


async def build(database: Database) -> World:
    w = World()
    await store(database, w.scope, w.firm)
    await store(database, w.scope, w.manager, w.rep, w.peer, w.west)
    await store(database, w.scope, w.c1, w.c2, w.p1, w.p2)
    p1, p2 = w.p1, w.p2
    o4 = w.order(4000, S.DELIVERED, "2026-03-08T05:00:00", contact=w.c2,
                 items=[line(p2, 4, 4000)], amount_paid=250,
                 approved_at=z("2026-05-02T03:59:59"))  # fmt: skip
    o5 = w.order(8000, S.PENDING, "2026-03-09T03:59:59", user=w.peer,
                 items=[line(p1, 8, 8000)], amount_paid=300)  # fmt: skip
    orders = [
        w.order(999, S.APPROVED, "2026-03-07T04:59:59"),  # 6 Mar 23:59:59 EST: before
        w.order(
            1000,
            S.APPROVED,
            "2026-03-07T05:00:00",
            items=[line(p1, 2, 600), line(p2, 1, 400)],
            approved_at=z("2026-05-02T04:00:00"),
        ),
        w.order(2000, S.PENDING, "2026-03-08T04:59:59", items=[line(p1, 5, 2000)]),
        o4,
        o5,
        w.order(16000, S.CANCELLED, "2026-03-09T04:00:00"),  # called off
        w.order(32000, S.REJECTED, "2026-03-09T12:00:00"),  # refused
        w.order(64000, S.DISPATCHED, "2026-03-09T13:00:00", deleted_at=z("2026-03-09T14:00:00")),
        w.order(
            128000,
            S.APPROVED,
            "2026-03-10T03:59:59",
            user=w.peer,
            contact=w.c2,
            items=[line(p2, 1, 128000)],
            approved_at=z("2026-01-01T00:00:00"),
        ),
        w.order(7, S.APPROVED, "2026-03-10T04:00:00", amount_paid=7),  # 10 Mar: after; paid
        # Older orders still owing: approved exactly where two age buckets meet.
        w.order(
            500,
            S.APPROVED,
            "2026-02-01T00:00:00",
            amount_paid=100,
            approved_at=z("2026-03-03T05:00:00"),
        ),
        w.order(700, S.DISPATCHED, "2026-02-01T00:00:00", approved_at=z("2026-04-02T04:00:00")),
    ]
    cid, rep, peer = w.firm.id, w.rep.id, w.peer.id
    visits = [
        visit(cid, w.c1.id, rep, checked_in_at=z("2026-03-08T04:59:59")),  # 7 Mar
        visit(cid, w.c1.id, rep, checked_in_at=z("2026-03-08T05:00:00"), verified=True),
        visit(cid, w.c1.id, rep, checked_in_at=z("2026-03-09T03:59:59")),
        visit(cid, w.c1.id, rep, checked_in_at=z("2026-03-09T04:00:00"), verified=True),  # 9 Mar
    ]
    days = [
        attendance_day(cid, rep, day=date(2026, 3, 8), punched_in_at=z("2026-03-08T13:00:00"),
                       punched_out_at=z("2026-03-08T20:00:00"), worked_minutes=420),
        attendance_day(cid, peer, day=date(2026, 3, 8), punched_in_at=z("2026-03-08T14:00:00")),
        attendance_day(cid, rep, day=date(2026, 3, 9), punched_in_at=z("2026-03-09T13:00:00"),
                       punched_out_at=z("2026-03-09T14:00:00"), worked_minutes=60),
    ]  # fmt: skip
    payments = [
        payment(cid, o4.id, rep, amount=250, received_at=z("2026-03-08T12:00:00")),
        payment(cid, o5.id, peer, amount=300, received_at=z("2026-03-09T03:59:59")),
        payment(cid, o4.id, rep, amount=1, received_at=z("2026-03-09T04:00:00")),  # 9 Mar
    ]
    new = [
        contact(cid, name="New One", created_by=rep, created_at=z("2026-03-08T10:00:00")),
        contact(cid, name="Old One", created_by=rep, created_at=z("2026-03-08T04:59:59")),
    ]
    await store(database, w.scope, *orders, *visits, *days, *new)
    await store(database, w.scope, *payments)
    # Another company's order on the same day, in the same range: never counted.
    rival = company(name="Rival", timezone=ZONE)
    rival_rep = user(rival.id, name="Rita Rival")
    rival_contact = contact(rival.id)
    await store(database, Scope.tenant(rival.id), rival)
    await store(database, Scope.tenant(rival.id), rival_rep, rival_contact)
    await store(database, Scope.tenant(rival.id),
                order(rival.id, rival_contact.id, rival_rep.id, subtotal=5, tax=0, total=5,
                      status=S.APPROVED, created_at=z("2026-03-08T12:00:00"),
                      approved_at=z("2026-03-08T12:00:00")))  # fmt: skip
    return w


RANGE = (z("2026-03-07T05:00:00"), z("2026-03-10T04:00:00"))  # 7 to 9 March, local


def test_offsets_find_the_dst_step_to_the_second() -> None:
    found = offsets(*RANGE, ZONE)
    assert found.steps == (z("2026-03-08T07:00:00"),)
    assert found.seconds == (-5 * 3600, -4 * 3600)
    assert offsets(*RANGE, "Asia/Kolkata").steps == ()
    assert day_bounds(date(2026, 3, 7), ZONE)[0] == RANGE[0]
    assert day_bounds(date(2026, 3, 9), ZONE)[1] == RANGE[1]


async def _orders(database: Database, w: World, group_by: GroupBy,
                  users: list[UUID] | None = None) -> dict[Any, tuple[Any, ...]]:  # fmt: skip
    async with database.unit_of_work(w.scope) as uow:
        groups = await uow.reports.orders(users, *RANGE, group_by, offsets(*RANGE, ZONE))
    return {g.key: (g.label, g.orders, g.value, g.quantity) for g in groups}


async def test_orders_by_local_day_and_week(database: Database) -> None:
    w = await build(database)
    d7, d8, d9 = (day_number(date(2026, 3, n)) for n in (7, 8, 9))
    assert await _orders(database, w, GroupBy.DAY) == {
        d7: (None, 2, 3000, None),  # 1000 at 00:00:00 EST and 2000 at 23:59:59 EST
        d8: (None, 2, 12000, None),  # 4000 at 00:00 EST and 8000 at 23:59:59 EDT
        d9: (None, 1, 128000, None),  # 128000 at 23:59:59 EDT (cancelled, refused, deleted out)
    }
    # Saturday 7 and Sunday 8 March are in the week of Monday 2 March; Monday 9 starts one.
    assert await _orders(database, w, GroupBy.WEEK) == {
        week_of_day(d7): (None, 4, 15000, None),
        week_of_day(d9): (None, 1, 128000, None),
    }
    assert week_of_day(d8) == week_of_day(d7) != week_of_day(d9)
    assert await _orders(database, w, GroupBy.DAY, [w.rep.id]) == {
        d7: (None, 2, 3000, None),
        d8: (None, 1, 4000, None),
    }


async def test_orders_by_rep_territory_and_product(database: Database) -> None:
    w = await build(database)
    assert await _orders(database, w, GroupBy.REP) == {
        w.rep.id: ("Ravi Rep", 3, 7000, None),
        w.peer.id: ("Priya Peer", 2, 136000, None),
    }
    assert await _orders(database, w, GroupBy.TERRITORY) == {
        w.west.id: ("West", 3, 11000, None),  # 1000 + 2000 + 8000
        None: (None, 2, 132000, None),  # 4000 + 128000 at the contact with no territory
    }
    assert await _orders(database, w, GroupBy.PRODUCT) == {
        w.p1.id: ("Paracetamol", 3, 10600, 15),  # 600 + 2000 + 8000; 2 + 5 + 8
        w.p2.id: ("Ibuprofen", 3, 132400, 6),  # 400 + 4000 + 128000; 1 + 4 + 1
    }
    assert await _orders(database, w, GroupBy.PRODUCT, [w.peer.id]) == {
        w.p1.id: ("Paracetamol", 1, 8000, 8),
        w.p2.id: ("Ibuprofen", 1, 128000, 1),
    }
    assert await _orders(database, w, GroupBy.REP, []) == {}


async def test_a_local_day_per_rep(database: Database) -> None:
    w = await build(database)
    start, end = day_bounds(date(2026, 3, 8), ZONE)  # 05:00Z to 04:00Z: 23 hours
    async with database.unit_of_work(w.scope) as uow:
        found = await uow.reports.daily(None, date(2026, 3, 8), start, end)
        team = await uow.reports.daily([w.peer.id], date(2026, 3, 8), start, end)
    assert found == {
        w.rep.id: DayFigures(punched_in=1, punched_out=1, worked_minutes=420, visits=2,
                             verified_visits=1, orders=1, order_value=4000, payments=1,
                             collections=250, new_contacts=1),
        w.peer.id: DayFigures(punched_in=1, orders=1, order_value=8000, payments=1,
                              collections=300),
    }  # fmt: skip
    assert team == {w.peer.id: found[w.peer.id]}


async def test_outstanding_balances_by_age(database: Database) -> None:
    w = await build(database)
    bounds = age_bounds(date(2026, 6, 1), ZONE)
    assert bounds == (z("2026-05-02T04:00:00"), z("2026-04-02T04:00:00"),
                      z("2026-03-03T05:00:00"))  # fmt: skip
    async with database.unit_of_work(w.scope) as uow:
        found = await uow.reports.outstanding(None, bounds)
        mine = await uow.reports.outstanding([w.peer.id], bounds)

    def key(g: AgeGroup) -> tuple[str, str]:
        return str(g.user_id), g.bucket

    assert sorted(found, key=key) == sorted([
        AgeGroup(w.rep.id, "0-30", 1, 1000),  # approved at 2 May 00:00 EDT: 30 days
        AgeGroup(w.rep.id, "31-60", 2, 3750 + 700),  # 1 May 23:59:59 (31 days); 2 Apr 00:00
        # 3 Mar 00:00 EST: 90 days, 500 less 100 paid; and 999 never approved, so aged from
        # its creation (6 Mar, 87 days).
        AgeGroup(w.rep.id, "61-90", 2, 400 + 999),
        AgeGroup(w.peer.id, "90+", 1, 128000),  # the pending and paid-up orders owe nothing
    ], key=key)  # fmt: skip
    assert mine == [AgeGroup(w.peer.id, "90+", 1, 128000)]
