"""Repositories of beat plans: beats, plans, a rep's chosen route for a day, and the
reads that put plans beside what was done (a day's activity, the compliance report).
Tenant-bound like every repository; ``user_ids`` narrows to what the caller may see
(``None``: all of the tenant's)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from fieldedge.domain.beats import Beat, Plan, RouteDay, Weekday
from fieldedge.ports.records import Record


@dataclass(frozen=True, slots=True)
class BeatQuery:
    after: UUID | None = None
    limit: int = 20
    user_ids: Collection[UUID] | None = None


@dataclass(frozen=True, slots=True)
class PlanQuery:
    after: UUID | None = None
    limit: int = 20
    user_ids: Collection[UUID] | None = None
    beat_id: UUID | None = None
    # Plans whose dates meet [day_from, day_to] (either bound may be open).
    day_from: date | None = None
    day_to: date | None = None


@dataclass(frozen=True, slots=True)
class Window:
    """One local day of the company: its date, weekday, and the UTC instants it spans
    (``start`` included, ``end`` not), so a read buckets times by local day in SQL."""

    day: date
    weekday: Weekday
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Activity:
    """A check-in of the rep in a window, and whether the rep took an order for that
    contact in the same window."""

    visit_id: UUID
    contact_id: UUID
    checked_in_at: datetime
    productive: bool


@dataclass(frozen=True, slots=True)
class Outlet:
    """What a route shows of a contact."""

    id: UUID
    name: str
    city: str | None
    latitude: float | None
    longitude: float | None
    owner_id: UUID | None = None  # who it is assigned to (whose beats may hold it)


@dataclass(frozen=True, slots=True)
class DayPlans:
    """What a rep's plans put on one day: the live plans whose dates meet it (weekday
    not yet checked: ``Plan.covers`` does that), their live beats, and the order the rep
    chose for that day (``None``: none chosen)."""

    plans: list[Plan]
    beats: dict[UUID, Beat]
    route: list[UUID] | None


@dataclass(frozen=True, slots=True)
class DayWork:
    """A rep's check-ins in a window (time order) and the live outlets a day's route
    shows: those asked for and those checked in at."""

    activity: list[Activity]
    outlets: dict[UUID, Outlet]


@dataclass(frozen=True, slots=True)
class DayCompliance:
    user_id: UUID
    day: date
    planned: int
    visited: int
    productive: int


class BeatRepository(Protocol):
    async def get(
        self, beat_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Beat | None: ...

    async def by_ids(self, beat_ids: Collection[UUID]) -> Sequence[Beat]:
        """The live beats among ``beat_ids``."""
        ...

    async def add(self, beat: Beat) -> None: ...

    async def save(self, beat: Beat) -> None: ...

    async def list(self, query: BeatQuery) -> Sequence[Record]: ...


class PlanRepository(Protocol):
    async def get(
        self, plan_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> Plan | None: ...

    async def add(self, plan: Plan) -> None: ...

    async def save(self, plan: Plan) -> None: ...

    async def list(self, query: PlanQuery) -> Sequence[Record]: ...

    async def uses_beat(self, beat_id: UUID) -> bool:
        """True when a live plan puts this beat on dates."""
        ...

    async def on_day(self, user_id: UUID, day: date) -> DayPlans:
        """The rep's plans for ``day`` with their beats and chosen route: one read."""
        ...

    async def day_work(
        self, user_id: UUID, window: Window, contact_ids: Collection[UUID]
    ) -> DayWork:
        """The rep's live check-ins in ``window``, each with whether the rep took a live
        order for its contact in the same window, and the live outlets among
        ``contact_ids`` and those checked in at: one read."""
        ...

    async def outlets(self, contact_ids: Collection[UUID]) -> Sequence[Outlet]:
        """The live contacts among ``contact_ids``."""
        ...

    async def compliance(
        self, user_ids: Collection[UUID] | None, windows: Sequence[Window]
    ) -> Sequence[DayCompliance]:
        """Per rep and window with at least one planned live contact: how many were
        planned, visited, productive (one or two statements, whatever the reps or days)."""
        ...


class RouteRepository(Protocol):
    async def get(self, route_id: UUID, *, lock: bool = False) -> RouteDay | None: ...

    async def on_day(self, user_id: UUID, day: date, *, lock: bool = False) -> RouteDay | None: ...

    async def add(self, route: RouteDay) -> None: ...

    async def save(self, route: RouteDay) -> None: ...
