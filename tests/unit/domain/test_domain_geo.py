"""Haversine distances, coordinate rules and the ``?near=`` bounding box."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldedge.domain.geo import (
    EARTH_RADIUS_M,
    bounding_box,
    check_accuracy,
    check_coordinates,
    haversine_m,
    parse_near,
)
from fieldedge.errors import ValidationFailed

lats = st.floats(-90, 90, allow_nan=False)
lngs = st.floats(-180, 180, allow_nan=False)
MUMBAI = (19.0760, 72.8777)
PUNE = (18.5204, 73.8567)


def destination(
    lat: float, lng: float, bearing_deg: float, distance_m: float
) -> tuple[float, float]:
    """The point ``distance_m`` from (lat, lng) along ``bearing_deg``, on the same sphere."""
    d, theta = distance_m / EARTH_RADIUS_M, math.radians(bearing_deg)
    phi1, lmb1 = math.radians(lat), math.radians(lng)
    phi2 = math.asin(math.sin(phi1) * math.cos(d) + math.cos(phi1) * math.sin(d) * math.cos(theta))
    lmb2 = lmb1 + math.atan2(
        math.sin(theta) * math.sin(d) * math.cos(phi1),
        math.cos(d) - math.sin(phi1) * math.sin(phi2),
    )
    return math.degrees(phi2), (math.degrees(lmb2) + 540) % 360 - 180


def test_mumbai_to_pune_is_about_120_km() -> None:
    assert haversine_m(*MUMBAI, *PUNE) == pytest.approx(120_000, rel=0.01)


def test_a_quarter_of_the_equator() -> None:
    assert haversine_m(0, 0, 0, 90) == pytest.approx(math.pi / 2 * EARTH_RADIUS_M)


@given(lats, lngs, lats, lngs)
def test_distance_is_symmetric_and_bounded(a: float, b: float, c: float, d: float) -> None:
    there = haversine_m(a, b, c, d)
    assert there == pytest.approx(haversine_m(c, d, a, b), abs=1e-6)
    assert 0 <= there <= math.pi * EARTH_RADIUS_M + 1e-6


@given(lats, lngs)
def test_distance_to_itself_is_zero(lat: float, lng: float) -> None:
    assert haversine_m(lat, lng, lat, lng) == 0


@given(lats, lngs, lats, lngs, lats, lngs)
def test_triangle_inequality(a: float, b: float, c: float, d: float, e: float, f: float) -> None:
    assert haversine_m(a, b, e, f) <= haversine_m(a, b, c, d) + haversine_m(c, d, e, f) + 1e-3


@pytest.mark.parametrize(
    ("lat", "lng", "fields"),
    [
        (90.0001, 10, {"latitude"}),
        (-91, 10, {"latitude"}),
        (10, 180.5, {"longitude"}),
        (10, -181, {"longitude"}),
        (95, 200, {"latitude", "longitude"}),
        (0, 0, {"latitude"}),
        (math.nan, 10, {"latitude"}),
        (10, math.inf, {"longitude"}),
    ],
)
def test_bad_coordinates_are_refused(lat: float, lng: float, fields: set[str]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_coordinates(lat, lng)
    assert caught.value.details is not None
    assert set(caught.value.details) == fields


@pytest.mark.parametrize(("lat", "lng"), [(90, 180), (-90, -180), (0, 0.0001), (0.0001, 0)])
def test_edges_and_the_equator_are_fine(lat: float, lng: float) -> None:
    check_coordinates(lat, lng)


@pytest.mark.parametrize("accuracy", [-0.1, math.nan, math.inf])
def test_accuracy_must_be_a_real_non_negative_number(accuracy: float) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_accuracy(accuracy)
    assert caught.value.details == {"accuracyM": ["Must be 0 or more metres."]}


@given(
    st.floats(-89.9, 89.9),
    lngs,
    st.floats(10, 500_000),
    st.floats(0, 360),
    st.floats(0, 0.999),
)
def test_every_point_in_the_radius_is_in_the_box(
    lat: float, lng: float, radius: float, bearing: float, fraction: float
) -> None:
    box = bounding_box(lat, lng, radius)
    point = destination(lat, lng, bearing, radius * fraction)
    assert haversine_m(lat, lng, *point) <= radius
    assert box.contains(*point)


def test_the_box_splits_at_the_antimeridian_and_opens_at_the_poles() -> None:
    fiji = bounding_box(-17.7, 179.9, 50_000)
    assert len(fiji.lng_ranges) == 2
    assert fiji.contains(-17.7, -179.9)
    assert not fiji.contains(-17.7, 0)
    polar = bounding_box(89.9, 0, 50_000)
    assert polar.contains(89.95, 180)
    assert polar.contains(89.95, -90)
    mumbai = bounding_box(*MUMBAI, 10_000)
    assert mumbai.contains(*MUMBAI)
    assert not mumbai.contains(*PUNE)


def test_parse_near() -> None:
    assert parse_near("19.076,72.8777", 5) == (19.076, 72.8777, 5000)
    for text in ["19.076", "a,b", "19,72,1", "", "91,10", "0,0"]:
        with pytest.raises(ValidationFailed) as caught:
            parse_near(text, 5)
        assert caught.value.details is not None
        assert list(caught.value.details) == ["near"]
    for radius in [0, -1, 501, math.nan]:
        with pytest.raises(ValidationFailed) as caught:
            parse_near("19.076,72.8777", radius)
        assert caught.value.details is not None
        assert list(caught.value.details) == ["radiusKm"]
