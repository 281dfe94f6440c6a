"""Beat plans: the outlets a rep is meant to visit, and on which days.

A beat is a rep's named, ordered list of contacts (a route). A plan puts a beat on
dates: once (``date``), or weekly on chosen weekdays from ``start_date`` to ``end_date``
(both included). A rep's planned outlets for a local day are the contacts of the beats
their plans put on it, in plan order then beat order, each once. A route day is the
order the rep chose for one local day (a permutation of that day's planned outlets).

What a day's outlets came to: visited (the rep checked in at it that local day),
productive (the rep also took an order for it that local day), missed (not visited, and
the day is over), pending (not visited, and the day is today). Compliance is visited /
planned, strike rate productive / visited, as percentages rounded half-up to one
decimal (``None`` when the divisor is 0).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, Field, StringConstraints, model_validator

from fieldedge.domain.base import Entity
from fieldedge.errors import ValidationFailed

MAX_STOPS = 200  # contacts in one beat: a day's route, with room to spare
MAX_SPAN_DAYS = 366  # a weekly plan covers at most a year


class Weekday(StrEnum):
    MON = "MON"
    TUE = "TUE"
    WED = "WED"
    THU = "THU"
    FRI = "FRI"
    SAT = "SAT"
    SUN = "SUN"


WEEKDAYS = list(Weekday)  # index = date.weekday()


def weekday_of(day: dt.date) -> Weekday:
    return WEEKDAYS[day.weekday()]


class StopStatus(StrEnum):
    PRODUCTIVE = "PRODUCTIVE"  # visited, and an order taken there that day
    VISITED = "VISITED"  # checked in that day, no order
    MISSED = "MISSED"  # not visited, and the day is over
    PENDING = "PENDING"  # not visited yet, and the day is today (or later)


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


def _unique(ids: list[UUID], field: str) -> dict[str, list[str]]:
    if len(set(ids)) != len(ids):
        return {field: ["Each contact may appear once."]}
    return {}


class Beat(Entity):
    id: UUID
    company_id: UUID
    user_id: UUID  # the rep who walks it
    name: Name
    contact_ids: list[UUID] = Field(min_length=1, max_length=MAX_STOPS)
    version: int = 0
    created_at: AwareDatetime
    updated_at: AwareDatetime
    deleted_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _no_repeats(self) -> Beat:
        details = _unique(self.contact_ids, "contactIds")
        if details:
            raise ValidationFailed(details=details)
        return self


class Plan(Entity):
    id: UUID
    company_id: UUID
    user_id: UUID  # the beat's rep (a plan follows its beat)
    beat_id: UUID
    date: dt.date | None = None  # a one-off plan's day
    weekdays: list[Weekday] = Field(default_factory=list, max_length=7)
    start_date: dt.date | None = None  # a weekly plan's first day...
    end_date: dt.date | None = None  # ... and its last, included
    version: int = 0
    created_at: AwareDatetime
    updated_at: AwareDatetime
    deleted_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Plan:
        details: dict[str, list[str]] = {}
        weekly = (self.weekdays, self.start_date, self.end_date)
        if self.date is not None:
            if any(weekly):
                details["date"] = ["A plan is one-off (date) or weekly (weekdays, "
                                   "startDate, endDate), not both."]  # fmt: skip
        else:
            if not self.weekdays:
                details["weekdays"] = ["A weekly plan needs at least one weekday "
                                       "(or give a one-off date)."]  # fmt: skip
            if self.start_date is None:
                details["startDate"] = ["A weekly plan needs its start date."]
            if self.end_date is None:
                details["endDate"] = ["A weekly plan needs its end date."]
            if self.start_date and self.end_date:
                if self.end_date < self.start_date:
                    details["endDate"] = ["Cannot be before startDate."]
                elif (self.end_date - self.start_date).days >= MAX_SPAN_DAYS:
                    details["endDate"] = [f"A plan covers at most {MAX_SPAN_DAYS} days."]
        if len(set(self.weekdays)) != len(self.weekdays):
            details["weekdays"] = ["Each weekday may appear once."]
        if details:
            raise ValidationFailed(details=details)
        return self

    def covers(self, day: dt.date) -> bool:
        if self.date is not None:
            return self.date == day
        assert self.start_date is not None
        assert self.end_date is not None
        return self.start_date <= day <= self.end_date and weekday_of(day) in self.weekdays


class RouteDay(Entity):
    """The order a rep chose for one local day's planned outlets."""

    id: UUID
    company_id: UUID
    user_id: UUID
    day: dt.date
    contact_ids: list[UUID] = Field(max_length=MAX_STOPS * 7)
    version: int = 0
    created_at: AwareDatetime
    updated_at: AwareDatetime


def planned_order(plans: list[Plan], beats: dict[UUID, Beat], day: dt.date) -> list[UUID]:
    """The day's planned contacts: plans in creation order, each beat's contacts in its
    order, each contact once (its first place)."""
    seen: dict[UUID, None] = {}
    for plan in sorted(plans, key=lambda p: (p.created_at, p.id)):
        beat = beats.get(plan.beat_id)
        if beat is None or not plan.covers(day):
            continue
        for contact_id in beat.contact_ids:
            seen.setdefault(contact_id, None)
    return list(seen)


def routed(planned: list[UUID], chosen: list[UUID] | None) -> list[UUID]:
    """``planned`` in the order the rep chose: the chosen ones still planned first, in
    their order, then any planned since the choice, in plan order."""
    if not chosen:
        return planned
    left = set(planned)
    first = [c for c in chosen if c in left]
    taken = set(first)  # once: a set per planned contact hashed every id again
    rest = [c for c in planned if c not in taken]
    return first + rest


def check_permutation(planned: list[UUID], asked: list[UUID]) -> None:
    """``asked`` must be ``planned`` reordered: nothing added, dropped or repeated."""
    if len(set(asked)) != len(asked):
        raise ValidationFailed(details={"contactIds": ["Each contact may appear once."]})
    extra = set(asked) - set(planned)
    if extra:
        raise ValidationFailed(
            details={"contactIds": ["Only today's planned contacts can be reordered; "
                                    f"not planned today: {', '.join(sorted(map(str, extra)))}."]}
        )  # fmt: skip
    if set(asked) != set(planned):
        raise ValidationFailed(details={"contactIds": ["Must list every planned contact."]})


def percent(part: int, whole: int) -> float | None:
    """``part / whole`` as a percentage rounded half-up to one decimal; None for 0/0."""
    if whole == 0:
        return None
    value = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return float(value)


def stop_status(visited: bool, productive: bool, day: dt.date, today: dt.date) -> StopStatus:
    if productive:
        return StopStatus.PRODUCTIVE
    if visited:
        return StopStatus.VISITED
    return StopStatus.MISSED if day < today else StopStatus.PENDING
