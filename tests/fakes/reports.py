"""The reports in memory: the same figures summed in Python over the stored rows, the
way the SQL statements sum them (see ``adapters/fieldedge_adapters/sql/reports.py``);
local days come from ``zoneinfo`` here, so the SQL offset arithmetic has a second,
independent oracle."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from fieldedge.domain.reports import (
    OWING,
    TAKEN,
    GroupBy,
    Offsets,
    age_bucket,
    week_of_day,
)
from fieldedge.ports.reports import AgeGroup, DayFigures, OrderGroup

from .store import ATTENDANCE, CONTACTS, ORDERS, PAYMENTS, TERRITORIES, USERS, VISITS, Row
from .txn import MemoryTxn


def _local(at: datetime, offsets: Offsets) -> int:
    """The local day number under ``offsets``, as the SQL CASE computes it."""
    seconds = offsets.seconds[sum(1 for step in offsets.steps if at >= step)]
    return (int(at.timestamp()) + seconds) // 86_400


class MemoryReportRepository:
    def __init__(self, txn: MemoryTxn) -> None:
        self._txn = txn

    async def _live(self, table: str, users: Collection[UUID] | None, who: str) -> list[Row]:
        return [
            row
            for row in await self._txn.rows(table)
            if row.get("deleted_at") is None and (users is None or row[who] in users)
        ]

    async def _taken(self, users: Collection[UUID] | None, start: datetime,
                     end: datetime) -> list[Row]:  # fmt: skip
        return [
            row
            for row in await self._live(ORDERS, users, "user_id")
            if row["status"] in TAKEN and start <= row["created_at"] < end
        ]

    async def daily(
        self, users: Collection[UUID] | None, day: date, start: datetime, end: datetime
    ) -> Mapping[UUID, DayFigures]:
        sums: dict[UUID, DayFigures] = {}

        def add(user: UUID, **values: int) -> None:
            got = sums.get(user, DayFigures())
            sums[user] = replace(got, **{k: getattr(got, k) + v for k, v in values.items()})

        for row in await self._live(ATTENDANCE, users, "user_id"):
            if row["day"] == day:
                out = row["punched_out_at"] is not None
                worked = (row["worked_minutes"] or 0) if out else 0
                add(row["user_id"], punched_in=1, punched_out=int(out), worked_minutes=worked)
        for row in await self._live(VISITS, users, "user_id"):
            if start <= row["checked_in_at"] < end:
                add(row["user_id"], visits=1, verified_visits=int(bool(row["verified"])))
        for row in await self._taken(users, start, end):
            add(row["user_id"], orders=1, order_value=row["total"])
        for row in await self._live(PAYMENTS, users, "user_id"):
            if start <= row["received_at"] < end:
                add(row["user_id"], payments=1, collections=row["amount"])
        for row in await self._live(CONTACTS, users, "created_by"):
            if row["created_by"] is not None and start <= row["created_at"] < end:
                add(row["created_by"], new_contacts=1)
        return sums

    async def orders(
        self,
        users: Collection[UUID] | None,
        start: datetime,
        end: datetime,
        group_by: GroupBy,
        offsets: Offsets,
    ) -> Sequence[OrderGroup]:
        groups: dict[Any, list[Any]] = {}  # key -> [label, orders, value, quantity]
        names = {r["id"]: r["name"] for r in await self._txn.rows(USERS)}
        names |= {r["id"]: r["name"] for r in await self._txn.rows(TERRITORIES)}
        territory = {r["id"]: r["territory_id"] for r in await self._txn.rows(CONTACTS)}
        for row in await self._taken(users, start, end):
            if group_by is GroupBy.PRODUCT:
                seen: set[Any] = set()
                for line in row["items"]:
                    key = UUID(str(line["product_id"]))
                    group = groups.setdefault(key, [line["name"], 0, 0, 0])
                    group[1] += key not in seen
                    group[2] += line["line_total"]
                    group[3] += line["quantity"]
                    seen.add(key)
                continue
            if group_by in (GroupBy.DAY, GroupBy.WEEK):
                key = _local(row["created_at"], offsets)
                key = week_of_day(key) if group_by is GroupBy.WEEK else key
            elif group_by is GroupBy.REP:
                key = row["user_id"]
            else:
                key = territory.get(row["contact_id"])
            label = names.get(key) if group_by in (GroupBy.REP, GroupBy.TERRITORY) else None
            group = groups.setdefault(key, [label, 0, 0, 0])
            group[1] += 1
            group[2] += row["total"]
        quantity = group_by is GroupBy.PRODUCT
        return [
            OrderGroup(key, label, n, value, q if quantity else None)
            for key, (label, n, value, q) in groups.items()
        ]

    async def outstanding(
        self, users: Collection[UUID] | None, bounds: Sequence[datetime]
    ) -> Sequence[AgeGroup]:
        groups: dict[tuple[UUID, str], list[int]] = {}
        for row in await self._live(ORDERS, users, "user_id"):
            if row["status"] not in OWING or row["total"] <= row["amount_paid"]:
                continue
            bucket = age_bucket(row["approved_at"] or row["created_at"], bounds)
            group = groups.setdefault((row["user_id"], bucket), [0, 0])
            group[0] += 1
            group[1] += row["total"] - row["amount_paid"]
        return [AgeGroup(user, bucket, n, b) for (user, bucket), (n, b) in groups.items()]
