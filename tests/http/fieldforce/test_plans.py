"""``/api/v1/beats`` and ``/api/v1/plans`` over HTTP on every backend: statuses,
envelopes, refusals with the field named and nothing written, the day's route with its
statuses in a company that is not on UTC, reordering, and the compliance report. The
rules themselves are tested on the use cases (tests/usecases/test_plans.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from .conftest import Team

KOLKATA = ZoneInfo("Asia/Kolkata")


def local_today() -> date:
    return datetime.now(KOLKATA).date()


async def kolkata(team: Team) -> None:
    response = await team.patch("admin", "/api/v1/company", {"timezone": "Asia/Kolkata"})
    assert response.status_code == 200, response.text


async def beat(team: Team, who: str, contacts: list[str], **extra: Any) -> dict[str, Any]:
    body = {"name": "Monday route", "contactIds": contacts, **extra}
    response = await team.post(who, "/api/v1/beats", body)
    assert response.status_code == 201, response.text
    return dict(response.json()["data"])


async def plan(team: Team, who: str, **body: Any) -> dict[str, Any]:
    response = await team.post(who, "/api/v1/plans", body)
    assert response.status_code == 201, response.text
    return dict(response.json()["data"])


async def reorder(team: Team, contact_ids: list[str]) -> httpx.Response:
    headers = {"Authorization": f"Bearer {team.tokens['rep_a1']}"}
    body = {"contactIds": contact_ids}
    return await team.client.put("/api/v1/plans/today/order", json=body, headers=headers)


async def test_a_beat_is_made_read_edited_and_deleted(team: Team) -> None:
    a, b = (await team.contact("rep_a1"))["id"], (await team.contact("rep_a1"))["id"]
    made = await beat(team, "rep_a1", [a, b])
    assert made["userId"] == team.ids["rep_a1"]
    assert made["contactIds"] == [a, b]
    read = await team.get("mgr_a", f"/api/v1/beats/{made['id']}")
    assert read.status_code == 200
    assert read.json()["data"] == made
    edited = await team.patch("rep_a1", f"/api/v1/beats/{made['id']}", {"contactIds": [b, a]})
    assert edited.status_code == 200, edited.text
    assert edited.json()["data"]["contactIds"] == [b, a]
    stops = await team.api.sql("SELECT contact_id FROM beat_stops ORDER BY position")
    assert [str(r[0]).replace("-", "") for r in stops] == [b.replace("-", ""), a.replace("-", "")]
    listed = await team.get("mgr_a", "/api/v1/beats")
    assert [x["id"] for x in listed.json()["data"]] == [made["id"]]
    assert (await team.get("mgr_b", "/api/v1/beats")).json()["data"] == []
    assert (await team.get("mgr_b", f"/api/v1/beats/{made['id']}")).status_code == 404
    gone = await team.delete("rep_a1", f"/api/v1/beats/{made['id']}")
    assert gone.status_code == 200
    assert (await team.get("rep_a1", f"/api/v1/beats/{made['id']}")).status_code == 404
    actions = await team.audit_actions()
    assert {"beat.created", "beat.updated", "beat.deleted"} <= set(actions)


async def test_a_manager_makes_a_beat_for_a_rep_of_their_team_only(team: Team) -> None:
    mine = (await team.contact("rep_a1"))["id"]
    made = await beat(team, "mgr_a", [mine], userId=team.ids["rep_a1"])
    assert made["userId"] == team.ids["rep_a1"]
    other = await team.post(
        "mgr_a", "/api/v1/beats", {"name": "X", "contactIds": [mine], "userId": team.ids["rep_b1"]}
    )
    assert other.status_code == 422
    assert "userId" in other.json()["error"]["details"]


@pytest.mark.parametrize("whose", ["another rep", "another tenant", "no one"])
async def test_a_beat_with_a_contact_the_rep_may_not_visit_is_422(team: Team, whose: str) -> None:
    mine = (await team.contact("rep_a1"))["id"]
    if whose == "another rep":
        stranger = (await team.contact("rep_a2"))["id"]
    elif whose == "another tenant":
        from .conftest import build_team

        rival = await build_team(team.api, company="Rival Pharma")
        stranger = (await rival.contact("rep_a1"))["id"]
    else:
        stranger = "0190c5a4-0000-7000-8000-000000000001"
    response = await team.post(
        "rep_a1", "/api/v1/beats", {"name": "Mixed", "contactIds": [mine, stranger]}
    )
    assert response.status_code == 422, response.text
    assert stranger in response.json()["error"]["details"]["contactIds"][0]
    assert await team.count("beats") == 0
    assert await team.count("beat_stops") == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"weekdays": ["MON"], "startDate": "2026-12-07", "endDate": "2026-12-01"}, "endDate"),
        ({"weekdays": ["MON"], "startDate": "2026-12-07"}, "endDate"),
        ({"weekdays": [], "startDate": "2026-12-07", "endDate": "2026-12-09"}, "weekdays"),
        (
            {"weekdays": ["FUNDAY"], "startDate": "2026-12-07", "endDate": "2026-12-09"},
            "weekdays.0",
        ),
        ({"date": "2026-12-07", "weekdays": ["MON"]}, "date"),
        ({"date": "2026-13-01"}, "date"),
        ({}, "weekdays"),
    ],
)
async def test_a_plan_that_is_no_plan_is_422_naming_the_field(
    team: Team, body: dict[str, Any], field: str
) -> None:
    made = await beat(team, "rep_a1", [(await team.contact("rep_a1"))["id"]])
    response = await team.post("rep_a1", "/api/v1/plans", {"beatId": made["id"], **body})
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["details"], response.json()
    assert await team.count("plans") == 0


async def test_a_plan_of_a_beat_out_of_reach_is_422_and_another_tenants_plan_404(
    team: Team,
) -> None:
    made = await beat(team, "rep_a1", [(await team.contact("rep_a1"))["id"]])
    refused = await team.post(
        "rep_b1", "/api/v1/plans", {"beatId": made["id"], "date": "2026-12-07"}
    )
    assert refused.status_code == 422
    assert "beatId" in refused.json()["error"]["details"]
    mine = await plan(team, "rep_a1", beatId=made["id"], date="2026-12-07")
    assert (await team.get("rep_b1", f"/api/v1/plans/{mine['id']}")).status_code == 404
    moved = await team.patch("rep_b1", f"/api/v1/plans/{mine['id']}", {"date": "2026-12-08"})
    assert moved.status_code == 404
    blocked = await team.delete("rep_a1", f"/api/v1/beats/{made['id']}")
    assert blocked.status_code == 409  # still planned


async def test_a_plan_is_edited_into_weekly_and_deleted(team: Team) -> None:
    made = await beat(team, "rep_a1", [(await team.contact("rep_a1"))["id"]])
    one = await plan(team, "rep_a1", beatId=made["id"], date="2026-12-07")
    assert (one["date"], one["weekdays"], one["startDate"]) == ("2026-12-07", [], None)
    weekly = {"date": None, "weekdays": ["MON", "THU"], "startDate": "2026-12-01",
              "endDate": "2026-12-31"}  # fmt: skip
    changed = await team.patch("rep_a1", f"/api/v1/plans/{one['id']}", weekly)
    assert changed.status_code == 200, changed.text
    assert changed.json()["data"]["weekdays"] == ["MON", "THU"]
    bad = await team.patch("rep_a1", f"/api/v1/plans/{one['id']}", {"endDate": "2026-11-01"})
    assert bad.status_code == 422
    assert "endDate" in bad.json()["error"]["details"]
    stored = await team.get("rep_a1", f"/api/v1/plans/{one['id']}")
    assert stored.json()["data"]["endDate"] == "2026-12-31"
    listed = await team.get("rep_a1", "/api/v1/plans", dayFrom="2026-12-10", dayTo="2026-12-10")
    assert [p["id"] for p in listed.json()["data"]] == [one["id"]]
    none = await team.get("rep_a1", "/api/v1/plans", dayFrom="2027-01-01")
    assert none.json()["data"] == []
    assert (await team.delete("rep_a1", f"/api/v1/plans/{one['id']}")).status_code == 200
    assert (await team.delete("rep_a1", f"/api/v1/beats/{made['id']}")).status_code == 200


async def test_todays_route_in_a_non_utc_company(team: Team) -> None:
    await kolkata(team)
    product = await team.product()
    today = local_today()
    c1, c2, c3, other = [(await team.contact("rep_a1", name=f"Shop {i}"))["id"] for i in range(4)]
    made = await beat(team, "rep_a1", [c1, c2, c3])
    await plan(team, "rep_a1", beatId=made["id"], date=today.isoformat())
    await team.check_in("rep_a1", c2)
    await team.check_in("rep_a1", other)
    order = {"contactId": c2, "items": [{"productId": product["id"], "quantity": 1}]}
    assert (await team.post("rep_a1", "/api/v1/orders", order)).status_code == 201
    await team.check_in("rep_a1", c3)
    response = await team.get("rep_a1", "/api/v1/plans/today")
    assert response.status_code == 200, response.text
    route = response.json()["data"]
    assert route["day"] == today.isoformat()
    assert [(s["contact"]["id"], s["status"]) for s in route["stops"]] == [
        (c1, "PENDING"), (c2, "PRODUCTIVE"), (c3, "VISITED"),
    ]  # fmt: skip
    assert [s["position"] for s in route["stops"]] == [1, 2, 3]
    assert [u["contact"]["id"] for u in route["unplanned"]] == [other]
    assert (route["planned"], route["visited"], route["productive"]) == (3, 2, 1)
    seen = await team.get("mgr_a", "/api/v1/plans/today", userId=team.ids["rep_a1"])
    assert seen.json()["data"]["stops"] == route["stops"]
    refused = await team.get("mgr_b", "/api/v1/plans/today", userId=team.ids["rep_a1"])
    assert refused.status_code == 422


async def test_a_check_in_at_2330_local_counts_for_that_local_day(team: Team) -> None:
    # West of UTC, so 23:30 local is the next day in UTC (07:30Z in December).
    zone = ZoneInfo("America/Los_Angeles")
    changed = await team.patch("admin", "/api/v1/company", {"timezone": "America/Los_Angeles"})
    assert changed.status_code == 200, changed.text
    day = datetime.now(zone).date() - timedelta(days=2)
    c1, c2 = [(await team.contact("rep_a1"))["id"] for _ in range(2)]
    made = await beat(team, "rep_a1", [c1, c2])
    await plan(team, "rep_a1", beatId=made["id"], date=day.isoformat())
    late = datetime(day.year, day.month, day.day, 23, 30, tzinfo=zone)
    assert late.astimezone(UTC).date() == day + timedelta(days=1)
    await team.check_in("rep_a1", c1, checkedInAt=late.astimezone(UTC).isoformat())
    early = datetime(day.year, day.month, day.day, 0, 10, tzinfo=zone) + timedelta(days=1)
    await team.check_in("rep_a1", c2, checkedInAt=early.astimezone(UTC).isoformat())  # next day
    route = (await team.get("rep_a1", "/api/v1/plans/today", date=day.isoformat())).json()["data"]
    assert [s["status"] for s in route["stops"]] == ["VISITED", "MISSED"]
    report = await team.get(
        "mgr_a", "/api/v1/plans/compliance", **{"from": day.isoformat(), "to": day.isoformat()}
    )
    assert report.status_code == 200, report.text
    (row,) = report.json()["data"]["days"]
    assert (row["planned"], row["visited"], row["compliance"]) == (2, 1, 50.0)


async def test_a_rep_reorders_today_but_adds_nothing(team: Team) -> None:
    await kolkata(team)
    today = local_today().isoformat()
    c1, c2, c3 = [(await team.contact("rep_a1"))["id"] for _ in range(3)]
    theirs = (await team.contact("rep_a2"))["id"]
    await plan(team, "rep_a1", beatId=(await beat(team, "rep_a1", [c1, c2, c3]))["id"], date=today)
    response = await reorder(team, [c3, c1, c2])
    assert response.status_code == 200, response.text
    assert response.json()["data"]["reordered"] is True
    assert [s["contact"]["id"] for s in response.json()["data"]["stops"]] == [c3, c1, c2]
    for bad in ([c3, c1, c2, theirs], [c3, c1], [c1, c1, c2, c3]):
        refused = await reorder(team, bad)
        assert refused.status_code == 422, refused.text
        assert "contactIds" in refused.json()["error"]["details"]
    route = (await team.get("rep_a1", "/api/v1/plans/today")).json()["data"]
    assert [s["contact"]["id"] for s in route["stops"]] == [c3, c1, c2]
    assert await team.count("route_days") == 1


async def test_compliance_is_for_managers_and_checks_its_range(team: Team) -> None:
    rep = await team.get(
        "rep_a1", "/api/v1/plans/compliance", **{"from": "2026-12-01", "to": "2026-12-02"}
    )
    assert rep.status_code == 403
    backwards = await team.get(
        "mgr_a", "/api/v1/plans/compliance", **{"from": "2026-12-05", "to": "2026-12-01"}
    )
    assert backwards.status_code == 422
    assert "to" in backwards.json()["error"]["details"]
    missing = await team.get("mgr_a", "/api/v1/plans/compliance", **{"to": "2026-12-01"})
    assert missing.status_code == 422
    assert "from" in missing.json()["error"]["details"]
    empty = await team.get(
        "mgr_a", "/api/v1/plans/compliance", **{"from": "2026-12-01", "to": "2026-12-01"}
    )
    assert empty.json()["data"] == {
        "dayFrom": "2026-12-01",
        "dayTo": "2026-12-01",
        "reps": [],
        "days": [],
    }
