"""The manager's reports: what each figure counts, and the company-local calendar they use.

A report's days are the company's local days. SQL buckets an instant into its local day
without time-zone support (SQLite has none) by the zone's UTC offset, which is constant
between transitions: ``offsets`` gives the few (instant, offset) steps a range holds, so
``local day number = (epoch seconds + offset) // 86400`` is exact, DST days included.
Day ``n`` is ``EPOCH_DAY + n days``; week ``w`` (weeks start on Monday) holds the days
``n`` with ``(n + 3) // 7 == w`` (1970-01-01 was a Thursday).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from fieldedge.domain.orders import OrderStatus
from fieldedge.errors import ValidationFailed

MAX_RANGE_DAYS = 366  # a report covers at most a (leap) year, both ends included
EPOCH_DAY = date(1970, 1, 1)
DAY_S = 86_400
# The orders a report counts as taken: every one not refused or called off.
TAKEN = (OrderStatus.PENDING, OrderStatus.APPROVED, OrderStatus.DISPATCHED, OrderStatus.DELIVERED)
# The orders that owe money: accepted by a manager (the payment reminders' ``PAYABLE``).
OWING = (OrderStatus.APPROVED, OrderStatus.DISPATCHED, OrderStatus.DELIVERED)
# Age buckets of an outstanding balance, in whole local days since approval: (label, lo, hi).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("90+", 91, None),
)


class GroupBy(StrEnum):
    DAY = "day"
    WEEK = "week"
    REP = "rep"
    PRODUCT = "product"
    TERRITORY = "territory"


class Presence(StrEnum):
    """A rep's attendance on a day: punched in and not out, punched out, or no day at all."""

    IN = "in"
    OUT = "out"
    ABSENT = "absent"


@dataclass(frozen=True, slots=True)
class Offsets:
    """The zone's UTC offset over a range: ``seconds[0]`` before ``steps[0]``,
    ``seconds[i + 1]`` from ``steps[i]`` on (``len(seconds) == len(steps) + 1``)."""

    steps: tuple[datetime, ...]
    seconds: tuple[int, ...]


def check_range(day_from: date, day_to: date) -> None:
    """``to`` not before ``from`` and at most ``MAX_RANGE_DAYS`` days, both included."""
    if day_to < day_from:
        raise ValidationFailed(details={"to": ["Cannot be before from."]})
    if (day_to - day_from).days + 1 > MAX_RANGE_DAYS:
        raise ValidationFailed(details={"to": [f"A report covers at most {MAX_RANGE_DAYS} days."]})


def _offset(at: datetime, tz: ZoneInfo) -> int:
    delta = at.astimezone(tz).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def offsets(start: datetime, end: datetime, zone: str) -> Offsets:
    """The offset steps of ``zone`` within [start, end): scanned a day at a time (no zone
    changes its offset twice within a day), each step found to the second by bisection
    (zones change offset on whole minutes). A year costs ~400 offset look-ups."""
    tz = ZoneInfo(zone)
    steps: list[datetime] = []
    seconds = [_offset(start, tz)]
    at = start
    while at < end:
        after = min(at + timedelta(days=1), end)
        if _offset(after, tz) != seconds[-1]:
            lo, hi = at, after  # offset(lo) is the current one, offset(hi) the next
            while hi - lo > timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                lo, hi = (mid, hi) if _offset(mid, tz) == seconds[-1] else (lo, mid)
            steps.append(hi.replace(microsecond=0))
            seconds.append(_offset(hi, tz))
        at = after
    return Offsets(tuple(steps), tuple(seconds))


def day_number(day: date) -> int:
    return (day - EPOCH_DAY).days


def day_of(number: int) -> date:
    return EPOCH_DAY + timedelta(days=number)


def week_of_day(number: int) -> int:
    return (number + 3) // 7


def week_start(week: int) -> date:
    """The Monday that starts week ``week``."""
    return day_of(week * 7 - 3)


def local_day_number(at: datetime, zone: str) -> int:
    """What the SQL bucketing computes, for one instant (the fakes' and tests' oracle)."""
    return day_number(at.astimezone(ZoneInfo(zone)).date())


def age_bounds(today: date, zone: str) -> tuple[datetime, ...]:
    """The UTC instants where the buckets after the first begin, newest first: a balance
    approved at or after ``bounds[0]`` is 0-30 days old, at or after ``bounds[1]`` 31-60,
    and so on; older is 90+."""
    tz = ZoneInfo(zone)
    starts = []
    for _label, _lo, hi in AGE_BUCKETS[:-1]:
        assert hi is not None
        first = today - timedelta(days=hi)  # the oldest local day of the bucket
        starts.append(datetime.combine(first, datetime.min.time(), tzinfo=tz).astimezone(UTC))
    return tuple(starts)


def age_bucket(approved: datetime, bounds: Sequence[datetime]) -> str:
    for (label, _lo, _hi), bound in zip(AGE_BUCKETS, bounds, strict=False):
        if approved >= bound:
            return label
    return AGE_BUCKETS[-1][0]
