"""``?near=`` over HTTP on every backend, against a brute-force reference: exactly the
contacts within the radius, nearest first, across pages, however many lie in the
circle; a cursor only pages the query that issued it; short ``?q=`` terms are a 422."""

from __future__ import annotations

import random
from typing import Any
from uuid import UUID

import pytest
from contract.world import contact, store

from fieldedge.domain.geo import haversine_m
from fieldedge.ports.database import Scope
from fieldforce.conftest import PUNE, Team

CONTACTS = "/api/v1/contacts"
RADIUS_KM = 3.0


async def _scatter(team: Team, count: int, seed: int) -> list[Any]:
    """``count`` contacts around Pune: most within ~6 km, some stacked on one spot, a few
    without a position; none within a metre of the radius (where float rounding in
    SQL and Python could disagree on which side a contact falls)."""
    rng, company = random.Random(seed), UUID(team.company_id)
    made = []
    while len(made) < count:
        lat, lng = PUNE[0] + rng.uniform(-0.06, 0.06), PUNE[1] + rng.uniform(-0.06, 0.06)
        if rng.random() < 0.1:
            lat, lng = PUNE[0] + 0.004, PUNE[1] + 0.004  # a tower: equal distances, by id
        if abs(haversine_m(*PUNE, lat, lng) - RADIUS_KM * 1000) < 1:
            continue
        spot: dict[str, Any] = {"latitude": lat, "longitude": lng}
        if rng.random() < 0.05:
            spot = {"latitude": None, "longitude": None}
        made.append(contact(company, **spot))
    await store(team.api.deps.db, Scope.tenant(company), *made)
    return made


async def _walk(team: Team, limit: int, **params: Any) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        extra = {"cursor": cursor} if cursor else {}
        response = await team.get("admin", CONTACTS, limit=limit, **params, **extra)
        assert response.status_code == 200, response.text
        body = response.json()
        seen += body["data"]
        cursor = body["pagination"]["nextCursor"]
        if cursor is None:
            return seen


async def test_near_pages_through_exactly_the_circle_nearest_first(team: Team) -> None:
    made = await _scatter(team, 400, seed=15)
    reference = sorted(
        (haversine_m(*PUNE, c.latitude, c.longitude), str(c.id))
        for c in made
        if c.latitude is not None and haversine_m(*PUNE, c.latitude, c.longitude) <= 3000
    )
    seen = await _walk(team, 7, near=f"{PUNE[0]},{PUNE[1]}", radiusKm=RADIUS_KM)
    assert [row["id"] for row in seen] == [contact_id for _, contact_id in reference]
    assert [row["distanceM"] for row in seen] == [round(d, 1) for d, _ in reference]


async def test_a_cursor_pages_only_the_query_that_issued_it(team: Team) -> None:
    await _scatter(team, 30, seed=3)
    near = {"near": f"{PUNE[0]},{PUNE[1]}", "radiusKm": RADIUS_KM}
    first = (await team.get("admin", CONTACTS, limit=2, **near)).json()["pagination"]
    for other in (
        {**near, "radiusKm": 2},
        {**near, "near": "18.53,73.85"},
        {**near, "q": "mehta"},
        {},
    ):
        response = await team.get("admin", CONTACTS, limit=2, cursor=first["nextCursor"], **other)
        assert response.status_code == 422, (other, response.text)
        assert set(response.json()["error"]["details"]) == {"cursor"}
    plain = (await team.get("admin", CONTACTS, limit=2)).json()["pagination"]["nextCursor"]
    response = await team.get("admin", CONTACTS, limit=2, cursor=plain, **near)
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("q", ["a", "ab", "%", "%%%", "_%_", "a%", "\\\\\\"])
async def test_a_search_term_without_three_letters_or_digits_is_a_422(team: Team, q: str) -> None:
    response = await team.get("admin", CONTACTS, q=q)
    assert response.status_code == 422, response.text
    assert set(response.json()["error"]["details"]) == {"q"}


async def test_a_phone_is_found_by_its_digits_in_any_format(team: Team) -> None:
    rao = await team.contact("rep_a1", name="Dr. Rao", phone="+91 98123 45678")
    for typed in ("98123", "+91 98123", "(981) 234-5678", "981.23", "9812345678"):
        found = (await team.get("admin", CONTACTS, q=typed)).json()["data"]
        assert [c["id"] for c in found] == [rao["id"]], typed
