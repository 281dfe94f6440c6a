"""The maintenance schedule's rule (``domain.maintenance.plan``), with no I/O: intervals in
days, weeks and months (month ends keep their day), meters, lead times, the next due
date from the plan date or the completion date, catch-up after missed days up to the
cap, and the refusals (zero or negative intervals, a meter on a calendar schedule)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldedge.domain.equipment import EquipmentType
from fieldedge.domain.maintenance import (
    DueBasis,
    IntervalUnit,
    Last,
    MaintenanceSchedule,
    add_months,
    check_meter,
    plan,
)
from fieldedge.domain.work_orders import WorkOrderStatus
from fieldedge.errors import ValidationFailed

NOW = datetime(2026, 1, 3, 10, tzinfo=UTC)
W = WorkOrderStatus


def schedule(**fields: Any) -> MaintenanceSchedule:
    values: dict[str, Any] = {
        "id": uuid4(), "company_id": uuid4(), "name": "Service", "equipment_id": uuid4(),
        "every": 1, "unit": IntervalUnit.MONTHS, "first_due_on": date(2026, 1, 31),
        "created_at": NOW, "updated_at": NOW,
    }  # fmt: skip
    if fields.get("unit") is IntervalUnit.METER:
        values.pop("first_due_on")
    return MaintenanceSchedule(**(values | fields))


def dates(s: MaintenanceSchedule, last: Last | None, today: date, cap: int = 100) -> list[date]:
    due = plan(s, last, today=today, reading=None, since=None, cap=cap)
    return [o.planned_on for o in due.occurrences if o.planned_on is not None]


def test_months_keep_the_day_of_the_month_through_short_months() -> None:
    assert add_months(date(2026, 1, 31), 1, 31) == date(2026, 2, 28)
    assert add_months(date(2026, 2, 28), 1, 31) == date(2026, 3, 31)  # the anchor, not Feb's 28
    assert add_months(date(2028, 1, 31), 1, 31) == date(2028, 2, 29)  # a leap year
    assert add_months(date(2026, 11, 30), 3, 30) == date(2027, 2, 28)
    s = schedule()
    assert dates(s, None, date(2026, 6, 1)) == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30),
        date(2026, 5, 31),
    ]  # fmt: skip


def test_after_a_short_month_the_plan_basis_returns_to_the_anchor_day() -> None:
    s = schedule()
    last = Last(occurrence=2, status=W.OPEN, planned_on=date(2026, 2, 28))
    due = plan(s, last, today=date(2026, 1, 1), reading=None, since=None, cap=5)
    assert due.occurrences == []
    assert due.next is not None
    assert (due.next.number, due.next.planned_on) == (3, date(2026, 3, 31))


@pytest.mark.parametrize(
    ("unit", "every", "second"),
    [
        (IntervalUnit.DAYS, 10, date(2026, 3, 11)),
        (IntervalUnit.WEEKS, 2, date(2026, 3, 15)),
        (IntervalUnit.MONTHS, 3, date(2026, 6, 1)),
    ],
)
def test_each_calendar_unit_steps_from_the_first_plan_date(
    unit: IntervalUnit, every: int, second: date
) -> None:
    s = schedule(unit=unit, every=every, first_due_on=date(2026, 3, 1))
    assert dates(s, None, second) == [date(2026, 3, 1), second]
    assert dates(s, None, date(2026, 2, 28)) == []


def test_a_lead_time_makes_the_work_order_that_many_days_early() -> None:
    s = schedule(unit=IntervalUnit.DAYS, every=30, first_due_on=date(2026, 3, 10), lead=7)
    assert dates(s, None, date(2026, 3, 2)) == []
    assert dates(s, None, date(2026, 3, 3)) == [date(2026, 3, 10)]


def test_plan_basis_counts_from_the_plan_date_whenever_it_was_completed() -> None:
    s = schedule(unit=IntervalUnit.DAYS, every=30, first_due_on=date(2026, 3, 1))
    late = Last(1, W.COMPLETED, planned_on=date(2026, 3, 1), completed_on=date(2026, 3, 20))
    due = plan(s, late, today=date(2026, 3, 31), reading=None, since=None, cap=5)
    assert [(o.number, o.planned_on) for o in due.occurrences] == [(2, date(2026, 3, 31))]


def test_completion_basis_counts_from_the_completion_day_and_waits_while_open() -> None:
    s = schedule(unit=IntervalUnit.DAYS, every=30, first_due_on=date(2026, 3, 1),
                 basis=DueBasis.COMPLETION)  # fmt: skip
    open_ = Last(1, W.IN_PROGRESS, planned_on=date(2026, 3, 1))
    waiting = plan(s, open_, today=date(2027, 1, 1), reading=None, since=None, cap=5)
    assert (waiting.occurrences, waiting.next) == ([], None)  # nothing until it is done
    done = Last(1, W.COMPLETED, planned_on=date(2026, 3, 1), completed_on=date(2026, 3, 20))
    due = plan(s, done, today=date(2026, 4, 1), reading=None, since=None, cap=5)
    assert due.occurrences == []
    assert due.next is not None
    assert (due.next.number, due.next.planned_on) == (2, date(2026, 4, 19))
    # Long overdue: one work order, never a catch-up of several.
    late = plan(s, done, today=date(2027, 1, 1), reading=None, since=None, cap=5)
    assert [(o.number, o.planned_on) for o in late.occurrences] == [(2, date(2026, 4, 19))]
    assert (late.skipped, late.next) == (0, None)
    # A cancelled one counts from its plan date.
    dropped = Last(1, W.CANCELLED, planned_on=date(2026, 3, 1))
    after = plan(s, dropped, today=date(2026, 3, 31), reading=None, since=None, cap=5)
    assert [o.planned_on for o in after.occurrences] == [date(2026, 3, 31)]


def test_completion_basis_months_take_the_completion_days_day_of_month() -> None:
    s = schedule(basis=DueBasis.COMPLETION, first_due_on=date(2026, 1, 15))
    done = Last(1, W.COMPLETED, planned_on=date(2026, 1, 15), completed_on=date(2026, 1, 31))
    due = plan(s, done, today=date(2026, 1, 31), reading=None, since=None, cap=5)
    assert due.next is not None
    assert due.next.planned_on == date(2026, 2, 28)


def test_missed_days_are_caught_up_one_work_order_each_up_to_the_cap() -> None:
    s = schedule(unit=IntervalUnit.DAYS, every=7, first_due_on=date(2026, 3, 2))
    last = Last(1, W.COMPLETED, planned_on=date(2026, 3, 2))
    # Ten weeks without a run: occurrences 2 to 11 are due (Mar 9 … May 11).
    due = plan(s, last, today=date(2026, 5, 11), reading=None, since=None, cap=4)
    assert [o.number for o in due.occurrences] == [8, 9, 10, 11]  # the newest four
    assert due.skipped == 6
    assert due.occurrences[-1].planned_on == date(2026, 5, 11)
    assert due.next is not None
    assert (due.next.number, due.next.planned_on) == (
        12,
        date(2026, 5, 18),
    )
    under = plan(s, last, today=date(2026, 3, 23), reading=None, since=None, cap=4)
    assert ([o.number for o in under.occurrences], under.skipped) == ([2, 3, 4], 0)


def test_a_machine_newer_than_the_first_occurrences_does_not_catch_them_up() -> None:
    s = schedule(unit=IntervalUnit.DAYS, every=7, first_due_on=date(2026, 1, 5),
                 equipment_id=None, equipment_type_id=uuid4())  # fmt: skip
    due = plan(s, None, today=date(2026, 3, 2), reading=None, since=date(2026, 3, 1), cap=3)
    assert [(o.number, o.planned_on) for o in due.occurrences] == [(9, date(2026, 3, 2))]
    assert due.skipped == 0


def test_meter_schedules_count_readings_with_a_lead_in_units() -> None:
    s = schedule(unit=IntervalUnit.METER, meter="hours", every=500, lead=20)
    assert plan(s, None, today=date(2026, 1, 1), reading=None, since=None, cap=3).occurrences == []
    early = plan(s, None, today=date(2026, 1, 1), reading=479, since=None, cap=3)
    assert early.occurrences == []
    assert early.next is not None
    assert early.next.planned_reading == 500  # first due at one interval, by default
    due = plan(s, None, today=date(2026, 1, 1), reading=480, since=None, cap=3)
    assert [(o.number, o.planned_reading) for o in due.occurrences] == [(1, 500)]
    last = Last(1, W.OPEN, planned_reading=500)
    jumped = plan(s, last, today=date(2026, 1, 1), reading=2600, since=None, cap=2)
    assert [o.planned_reading for o in jumped.occurrences] == [2000, 2500]
    assert jumped.skipped == 2  # 1000 and 1500


def test_meter_completion_basis_counts_from_the_reading_taken_at_completion() -> None:
    s = schedule(unit=IntervalUnit.METER, meter="hours", every=500, basis=DueBasis.COMPLETION)
    done = Last(1, W.COMPLETED, planned_reading=500, completed_reading=640)
    due = plan(s, done, today=date(2026, 1, 1), reading=900, since=None, cap=3)
    assert due.next is not None
    assert due.next.planned_reading == 1140
    unread = Last(1, W.COMPLETED, planned_reading=500)
    assert plan(s, unread, today=date(2026, 1, 1), reading=1000, since=None, cap=3).occurrences


@pytest.mark.parametrize("every", [0, -1, -30])
def test_a_zero_or_negative_interval_is_refused(every: int) -> None:
    with pytest.raises(ValidationFailed) as refused:
        schedule(every=every)
    assert "every" in refused.value.details


def test_the_shape_rules_name_their_field() -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"unit": IntervalUnit.METER}, "meter"),  # a METER schedule names its meter
        ({"meter": "hours"}, "meter"),  # a calendar schedule has none
        ({"first_due_on": None}, "firstDueOn"),
        ({"equipment_type_id": uuid4()}, "equipmentId"),  # both targets
        ({"equipment_id": None}, "equipmentId"),  # neither
        ({"lead": -1}, "lead"),
    ]
    for fields, name in cases:
        with pytest.raises(ValidationFailed) as refused:
            schedule(**fields)
        assert name in refused.value.details, (fields, refused.value.details)


def test_a_meter_must_be_a_number_attribute_of_the_type() -> None:
    kind = EquipmentType(
        id=uuid4(), company_id=uuid4(), name="Compressor", created_at=NOW, updated_at=NOW,
        attributes=[{"name": "hours", "kind": "number"}, {"name": "colour", "kind": "string"}],
    )  # fmt: skip
    check_meter(schedule(unit=IntervalUnit.METER, meter="hours", every=250), kind)
    for meter in ("colour", "cycles"):
        with pytest.raises(ValidationFailed) as refused:
            check_meter(schedule(unit=IntervalUnit.METER, meter=meter, every=250), kind)
        assert "meter" in refused.value.details


@given(
    every=st.integers(1, 40),
    unit=st.sampled_from([IntervalUnit.DAYS, IntervalUnit.WEEKS, IntervalUnit.MONTHS]),
    first=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    days=st.integers(0, 4000),
    cap=st.integers(1, 10),
)
def test_plan_basis_runs_never_make_an_occurrence_twice_or_leave_a_gap(
    every: int, unit: IntervalUnit, first: date, days: int, cap: int
) -> None:
    """Running every day, or once after a gap, the occurrences made are numbered in order,
    each once, and the skipped plus the made account for every one due."""
    s = schedule(unit=unit, every=every, first_due_on=first)
    today = date.fromordinal(first.toordinal() + days)
    due = plan(s, None, today=today, reading=None, since=None, cap=cap)
    numbers = [o.number for o in due.occurrences]
    assert numbers == list(range(due.skipped + 1, due.skipped + len(numbers) + 1))
    assert len(numbers) <= cap
    assert all(o.planned_on is not None and o.planned_on <= today for o in due.occurrences)
    assert due.next is not None
    assert due.next.planned_on is not None
    assert due.next.planned_on > today
    assert due.next.number == due.skipped + len(numbers) + 1
