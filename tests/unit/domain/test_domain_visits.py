"""Check-in assessment (every flag, and ``verified``) and check-out rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldedge.domain.geo import haversine_m
from fieldedge.domain.visits import (
    CheckInAssessment,
    PreviousCheckIn,
    Visit,
    VisitFlag,
    assess_check_in,
)
from fieldedge.errors import Conflict, ValidationFailed

NOW = datetime(2026, 1, 3, 10, 0, tzinfo=UTC)
CLINIC = (19.0760, 72.8777)  # Mumbai
PUNE = (18.5204, 73.8567)  # ~120 km away
NEARBY = (19.0770, 72.8777)  # ~111 m north of the clinic


def assess(**overrides: Any) -> CheckInAssessment:
    args: dict[str, Any] = {
        "latitude": CLINIC[0],
        "longitude": CLINIC[1],
        "accuracy_m": 15.0,
        "checked_in_at": NOW,
        "now": NOW,
        "contact_location": CLINIC,
        "geofence_radius_m": 200,
    }
    return assess_check_in(**(args | overrides))


def test_a_flagged_visit_can_never_be_verified() -> None:
    with pytest.raises(ValidationFailed):
        visit(flags=["LOW_ACCURACY"], verified=True)
    v = visit(verified=False)
    with pytest.raises(ValidationFailed):
        v.apply({"flags": ["CLOCK_SKEW"], "verified": True})
    assert (v.flags, v.verified) == ([], False)


def visit(**overrides: Any) -> Visit:
    fields: dict[str, Any] = {
        "id": uuid4(), "company_id": uuid4(), "contact_id": uuid4(), "user_id": uuid4(),
        "latitude": CLINIC[0], "longitude": CLINIC[1], "accuracy_m": 15.0,
        "checked_in_at": NOW, "verified": True, "created_at": NOW, "updated_at": NOW,
    }  # fmt: skip
    return Visit(**(fields | overrides))


def test_at_the_door_with_a_good_fix_is_verified() -> None:
    result = assess(latitude=NEARBY[0], longitude=NEARBY[1])
    assert result.verified is True
    assert result.flags == []
    assert result.distance_m == pytest.approx(111, abs=1)


def test_outside_the_geofence_is_kept_but_flagged() -> None:
    result = assess(latitude=NEARBY[0], longitude=NEARBY[1], geofence_radius_m=100)
    assert (result.verified, result.flags) == (False, ["OUT_OF_RANGE"])
    assert result.distance_m == pytest.approx(111, abs=1)


def test_no_contact_location_gives_no_distance() -> None:
    result = assess(contact_location=None)
    assert (result.distance_m, result.verified, result.flags) == (
        None,
        False,
        ["NO_CONTACT_LOCATION"],
    )


def test_accuracy_of_100_m_passes_and_worse_is_flagged() -> None:
    assert assess(accuracy_m=100.0).verified is True
    assert assess(accuracy_m=100.5).flags == ["LOW_ACCURACY"]


@pytest.mark.parametrize(
    ("elapsed", "flagged"),
    [
        (timedelta(hours=1), False),  # ~120 km/h: a highway drive
        (timedelta(minutes=30), True),  # ~240 km/h
        (timedelta(0), True),  # two places at once
        (-timedelta(hours=1), True),  # arrived before leaving
    ],
)
def test_impossible_travel_from_the_previous_check_in(elapsed: timedelta, flagged: bool) -> None:
    previous = PreviousCheckIn(latitude=PUNE[0], longitude=PUNE[1], checked_in_at=NOW - elapsed)
    result = assess(previous=previous)
    assert ("IMPOSSIBLE_TRAVEL" in result.flags) is flagged
    assert result.verified is not flagged


def test_exactly_200_kmh_is_still_possible() -> None:
    metres = haversine_m(*PUNE, *CLINIC)
    previous = PreviousCheckIn(PUNE[0], PUNE[1], NOW - timedelta(seconds=metres / (200 / 3.6)))
    assert "IMPOSSIBLE_TRAVEL" not in assess(previous=previous).flags


def test_gps_jitter_between_two_quick_check_ins_is_not_travel() -> None:
    previous = PreviousCheckIn(NEARBY[0], NEARBY[1], NOW)
    assert assess(previous=previous).flags == []


@pytest.mark.parametrize(
    ("skew", "flagged"),
    [(timedelta(hours=23), False), (timedelta(hours=25), True), (-timedelta(hours=25), True)],
)
def test_clock_skew_beyond_24_hours(skew: timedelta, flagged: bool) -> None:
    result = assess(checked_in_at=NOW + skew)
    assert result.flags == (["CLOCK_SKEW"] if flagged else [])


def test_mock_location_is_flagged() -> None:
    assert assess(mock_location=True).flags == ["MOCK_LOCATION"]


def test_flags_accumulate() -> None:
    claimed = NOW - timedelta(days=2)
    previous = PreviousCheckIn(PUNE[0], PUNE[1], claimed - timedelta(minutes=5))
    result = assess(
        contact_location=None,
        accuracy_m=500.0,
        previous=previous,
        checked_in_at=claimed,
        mock_location=True,
    )
    assert result.flags == [
        "NO_CONTACT_LOCATION", "LOW_ACCURACY", "IMPOSSIBLE_TRAVEL", "CLOCK_SKEW", "MOCK_LOCATION"
    ]  # fmt: skip
    assert result.verified is False


@given(
    st.floats(18.9, 19.2),
    st.floats(72.7, 73.0),
    st.floats(0, 300),
    st.integers(10, 1000),
    st.booleans(),
    st.integers(-48, 48),
)
def test_verified_exactly_when_no_flag(
    lat: float, lng: float, accuracy: float, radius: int, mock: bool, skew_h: int
) -> None:
    result = assess(
        latitude=lat,
        longitude=lng,
        accuracy_m=accuracy,
        geofence_radius_m=radius,
        mock_location=mock,
        checked_in_at=NOW + timedelta(hours=skew_h),
    )
    assert result.verified is (result.flags == [])
    assert result.distance_m is not None
    assert ("OUT_OF_RANGE" in result.flags) is (result.distance_m > radius)
    assert ("LOW_ACCURACY" in result.flags) is (accuracy > 100)
    assert set(result.flags) <= {f.value for f in VisitFlag}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"latitude": 91.0}, "latitude"),
        ({"longitude": -180.5}, "longitude"),
        ({"latitude": 0.0, "longitude": 0.0}, "latitude"),
        ({"accuracy_m": -1.0}, "accuracyM"),
        ({"checked_in_at": NOW.replace(tzinfo=None)}, "checkedInAt"),
    ],
)
def test_input_that_is_no_position_is_refused(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        assess(**overrides)
    assert caught.value.details is not None
    assert list(caught.value.details) == [field]


def test_check_out_once() -> None:
    v = visit()
    at = NOW + timedelta(minutes=25)
    v.check_out(at, "ORDER_TAKEN", "Wants samples next week")
    assert (v.checked_out_at, v.outcome, v.checkout_notes, v.is_checked_out) == (
        at, "ORDER_TAKEN", "Wants samples next week", True
    )  # fmt: skip
    with pytest.raises(Conflict) as caught:
        v.check_out(at + timedelta(minutes=1))
    assert (caught.value.status, caught.value.code) == (409, "CONFLICT")
    assert caught.value.message == "This visit is already checked out."
    assert v.checked_out_at == at


def test_check_out_before_check_in_is_refused() -> None:
    v = visit()
    with pytest.raises(ValidationFailed) as caught:
        v.check_out(NOW - timedelta(seconds=1))
    assert caught.value.status == 422
    assert v.is_checked_out is False
    v.check_out(NOW)  # the same instant is a (very short) visit
    assert v.is_checked_out is True


def test_a_reused_photo_takes_verification_away_once() -> None:
    v = visit(flags=["LOW_ACCURACY"], verified=False)
    v.add_flag(VisitFlag.REUSED_PHOTO)
    v.add_flag(VisitFlag.REUSED_PHOTO)
    assert v.flags == ["LOW_ACCURACY", "REUSED_PHOTO"]
    assert v.verified is False
