"""A rep's monthly targets, and how the month stands against them.

A target is four whole numbers for one rep and one month (``YYYY-MM``): order value and
collections in minor units of the company's currency, verified visits and new contacts;
one target per rep per month. The month is the company's local month: it starts at
local midnight of its first day, wherever UTC is then.

What counts as achieved (summed from the real rows by the repository, in the month):
- order value: the ``total`` of the rep's orders taken (``created_at``) in the month that
  are APPROVED, DISPATCHED or DELIVERED now; a PENDING order has not been accepted, and a
  REJECTED or CANCELLED one (even once approved) will never be fulfilled;
- collections: the ``amount`` of payments the rep received (``received_at``) in the month;
- visits: the rep's verified visits checked in (``checked_in_at``) in the month, where
  verified is the visit's own ``verified`` (no flag raised: inside the geofence, a good
  fix, no clock skew, impossible travel, mock location or reused photo), checked out or
  not;
- new contacts: contacts the rep created (``created_by``) in the month, still live.
Deleted rows count for nothing. Percentages are achieved / target x 100, exact in
``Decimal`` and rounded half-up to one decimal; none when the target is 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated
from uuid import UUID
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, Field, StringConstraints

from fieldedge.domain.base import Entity
from fieldedge.errors import ValidationFailed

# Years 1900 to 2999: every month of them has UTC bounds in every zone.
MONTH_PATTERN = r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])$"
_MONTH = re.compile(MONTH_PATTERN)
MONTH_HINT = "A month as YYYY-MM (e.g. 2026-12)."
# Whole numbers at most BIGINT: minor units of a year's sales exceed 2**31.
MAX_FIGURE = 2**63 - 1
Figure = Annotated[int, Field(strict=True, ge=0, le=MAX_FIGURE)]
Month = Annotated[str, StringConstraints(pattern=MONTH_PATTERN)]
METRICS = ("order_value", "collections", "visits", "new_contacts")


def check_month(text: str, field: str = "month") -> str:
    """``text`` if it names a month (``2026-12``; ``2026-13`` does not), else 422."""
    if not isinstance(text, str) or not _MONTH.fullmatch(text):
        raise ValidationFailed(details={field: [MONTH_HINT]})
    return text


def month_of(at: datetime, zone: str) -> str:
    """The company's local month of instant ``at``."""
    return at.astimezone(ZoneInfo(zone)).strftime("%Y-%m")


def month_bounds(month: str, zone: str) -> tuple[datetime, datetime]:
    """The UTC instants where local ``month`` starts and where the next one starts."""
    year, number = (int(part) for part in check_month(month).split("-"))
    after = date(year + 1, 1, 1) if number == 12 else date(year, number + 1, 1)
    tz = ZoneInfo(zone)
    start = datetime.combine(date(year, number, 1), time(0), tzinfo=tz)
    end = datetime.combine(after, time(0), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Figures:
    """The four measures, as whole numbers (a target's, or what was achieved)."""

    order_value: int = 0
    collections: int = 0
    visits: int = 0
    new_contacts: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


NOTHING = Figures()


class Target(Entity):
    id: UUID
    company_id: UUID
    user_id: UUID  # the rep the target is for
    month: Month
    order_value: Figure
    collections: Figure
    visits: Figure
    new_contacts: Figure
    set_by: UUID  # who set it last (the rep's manager or an ADMIN)
    version: int = 0
    created_at: AwareDatetime
    updated_at: AwareDatetime
    deleted_at: AwareDatetime | None = None

    @property
    def figures(self) -> Figures:
        return Figures(self.order_value, self.collections, self.visits, self.new_contacts)


def percent(achieved: int, target: int) -> Decimal | None:
    """``achieved`` as a percentage of ``target``, half-up to one decimal (87.45 → 87.5);
    ``None`` for a target of 0, where no percentage means anything."""
    if target == 0:
        return None
    return (Decimal(achieved) * 100 / Decimal(target)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True, slots=True)
class Measure:
    target: int | None  # None: no target set for the month
    achieved: int
    percent: Decimal | None


@dataclass(frozen=True, slots=True)
class Progress:
    """One month of one rep (or a team's sum) against target."""

    target: Figures | None
    achieved: Figures

    def measure(self, metric: str) -> Measure:
        done = getattr(self.achieved, metric)
        if self.target is None:
            return Measure(None, done, None)
        goal = getattr(self.target, metric)
        return Measure(goal, done, percent(done, goal))
