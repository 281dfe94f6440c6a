"""Hostile text, times and nesting on every backend: a 4xx naming the field, never a 500,
and nothing stored. (SQLite would store a NUL that Postgres refuses: both refuse it here.)"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from fieldforce.conftest import PUNE, Team
from fixtures.identity_api import PASSWORD, bearer

JSON = {"content-type": "application/json"}


def rfc3339(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def _field_error(response: Any, field: str) -> list[str]:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert field in error["details"], error
    return list(error["details"][field])


PUBLIC_BODIES = {
    "login email": ("/api/v1/auth/login", {"email": "a\u0000@example.com", "password": PASSWORD}),
    "login password": ("/api/v1/auth/login", {"email": "a@example.com", "password": "x\u0000y"}),
    "register company": (
        "/api/v1/auth/register",
        {"companyName": "Acme\u0000", "name": "A", "email": "n@example.com", "password": PASSWORD},
    ),
    "reset email": ("/api/v1/auth/password-reset/request", {"email": "\u0000@example.com"}),
}


@pytest.mark.parametrize("case", PUBLIC_BODIES, ids=list(PUBLIC_BODIES))
async def test_nul_in_a_public_body_is_422_naming_the_field(team: Team, case: str) -> None:
    path, body = PUBLIC_BODIES[case]
    response = await team.client.post(path, json=body)
    bad = next(name for name, value in body.items() if "\u0000" in value)
    assert "U+0000" in _field_error(response, bad)[0]


TEXTS = {
    "NUL": "Dr\u0000 Mehta",
    "bell": "Dr\u0007 Mehta",
    "escape": "Dr\u001b[31m Mehta",
    "DEL": "Dr\u007f Mehta",
    "C1": "Dr\u0085 Mehta",
    "lone high surrogate": "Dr \ud800 Mehta",
    "lone low surrogate": "Dr \udfff Mehta",
}


@pytest.mark.parametrize("case", TEXTS, ids=list(TEXTS))
async def test_control_characters_and_lone_surrogates_are_422(team: Team, case: str) -> None:
    before = await team.count("contacts")
    # json.dumps escapes every one of them (\u0000, \ud800): valid JSON text either way.
    for body, field in (
        ({"name": TEXTS[case]}, "name"),
        ({"name": "Dr Mehta", "tags": ["ok", TEXTS[case]]}, "tags.1"),
        ({"name": "Dr Mehta", "notes": TEXTS[case]}, "notes"),
    ):
        raw = json.dumps(body).encode()
        response = await team.client.post(
            "/api/v1/contacts", content=raw, headers={**JSON, **bearer(team.tokens["rep_a1"])}
        )
        _field_error(response, field)
    assert await team.count("contacts") == before


async def test_a_control_character_in_a_field_name_is_422(team: Team) -> None:
    response = await team.post("rep_a1", "/api/v1/contacts", {"name": "Dr", "na\u0000me": "x"})
    _field_error(response, "na\u0000me")


async def test_multi_line_text_keeps_its_tabs_and_newlines(team: Team) -> None:
    contact = await team.contact(notes="first line\r\nsecond\tline")
    assert contact["notes"] == "first line\r\nsecond\tline"


QUERIES = {
    "q NUL": ("/api/v1/contacts", "q", "%00"),
    "tag NUL": ("/api/v1/contacts", "tag", "a%00b"),
    "city bell": ("/api/v1/contacts", "city", "Pune%07"),
    "q newline": ("/api/v1/contacts", "q", "a%0Ab"),
    "users q NUL": ("/api/v1/users", "q", "%00"),
    "products q NUL": ("/api/v1/products", "q", "pen%00"),
    "audit action NUL": ("/api/v1/audit", "action", "user.%00"),
    "cursor NUL": ("/api/v1/orders", "cursor", "%00"),
}


@pytest.mark.parametrize("case", QUERIES, ids=list(QUERIES))
async def test_control_characters_in_a_query_are_422_naming_it(team: Team, case: str) -> None:
    path, name, value = QUERIES[case]
    response = await team.client.get(f"{path}?{name}={value}", headers=bearer(team.tokens["admin"]))
    _field_error(response, name)


async def test_a_repeated_parameter_is_checked_in_every_value(team: Team) -> None:
    response = await team.client.get(
        "/api/v1/contacts?q=%00&q=fine", headers=bearer(team.tokens["admin"])
    )
    _field_error(response, "q")


DEEP = {
    "arrays": b"[" * 100_000,
    "objects": b'{"a":' * 100_000,
    "inside a valid body": b'{"name": "x", "notes": ' + b"[" * 40 + b"]" * 40 + b"}",
}


@pytest.mark.parametrize("case", DEEP, ids=list(DEEP))
@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v1/contacts"])
async def test_deep_nesting_is_400_not_a_recursion_error(team: Team, case: str, path: str) -> None:
    key = f"deep-{case}".replace(" ", "-")
    headers = {**JSON, **bearer(team.tokens["rep_a1"]), "Idempotency-Key": key}
    response = await team.client.post(path, content=DEEP[case], headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "MALFORMED_REQUEST"


async def test_nesting_within_the_bound_reaches_validation(team: Team) -> None:
    body = b'{"name": "x", "notes": ' + b"[" * 30 + b"]" * 30 + b"}"
    response = await team.client.post(
        "/api/v1/contacts", content=body, headers={**JSON, **bearer(team.tokens["rep_a1"])}
    )
    _field_error(response, "notes")  # a list is no text: 422, not 400


async def test_strings_that_look_like_brackets_do_not_count_as_nesting(team: Team) -> None:
    contact = await team.contact(notes="[" * 200 + '"{' * 50)
    assert contact["notes"].startswith("[[[")


BAD_TIMES = {
    "a date": "2026-01-01",
    "no zone": "2026-01-01T00:00:00",
    "unix seconds": "1767434400",
    "unix seconds, fractional": "1767434400.5",
    "year 1 east of UTC": "0001-01-01T00:00:00+05:00",
    "year 9999 west of UTC": "9999-12-31T23:00:00-05:00",
    "nonsense": "yesterday",
}


@pytest.mark.parametrize("case", BAD_TIMES, ids=list(BAD_TIMES))
@pytest.mark.parametrize("name", ["since", "until"])
@pytest.mark.parametrize(("path", "who"), [("/api/v1/visits", "mgr_a"), ("/api/v1/audit", "admin")])
async def test_a_list_filter_time_must_be_rfc3339_with_a_zone(
    team: Team, case: str, name: str, path: str, who: str
) -> None:
    response = await team.get(who, path, **{name: BAD_TIMES[case]})
    _field_error(response, name)


async def test_filter_times_with_an_offset_are_the_same_instant(team: Team) -> None:
    contact = await team.contact()
    visit = await team.check_in("rep_a1", contact["id"])
    at = team.api.clock.now()
    india = (at - timedelta(seconds=1)).astimezone().isoformat()
    found = await team.get("rep_a1", "/api/v1/visits", since=india)
    assert [v["id"] for v in found.json()["data"]] == [visit["id"]]
    everything = await team.get("admin", "/api/v1/audit", since="0001-01-01T00:00:00Z")
    assert everything.status_code == 200


@pytest.mark.parametrize(
    "case", ["year 1 east of UTC", "year 9999 west of UTC", "unix seconds", "a date"]
)
async def test_check_in_and_check_out_times_are_checked_the_same(team: Team, case: str) -> None:
    contact = await team.contact()
    body = {"contactId": contact["id"], "latitude": PUNE[0], "longitude": PUNE[1], "accuracyM": 5}
    response = await team.post("rep_a1", "/api/v1/visits", {**body, "checkedInAt": BAD_TIMES[case]})
    _field_error(response, "checkedInAt")
    visit = await team.check_in("rep_a1", contact["id"])
    out = await team.post(
        "rep_a1", f"/api/v1/visits/{visit['id']}/check-out", {"checkedOutAt": BAD_TIMES[case]}
    )
    _field_error(out, "checkedOutAt")


async def test_a_check_in_dated_years_ahead_is_422_a_skewed_one_is_kept(team: Team) -> None:
    contact = await team.contact()
    now = team.api.clock.now()
    far = await team.post(
        "rep_a1",
        "/api/v1/visits",
        {
            "contactId": contact["id"],
            "latitude": PUNE[0],
            "longitude": PUNE[1],
            "accuracyM": 5,
            "checkedInAt": rfc3339(now + timedelta(days=3 * 365)),
        },
    )
    _field_error(far, "checkedInAt")
    skewed = await team.check_in(
        "rep_a1", contact["id"], checkedInAt=rfc3339(now + timedelta(days=2))
    )
    assert "CLOCK_SKEW" in skewed["flags"]


MEANINGLESS = {
    "radius without near": ("/api/v1/contacts", {"radiusKm": "5"}, "radiusKm"),
    "empty fields": ("/api/v1/contacts", {"fields": ""}, "fields"),
    "fields of commas": ("/api/v1/visits", {"fields": ","}, "fields"),
    "fields of spaces": ("/api/v1/users", {"fields": " , "}, "fields"),
}


@pytest.mark.parametrize("case", MEANINGLESS, ids=list(MEANINGLESS))
async def test_a_query_that_means_nothing_is_422(team: Team, case: str) -> None:
    path, params, field = MEANINGLESS[case]
    _field_error(await team.get("admin", path, **params), field)


async def test_radius_with_near_and_fields_with_names_still_work(team: Team) -> None:
    await team.contact()
    near = await team.get("admin", "/api/v1/contacts", near=f"{PUNE[0]},{PUNE[1]}", radiusKm="5")
    assert near.status_code == 200, near.text
    trimmed = await team.get("admin", "/api/v1/contacts", fields="id,")
    assert trimmed.status_code == 200
    assert list(trimmed.json()["data"][0]) == ["id"]
