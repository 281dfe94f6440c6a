"""The reports' reads: every figure summed by the database, a fixed number of statements
however many reps, days or orders a report covers (see ``domain.reports`` for what each
figure counts). Tenant-bound like every repository; ``users`` ``None`` is the whole
company, otherwise only the rows of those reps."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from fieldedge.domain.reports import GroupBy, Offsets


@dataclass(frozen=True, slots=True)
class DayFigures:
    """One rep's local day, as summed from the rows (zero where there were none)."""

    punched_in: int = 0  # 1 when the rep has an attendance day for the date
    punched_out: int = 0  # 1 when that day is punched out
    worked_minutes: int = 0  # the punched-out day's worked minutes
    visits: int = 0
    verified_visits: int = 0
    orders: int = 0
    order_value: int = 0
    payments: int = 0
    collections: int = 0
    new_contacts: int = 0


@dataclass(frozen=True, slots=True)
class OrderGroup:
    """One group of the orders report. ``key``: the local day or week number
    (``domain.reports``), or the rep, product or territory id (``None``: orders whose
    contact has no territory). ``label``: the rep's, product's or territory's name."""

    key: int | UUID | None
    label: str | None
    orders: int
    value: int
    quantity: int | None = None  # product groups only: units ordered


@dataclass(frozen=True, slots=True)
class AgeGroup:
    """The outstanding balances of one rep's orders in one age bucket."""

    user_id: UUID
    bucket: str
    orders: int
    balance: int


class ReportRepository(Protocol):
    async def daily(
        self, users: Collection[UUID] | None, day: date, start: datetime, end: datetime
    ) -> Mapping[UUID, DayFigures]:
        """Each rep's figures for local ``day`` (attendance) and the instants
        [start, end) (everything else); a rep with nothing that day is absent."""
        ...

    async def orders(
        self,
        users: Collection[UUID] | None,
        start: datetime,
        end: datetime,
        group_by: GroupBy,
        offsets: Offsets,
    ) -> Sequence[OrderGroup]:
        """Orders taken in [start, end), grouped; groups with no orders are absent.
        ``offsets`` buckets times into local days and weeks."""
        ...

    async def outstanding(
        self, users: Collection[UUID] | None, bounds: Sequence[datetime]
    ) -> Sequence[AgeGroup]:
        """Owing orders with a balance, per rep and age bucket (``domain.reports.age_bounds``)."""
        ...
