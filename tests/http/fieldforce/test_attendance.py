"""``/api/v1/attendance`` over HTTP on every backend: statuses, envelopes, refusals with
the field named, the roll call, the company's end of day, racing punch-ins and the
nightly close. The day's rules themselves are tested on the use cases
(tests/services/test_attendance.py)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from fieldedge_handlers.jobs import run_job

from .conftest import PUNE, Team

PUNCH = {"latitude": PUNE[0], "longitude": PUNE[1], "accuracyM": 9}


async def test_a_day_punched_in_and_out(team: Team) -> None:
    started = await team.post("rep_a1", "/api/v1/attendance/punch-in", PUNCH)
    assert started.status_code == 201, started.text
    day = started.json()["data"]
    assert day["userId"] == team.ids["rep_a1"]
    assert day["punchedOutAt"] is None
    assert day["workedMinutes"] is None
    ended = await team.post("rep_a1", "/api/v1/attendance/punch-out", PUNCH)
    assert ended.status_code == 200, ended.text
    closed = ended.json()["data"]
    assert closed["id"] == day["id"]
    assert closed["workedMinutes"] == 0
    assert closed["visitCount"] == 0
    assert closed["distanceM"] == 0
    assert closed["version"] > day["version"]
    read = await team.get("mgr_a", f"/api/v1/attendance/{day['id']}")
    assert read.status_code == 200
    assert read.json()["data"] == closed


async def test_punches_out_of_turn_are_409(team: Team) -> None:
    lone = await team.post("rep_a2", "/api/v1/attendance/punch-out", PUNCH)
    assert lone.status_code == 409
    assert lone.json()["error"]["code"] == "CONFLICT"
    assert (await team.post("rep_a2", "/api/v1/attendance/punch-in", PUNCH)).status_code == 201
    again = await team.post("rep_a2", "/api/v1/attendance/punch-in", PUNCH)
    assert again.status_code == 409
    assert await team.count("attendance_days") == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"latitude": 91}, "latitude"),
        ({"longitude": -181}, "longitude"),
        ({"accuracyM": -3}, "accuracyM"),
        ({"latitude": 0, "longitude": 0}, "latitude"),
        ({"punchedInAt": "2026-01-03T09:00:00"}, "punchedInAt"),
        ({"punchedInAt": "2126-01-03T09:00:00Z"}, "punchedInAt"),
        ({"latitude": "north"}, "latitude"),
        ({"selfie": "x"}, "selfie"),
    ],
)
async def test_what_is_no_punch_is_422_naming_the_field(
    team: Team, change: dict[str, object], field: str
) -> None:
    response = await team.post("rep_a1", "/api/v1/attendance/punch-in", {**PUNCH, **change})
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["details"]
    assert await team.count("attendance_days") == 0


async def test_a_punch_out_before_its_punch_in_is_422(team: Team) -> None:
    assert (await team.post("rep_a1", "/api/v1/attendance/punch-in", PUNCH)).status_code == 201
    early = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    response = await team.post(
        "rep_a1", "/api/v1/attendance/punch-out", {**PUNCH, "punchedOutAt": early}
    )
    assert response.status_code == 422
    assert "punchedOutAt" in response.json()["error"]["details"]
    rows = await team.api.sql("SELECT punched_out_at FROM attendance_days")
    assert [row[0] for row in rows] == [None]


async def test_lists_are_scoped_and_filtered(team: Team) -> None:
    for who in ("rep_a1", "rep_a2", "rep_b1"):
        assert (await team.post(who, "/api/v1/attendance/punch-in", PUNCH)).status_code == 201
    await team.post("rep_a2", "/api/v1/attendance/punch-out", PUNCH)

    async def users(who: str, **params: object) -> set[str]:
        response = await team.get(who, "/api/v1/attendance", **params)
        assert response.status_code == 200, response.text
        return {item["userId"] for item in response.json()["data"]}

    ids = team.ids
    assert await users("rep_a1") == {ids["rep_a1"]}
    assert await users("mgr_a") == {ids["rep_a1"], ids["rep_a2"]}
    assert await users("admin") == {ids["rep_a1"], ids["rep_a2"], ids["rep_b1"]}
    assert await users("mgr_a", userId=ids["rep_b1"]) == set()
    assert await users("admin", open="false") == {ids["rep_a2"]}
    today = datetime.now(UTC).date()  # the test company's zone is UTC
    assert await users("admin", dayFrom=str(today + timedelta(days=1))) == set()
    assert len(await users("admin", dayTo=str(today))) == 3


@pytest.mark.parametrize(
    "params",
    [{"dayFrom": "2026-13-01"}, {"dayTo": "yesterday"}, {"open": "maybe"}, {"userId": "1"}],
)
async def test_a_bad_filter_is_422(team: Team, params: dict[str, str]) -> None:
    response = await team.get("admin", "/api/v1/attendance", **params)
    assert response.status_code == 422
    assert set(params) <= set(response.json()["error"]["details"])


async def test_another_reps_day_is_404(team: Team) -> None:
    day = (await team.post("rep_b1", "/api/v1/attendance/punch-in", PUNCH)).json()["data"]
    for who in ("rep_a1", "mgr_a"):
        response = await team.get(who, f"/api/v1/attendance/{day['id']}")
        assert response.status_code == 404, who


async def test_the_roll_call(team: Team) -> None:
    await team.post("rep_a1", "/api/v1/attendance/punch-in", PUNCH)
    response = await team.get("mgr_a", "/api/v1/attendance/today")
    assert response.status_code == 200, response.text
    status = {item["user"]["id"]: item["status"] for item in response.json()["data"]}
    ids = team.ids
    assert status == {ids["rep_a1"]: "IN", ids["rep_a2"]: "ABSENT", ids["mgr_a"]: "ABSENT"}
    [present] = [i for i in response.json()["data"] if i["status"] == "IN"]
    assert present["attendance"]["userId"] == ids["rep_a1"]
    bad = await team.get("mgr_a", "/api/v1/attendance/today", date="2026-02-30")
    assert bad.status_code == 422


async def test_the_company_sets_its_end_of_day(team: Team) -> None:
    changed = await team.patch("admin", "/api/v1/company", {"dayEndsAt": "18:30"})
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["dayEndsAt"] == "18:30"
    for bad in ("24:00", "6:30", "18:30:00", ""):
        refused = await team.patch("admin", "/api/v1/company", {"dayEndsAt": bad})
        assert refused.status_code == 422, bad
        assert "dayEndsAt" in refused.json()["error"]["details"]
    zone = await team.patch("admin", "/api/v1/company", {"timezone": "Mars/Olympus"})
    assert zone.status_code == 422
    denied = await team.patch("mgr_a", "/api/v1/company", {"dayEndsAt": "17:00"})
    assert denied.status_code == 403


async def test_racing_punch_ins_open_one_day(team: Team) -> None:
    responses = await asyncio.gather(
        *(team.post("rep_a1", "/api/v1/attendance/punch-in", PUNCH) for _ in range(6))
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [201, 409, 409, 409, 409, 409], [r.text for r in responses]
    assert await team.count("attendance_days") == 1


async def test_the_nightly_job_closes_a_forgotten_day(team: Team) -> None:
    two_days_ago = (datetime.now(UTC) - timedelta(days=2)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )
    body = {**PUNCH, "punchedInAt": two_days_ago.isoformat()}
    day = (await team.post("rep_a1", "/api/v1/attendance/punch-in", body)).json()["data"]
    assert await run_job("attendance-close", team.api.deps) == {
        "job": "attendance-close",
        "companies": 1,
        "closed": 1,
    }
    closed = (await team.get("rep_a1", f"/api/v1/attendance/{day['id']}")).json()["data"]
    # Sent now over REST, a punch two days old is doubtful too (sync would say when).
    assert closed["flags"] == ["CLOCK_SKEW", "AUTO_CLOSED"]
    assert closed["punchedOutAt"].startswith(f"{two_days_ago.date().isoformat()}T23:59")
    assert closed["workedMinutes"] == 14 * 60 + 59
    assert (await run_job("attendance-close", team.api.deps))["closed"] == 0
    assert "attendance.auto_closed" in await team.audit_actions()
