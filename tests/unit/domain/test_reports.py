"""The reports' calendar: the offset steps a range holds give every instant its local
day exactly (checked against ``zoneinfo`` over zones with and without DST, and a
half-hour one), weeks start on Monday, and a range is at most 366 days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldedge.domain.attendance import day_bounds
from fieldedge.domain.reports import (
    MAX_RANGE_DAYS,
    Offsets,
    check_range,
    day_number,
    day_of,
    local_day_number,
    offsets,
    week_of_day,
    week_start,
)
from fieldedge.errors import ValidationFailed

ZONES = ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]
START = day_bounds(date(2025, 6, 1), "UTC")[0]


def _local(at: datetime, found: Offsets) -> int:
    """The SQL's arithmetic: (whole epoch seconds + the offset in force) // a day."""
    seconds = found.seconds[sum(1 for step in found.steps if at >= step)]
    return (int(at.timestamp()) + seconds) // 86_400


@settings(max_examples=300, deadline=None)
@given(zone=st.sampled_from(ZONES), seconds=st.integers(0, 366 * 86_400 - 1))
def test_offset_steps_give_each_instant_its_local_day(zone: str, seconds: int) -> None:
    end = START + timedelta(days=366)
    at = START + timedelta(seconds=seconds)
    assert _local(at, offsets(START, end, zone)) == local_day_number(at, zone)


def test_steps_are_found_to_the_second() -> None:
    start, end = day_bounds(date(2026, 1, 1), "Europe/Berlin")[0], START + timedelta(days=600)
    found = offsets(start, end, "Europe/Berlin")
    assert found.steps == (
        datetime(2026, 3, 29, 1, tzinfo=UTC),
        datetime(2026, 10, 25, 1, tzinfo=UTC),
    )
    assert found.seconds == (3600, 7200, 3600)
    # Lord Howe moves by half an hour.
    howe = offsets(start, end, "Australia/Lord_Howe")
    assert {b - a for a, b in zip(howe.seconds, howe.seconds[1:], strict=False)} == {-1800, 1800}


def test_weeks_start_on_monday() -> None:
    monday = date(2026, 3, 9)
    assert week_start(week_of_day(day_number(monday))) == monday
    assert week_start(week_of_day(day_number(date(2026, 3, 15)))) == monday  # Sunday
    assert week_start(week_of_day(day_number(date(2026, 3, 8)))) == date(2026, 3, 2)
    assert day_of(day_number(monday)) == monday


def test_a_range_is_at_most_a_leap_year() -> None:
    check_range(date(2028, 1, 1), date(2028, 12, 31))  # 366 days
    check_range(date(2026, 1, 1), date(2026, 1, 1))
    with pytest.raises(ValidationFailed) as long:
        check_range(date(2026, 1, 1), date(2027, 1, 2))  # 367
    assert long.value.details == {"to": [f"A report covers at most {MAX_RANGE_DAYS} days."]}
    with pytest.raises(ValidationFailed):
        check_range(date(2026, 1, 2), date(2026, 1, 1))
