"""The beat-plan repositories in memory: the same filters and reads as the SQL ones."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from fieldedge.domain.beats import Beat, Plan, RouteDay
from fieldedge.ports.beats import (
    Activity,
    BeatQuery,
    DayCompliance,
    DayPlans,
    DayWork,
    Outlet,
    PlanQuery,
    Window,
)
from fieldedge.ports.records import Record

from .repo import MemoryRepository, equals, one_of, where
from .store import BEATS, CONTACTS, ORDERS, PLANS, ROUTE_DAYS, VISITS, Row


class MemoryBeatRepository(MemoryRepository[Beat]):
    table, model = BEATS, Beat

    async def get(
        self, beat_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Beat | None:
        return await self._get(beat_id, include_deleted=include_deleted, lock=lock)

    async def by_ids(self, beat_ids: Collection[UUID]) -> Sequence[Beat]:
        wanted = set(beat_ids)
        return [self._entity(r) for r in await self._rows(where(self._live,
                lambda r: r["id"] in wanted))]  # fmt: skip

    async def add(self, beat: Beat) -> None:
        self._add(beat)

    async def save(self, beat: Beat) -> None:
        self._save(beat)

    async def list(self, query: BeatQuery) -> Sequence[Record]:
        test = where(lambda row: one_of(row["user_id"], query.user_ids))
        rows = await self._list(test, after=query.after, limit=query.limit)
        return [self._record(row) for row in rows]


def _meets(row: Row, day_from: date | None, day_to: date | None) -> bool:
    first = row["date"] if row["date"] is not None else row["start_date"]
    last = row["date"] if row["date"] is not None else row["end_date"]
    return (day_from is None or last >= day_from) and (day_to is None or first <= day_to)


class MemoryPlanRepository(MemoryRepository[Plan]):
    table, model = PLANS, Plan

    async def get(
        self, plan_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Plan | None:
        return await self._get(plan_id, include_deleted=include_deleted, lock=lock)

    async def add(self, plan: Plan) -> None:
        self._add(plan)

    async def save(self, plan: Plan) -> None:
        self._save(plan)

    async def list(self, query: PlanQuery) -> Sequence[Record]:
        test = where(
            lambda row: one_of(row["user_id"], query.user_ids),
            lambda row: query.beat_id is None or row["beat_id"] == query.beat_id,
            lambda row: _meets(row, query.day_from, query.day_to),
        )
        rows = await self._list(test, after=query.after, limit=query.limit)
        return [self._record(row) for row in rows]

    async def uses_beat(self, beat_id: UUID) -> bool:
        return bool(await self._rows(where(self._live, equals("beat_id", beat_id))))

    async def _live_rows(self, table: str) -> list[Row]:
        return [r for r in await self._txn.rows(table) if r["deleted_at"] is None]

    async def on_day(self, user_id: UUID, day: date) -> DayPlans:
        beats = {b["id"]: Beat.load(_bare(b)) for b in await self._live_rows(BEATS)}
        rows = [p for p in await self._live_rows(PLANS) if p["user_id"] == user_id
                and p["beat_id"] in beats and _meets(p, day, day)]  # fmt: skip
        plans = sorted((Plan.load(_bare(p)) for p in rows), key=lambda p: (p.created_at, p.id))
        routes = [r for r in await self._txn.rows(ROUTE_DAYS)
                  if r["user_id"] == user_id and r["day"] == day]  # fmt: skip
        route = list(routes[0]["contact_ids"]) if routes and plans else None
        return DayPlans(plans, {p.beat_id: beats[p.beat_id] for p in plans}, route)

    async def day_work(
        self, user_id: UUID, window: Window, contact_ids: Collection[UUID]
    ) -> DayWork:
        def within(at: Any) -> bool:
            return bool(window.start <= at < window.end)

        orders = {(o["contact_id"]) for o in await self._live_rows(ORDERS)
                  if o["user_id"] == user_id and within(o["created_at"])}  # fmt: skip
        visits = [v for v in await self._live_rows(VISITS)
                  if v["user_id"] == user_id and within(v["checked_in_at"])]  # fmt: skip
        visits.sort(key=lambda v: (v["checked_in_at"], v["id"]))
        activity = [Activity(v["id"], v["contact_id"], v["checked_in_at"],
                             v["contact_id"] in orders) for v in visits]  # fmt: skip
        wanted = set(contact_ids) | {a.contact_id for a in activity}
        return DayWork(activity, {o.id: o for o in await self.outlets(wanted)})

    async def outlets(self, contact_ids: Collection[UUID]) -> Sequence[Outlet]:
        wanted = set(contact_ids)
        return [
            Outlet(c["id"], c["name"], c["city"], c["latitude"], c["longitude"], c["owner_id"])
            for c in await self._live_rows(CONTACTS)
            if c["id"] in wanted
        ]

    async def compliance(
        self, user_ids: Collection[UUID] | None, windows: Sequence[Window]
    ) -> Sequence[DayCompliance]:
        live_contacts = {c["id"] for c in await self._live_rows(CONTACTS)}
        beats = {b["id"]: b for b in await self._live_rows(BEATS)}
        plans = [Plan.load(_bare(p)) for p in await self._live_rows(PLANS)
                 if one_of(p["user_id"], user_ids)]  # fmt: skip

        def done(table: str, at: str) -> set[tuple[UUID, date, UUID]]:
            found = set()
            for row, w in ((r, w) for r in rows[table] for w in windows):
                if w.start <= row[at] < w.end and one_of(row["user_id"], user_ids):
                    found.add((row["user_id"], w.day, row["contact_id"]))
            return found

        rows = {t: await self._live_rows(t) for t in (VISITS, ORDERS)}
        visited, ordered = done(VISITS, "checked_in_at"), done(ORDERS, "created_at")
        out = []
        for user in sorted({p.user_id for p in plans}):
            for w in windows:
                planned = {c for p in plans if p.user_id == user and p.covers(w.day)
                           and p.beat_id in beats for c in beats[p.beat_id]["contact_ids"]
                           if c in live_contacts}  # fmt: skip
                if not planned:
                    continue
                seen = {c for c in planned if (user, w.day, c) in visited}
                sold = {c for c in seen if (user, w.day, c) in ordered}
                out.append(DayCompliance(user, w.day, len(planned), len(seen), len(sold)))
        return out


def _bare(row: Row) -> Row:
    return {k: v for k, v in row.items() if k != "field_versions"}


class MemoryRouteRepository(MemoryRepository[RouteDay]):
    table, model = ROUTE_DAYS, RouteDay
    soft_delete = False

    async def get(self, route_id: UUID, *, lock: bool = False) -> RouteDay | None:
        return await self._get(route_id, lock=lock)

    async def on_day(self, user_id: UUID, day: date, *, lock: bool = False) -> RouteDay | None:
        rows = await self._rows(where(equals("user_id", user_id), equals("day", day)))
        if not rows:
            return None
        return await self._get(rows[0]["id"], lock=lock)

    async def add(self, route: RouteDay) -> None:
        self._add(route)

    async def save(self, route: RouteDay) -> None:
        self._save(route)
