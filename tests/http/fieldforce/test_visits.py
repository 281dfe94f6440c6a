"""Visits over HTTP on every backend: server-side verification and flags (kept, never
refused), check-out once, refusals that write nothing, and who sees which visit."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fieldforce.conftest import PUNE, Team, build_team

VISITS = "/api/v1/visits"


def rfc3339(at: object) -> str:
    return str(at).replace("+00:00", "Z").replace(" ", "T")


async def test_a_check_in_near_the_contact_is_verified(team: Team) -> None:
    contact = await team.contact("rep_a1")
    visit = await team.check_in("rep_a1", contact["id"], purpose="Detailing", notes="Met Dr.")
    assert visit["userId"] == team.ids["rep_a1"]
    assert visit["verified"] is True
    assert visit["flags"] == []
    assert 30 < visit["distanceM"] < 36
    assert visit["checkedInAt"] == rfc3339(team.api.clock.now())
    assert visit["checkedOutAt"] is None
    rows = await team.api.sql("SELECT verified, distance_m, version FROM visits")
    assert rows[0][0] in (True, 1)
    assert rows[0][2] == visit["version"]
    assert "visit.checked_in" in await team.audit_actions()


async def test_flagged_check_ins_are_kept_unverified(team: Team) -> None:
    contact = await team.contact("rep_a1")
    bare = await team.contact("rep_a1", name="No address", latitude=None, longitude=None)
    far = await team.check_in(
        "rep_a1", contact["id"], latitude=PUNE[0] + 0.01, accuracyM=250, mockLocation=True
    )
    assert far["verified"] is False
    assert set(far["flags"]) == {"OUT_OF_RANGE", "LOW_ACCURACY", "MOCK_LOCATION"}
    earlier = rfc3339(team.api.clock.now() - timedelta(hours=2))  # no travel-speed question
    nowhere = await team.check_in("rep_a1", bare["id"], checkedInAt=earlier)
    assert nowhere["flags"] == ["NO_CONTACT_LOCATION"]
    assert nowhere["distanceM"] is None
    skewed_at = team.api.clock.now() - timedelta(days=3)
    skewed = await team.check_in(
        "rep_a2", (await team.contact("rep_a2"))["id"], checkedInAt=rfc3339(skewed_at)
    )
    assert "CLOCK_SKEW" in skewed["flags"]
    assert await team.count("visits") == 3


async def test_impossible_travel_since_the_previous_check_in(team: Team) -> None:
    pune = await team.contact("rep_a1")
    mumbai = await team.contact("rep_a1", name="Mumbai shop", latitude=19.076, longitude=72.8777)
    start = team.api.clock.now() - timedelta(hours=4)
    await team.check_in("rep_a1", pune["id"], checkedInAt=rfc3339(start))
    jump = await team.check_in(  # 120 km in ten minutes
        "rep_a1",
        mumbai["id"],
        latitude=19.076,
        longitude=72.8777,
        accuracyM=10,
        checkedInAt=rfc3339(start + timedelta(minutes=10)),
    )
    assert jump["flags"] == ["IMPOSSIBLE_TRAVEL"]
    assert jump["verified"] is False
    back = await team.check_in("rep_a1", pune["id"])  # nearly four hours on: a fair drive
    assert back["flags"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"latitude": 90.5}, "latitude"),
        ({"longitude": -180.5}, "longitude"),
        ({"latitude": 0, "longitude": 0}, "latitude"),
        ({"accuracyM": -1}, "accuracyM"),
        ({"contactId": "0190f1d2-0000-7000-8000-000000000000"}, "contactId"),
        ({"checkedInAt": "2026-01-03T10:00:00"}, "checkedInAt"),
        ({"checkedInAt": "yesterday"}, "checkedInAt"),
        ({"verified": True}, "verified"),
    ],
)
async def test_bad_check_ins_are_refused_and_nothing_written(
    team: Team, body: dict[str, object], field: str
) -> None:
    contact = await team.contact("rep_a1")
    payload = {
        "contactId": contact["id"],
        "latitude": PUNE[0],
        "longitude": PUNE[1],
        "accuracyM": 10,
        **body,
    }
    response = await team.post("rep_a1", VISITS, payload)
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["details"]
    assert await team.count("visits") == 0


async def test_a_rep_checks_in_only_at_their_own_contacts(team: Team) -> None:
    theirs = await team.contact("rep_a2")
    response = await team.post(
        "rep_a1",
        VISITS,
        {"contactId": theirs["id"], "latitude": PUNE[0], "longitude": PUNE[1], "accuracyM": 5},
    )
    assert response.status_code == 422
    assert "contactId" in response.json()["error"]["details"]
    assert await team.count("visits") == 0


async def test_check_out_once_and_only_by_the_visits_rep(team: Team) -> None:
    contact = await team.contact("rep_a1")
    visit = await team.check_in("rep_a1", contact["id"])
    path = f"{VISITS}/{visit['id']}/check-out"
    assert (await team.post("rep_a2", path, {})).status_code == 404  # not theirs to see
    assert (await team.post("mgr_a", path, {})).status_code == 403  # sees it, may not write
    team.api.clock.advance(600)  # tokens live 15 minutes
    done = await team.post("rep_a1", path, {"outcome": "Order promised", "notes": "Call Friday"})
    assert done.status_code == 200, done.text
    data = done.json()["data"]
    assert data["checkedOutAt"] == rfc3339(team.api.clock.now())
    assert (data["outcome"], data["checkoutNotes"]) == ("Order promised", "Call Friday")
    assert data["version"] > visit["version"]
    again = await team.post("rep_a1", path, {"outcome": "Twice"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "CONFLICT"
    early = await team.check_in("rep_a1", contact["id"])
    before = rfc3339(team.api.clock.now() - timedelta(hours=1))
    refused = await team.post(
        "rep_a1", f"{VISITS}/{early['id']}/check-out", {"checkedOutAt": before}
    )
    assert refused.status_code == 422
    rows = await team.api.sql("SELECT outcome FROM visits ORDER BY id")
    assert [r[0] for r in rows] == ["Order promised", None]


async def test_who_sees_which_visit_and_filters(team: Team) -> None:
    a1 = await team.check_in("rep_a1", (await team.contact("rep_a1"))["id"])
    a2 = await team.check_in(
        "rep_a2", (await team.contact("rep_a2"))["id"], latitude=PUNE[0] + 0.02
    )
    b1 = await team.check_in("rep_b1", (await team.contact("rep_b1"))["id"])

    async def ids(who: str, **params: object) -> set[str]:
        response = await team.get(who, VISITS, **params)
        assert response.status_code == 200, response.text
        return {v["id"] for v in response.json()["data"]}

    assert await ids("rep_a1") == {a1["id"]}
    assert await ids("mgr_a") == {a1["id"], a2["id"]}
    assert await ids("mgr_b") == {b1["id"]}
    assert await ids("admin") == {a1["id"], a2["id"], b1["id"]}
    assert await ids("mgr_a", userId=team.ids["rep_b1"]) == set()
    assert await ids("admin", userId=team.ids["rep_b1"]) == {b1["id"]}
    assert await ids("admin", verified="false") == {a2["id"]}
    assert await ids("admin", contactId=a1["contactId"]) == {a1["id"]}
    now = team.api.clock.now()
    assert await ids("admin", since=rfc3339(now + timedelta(seconds=1))) == set()
    assert await ids("admin", until=rfc3339(now + timedelta(seconds=1))) == {
        a1["id"],
        a2["id"],
        b1["id"],
    }
    assert (await team.get("rep_a1", f"{VISITS}/{a2['id']}")).status_code == 404
    assert (await team.get("mgr_b", f"{VISITS}/{a1['id']}")).status_code == 404
    seen = await team.get("mgr_a", f"{VISITS}/{a2['id']}")
    assert seen.json()["data"]["photos"] == []
    page = (await team.get("admin", VISITS, limit=2, fields="id,verified")).json()
    assert page["pagination"]["hasMore"] is True
    assert set(page["data"][0]) == {"id", "verified"}


async def test_another_tenant_sees_404(team: Team) -> None:
    visit = await team.check_in("rep_a1", (await team.contact("rep_a1"))["id"])
    rival = await build_team(team.api, company="Rival Pharma")
    assert (await rival.get("admin", f"{VISITS}/{visit['id']}")).status_code == 404
    out = await rival.post("admin", f"{VISITS}/{visit['id']}/check-out", {})
    assert out.status_code == 404
    assert (await rival.get("admin", VISITS)).json()["data"] == []
