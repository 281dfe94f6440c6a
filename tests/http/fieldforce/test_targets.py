"""``/api/v1/targets`` over HTTP on every backend: setting (201, then 200), refusals with
the field named, who reads what, a month built through the API against its target, the
team report's statements (a fixed number, whatever the team's size), the audit trail and
a sync round trip. The rules and the sums are tested on the use cases and the repository
(tests/usecases/test_targets.py, tests/contract/test_targets.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from fieldedge.ports.database import Database
from fixtures.identity_api import bearer

from .conftest import Team, build_team
from .test_statements import counted, kinds, quiet

__all__ = ["quiet"]
POSTGRES = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


def aim(team: Team, who: str = "rep_a1", **change: Any) -> dict[str, Any]:
    return {"userId": team.ids[who], "month": "2026-12", "orderValue": 500_000,
            "collections": 300_000, "visits": 3, "newContacts": 2, **change}  # fmt: skip


async def this_month(team: Team) -> str:
    company = (await team.get("admin", "/api/v1/company")).json()["data"]
    return datetime.now(UTC).astimezone(ZoneInfo(company["timezone"])).strftime("%Y-%m")


async def test_a_target_is_set_then_replaced(team: Team) -> None:
    made = await team.post("mgr_a", "/api/v1/targets", aim(team))
    assert made.status_code == 201, made.text
    target = made.json()["data"]
    assert target["userId"] == team.ids["rep_a1"]
    assert (target["month"], target["orderValue"], target["visits"]) == ("2026-12", 500_000, 3)
    assert target["setBy"] == team.ids["mgr_a"]
    again = await team.post("admin", "/api/v1/targets", aim(team, visits=40.0))
    assert again.status_code == 200, again.text
    replaced = again.json()["data"]
    assert (replaced["id"], replaced["visits"], replaced["setBy"]) == (
        target["id"], 40, team.ids["admin"],
    )  # fmt: skip
    assert replaced["version"] > target["version"]
    assert await team.count("targets") == 1
    actions = await team.audit_actions()
    assert [a for a in actions if a.startswith("target.")] == ["target.created", "target.updated"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"month": "2026-13"}, "month"),
        ({"month": "2026-1"}, "month"),
        ({"month": "December"}, "month"),
        ({"orderValue": -1}, "orderValue"),
        ({"collections": 10.5}, "collections"),
        ({"visits": "3"}, "visits"),
        ({"newContacts": None}, "newContacts"),
        ({"visits": 10**16}, "visits"),
        ({"userId": "not-a-uuid"}, "userId"),
        ({"userId": None}, "userId"),
        ({"extra": 1}, "extra"),
    ],
)
async def test_what_is_no_target_is_422_naming_the_field(
    team: Team, change: dict[str, Any], field: str
) -> None:
    response = await team.post("mgr_a", "/api/v1/targets", aim(team, **change))
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]["details"]
    assert await team.count("targets") == 0


@pytest.mark.parametrize("who", ["rep_b1", "mgr_b", "admin", "mgr_a"])
async def test_a_target_for_someone_outside_the_team_is_422_on_user_id(
    team: Team, who: str
) -> None:
    response = await team.post("mgr_a", "/api/v1/targets", aim(team, who))
    assert response.status_code == 422, response.text
    assert list(response.json()["error"]["details"]) == ["userId"]
    assert await team.count("targets") == 0


async def test_another_companys_people_are_out_of_reach(team: Team) -> None:
    rival = await build_team(team.api, "Rival Pharma")
    response = await rival.post("admin", "/api/v1/targets", aim(team))
    assert response.status_code == 422
    assert list(response.json()["error"]["details"]) == ["userId"]
    assert await team.count("targets") == 0
    assert (await team.post("mgr_a", "/api/v1/targets", aim(team))).status_code == 201
    seen = await rival.get("admin", "/api/v1/targets", month="2026-12", userId=team.ids["rep_a1"])
    assert seen.status_code == 200
    assert seen.json()["data"]["reps"] == []
    assert team.ids["rep_a1"] not in seen.text


async def test_a_rep_reads_only_their_own_month(team: Team) -> None:
    assert (await team.post("mgr_a", "/api/v1/targets", aim(team))).status_code == 201
    refused = await team.post("rep_a1", "/api/v1/targets", aim(team))
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "FORBIDDEN")
    assert (await team.get("rep_a1", "/api/v1/targets", month="2026-12")).status_code == 403
    mine = (await team.get("rep_a1", "/api/v1/targets/me", month="2026-12")).json()["data"]
    assert mine["user"]["id"] == team.ids["rep_a1"]
    assert mine["target"]["orderValue"] == 500_000
    theirs = (await team.get("rep_a2", "/api/v1/targets/me", month="2026-12")).json()["data"]
    assert theirs["target"] is None
    assert theirs["visits"] == {"target": None, "achieved": 0, "percent": None}
    bad = await team.get("rep_a1", "/api/v1/targets/me", month="2026-13")
    assert bad.status_code == 422
    assert "month" in bad.json()["error"]["details"]


async def _a_day_of_work(team: Team, who: str) -> None:
    """A contact, a verified visit, an order the manager approves and 2 950 paid on it."""
    shop = await team.contact(who)
    await team.check_in(who, shop["id"])
    product = await team.product(sku=f"SKU-{uuid4().hex[:8]}")  # 1 250 + 18 % tax
    made = await team.post(
        who, "/api/v1/orders",
        {"contactId": shop["id"], "items": [{"productId": product["id"], "quantity": 2}]},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    order = made.json()["data"]
    approved = await team.patch("mgr_a", f"/api/v1/orders/{order['id']}", {"status": "APPROVED"})
    assert approved.status_code == 200, approved.text
    paid = await team.post(
        who, "/api/v1/payments", {"orderId": order["id"], "amount": 2_950, "method": "UPI"}
    )
    assert paid.status_code == 201, paid.text
    pending = await team.post(
        who, "/api/v1/orders",
        {"contactId": shop["id"], "items": [{"productId": product["id"], "quantity": 9}]},
    )  # fmt: skip
    assert pending.status_code == 201  # never approved: counts for nothing


async def test_a_month_of_real_work_against_its_target(team: Team) -> None:
    month = await this_month(team)
    body = aim(team, month=month, orderValue=8_850, collections=5_900, visits=3, newContacts=0)
    assert (await team.post("mgr_a", "/api/v1/targets", body)).status_code == 201
    await _a_day_of_work(team, "rep_a1")
    await _a_day_of_work(team, "rep_a2")
    mine = (await team.get("rep_a1", "/api/v1/targets/me")).json()["data"]
    assert mine["month"] == month
    assert mine["orderValue"] == {"target": 8_850, "achieved": 2_950, "percent": 33.3}
    assert mine["collections"] == {"target": 5_900, "achieved": 2_950, "percent": 50.0}
    assert mine["visits"] == {"target": 3, "achieved": 1, "percent": 33.3}
    assert mine["newContacts"] == {"target": 0, "achieved": 1, "percent": None}
    report = await team.get("mgr_a", "/api/v1/targets", month=month)
    assert report.status_code == 200, report.text
    data = report.json()["data"]
    assert {rep["user"]["id"] for rep in data["reps"]} == {team.ids["rep_a1"], team.ids["rep_a2"]}
    assert data["team"]["orderValue"] == {"target": 8_850, "achieved": 5_900, "percent": 66.7}
    assert data["team"]["visits"] == {"target": 3, "achieved": 2, "percent": 66.7}
    assert data["team"]["newContacts"] == {"target": 0, "achieved": 2, "percent": None}
    one = await team.get("mgr_a", "/api/v1/targets", month=month, userId=team.ids["rep_a2"])
    [rep] = one.json()["data"]["reps"]
    assert (rep["user"]["id"], rep["target"]) == (team.ids["rep_a2"], None)


@POSTGRES
async def test_the_team_report_is_four_reads_whatever_the_teams_size(
    quiet: Team, db: Database
) -> None:
    """Manager A has two reps, manager B one and then seven: the same statements."""
    month = await this_month(quiet)
    for who in ("rep_a1", "rep_a2", "rep_b1"):
        await quiet.post("admin", "/api/v1/targets", aim(quiet, who, month=month))

    async def report(who: str) -> list[str]:
        return kinds(await counted(db, lambda: quiet.get(who, "/api/v1/targets", month=month)))

    # scope; the company (its zone), the people, their targets, the month's sums.
    four = ["BEGIN", "SELECT", "SELECT", "SELECT", "SELECT", "ROLLBACK"]
    assert await report("mgr_a") == four
    assert await report("mgr_b") == four
    for _ in range(6):
        await quiet.api.create_user(
            quiet.tokens["admin"], "SALES_REP", managerId=quiet.ids["mgr_b"]
        )
    grown = await quiet.get("mgr_b", "/api/v1/targets", month=month)
    assert len(grown.json()["data"]["reps"]) == 7
    assert await report("mgr_b") == four
    assert await report("admin") == four
    me = kinds(await counted(db, lambda: quiet.get("rep_a1", "/api/v1/targets/me")))
    assert me == four  # the person instead of the people


async def test_targets_sync_from_the_managers_device_to_the_reps(team: Team) -> None:
    target_id, client = str(uuid4()), str(uuid4())
    mutation = {"id": 1, "entity": "target", "op": "create", "entityId": target_id,
                "data": aim(team)}  # fmt: skip
    pushed = await team.post("mgr_a", "/api/v1/sync/push", {"clientId": client,
                                                            "mutations": [mutation]})  # fmt: skip
    assert pushed.status_code == 200, pushed.text
    [result] = pushed.json()["data"]["results"]
    assert result["status"] == "applied", result
    pulled = await team.post("rep_a1", "/api/v1/sync/pull", {"cursor": None, "limit": 100})
    [row] = pulled.json()["data"]["changes"]["targets"]["upserted"]
    assert (row["id"], row["visits"]) == (target_id, 3)
    edit = {"id": 2, "entity": "target", "op": "update", "entityId": target_id,
            "baseVersion": row["version"], "data": {"visits": 12}}  # fmt: skip
    pushed = await team.post("mgr_a", "/api/v1/sync/push", {"clientId": client,
                                                            "mutations": [edit]})  # fmt: skip
    assert pushed.json()["data"]["results"][0]["status"] == "applied"
    cursor = pulled.json()["data"]["cursor"]
    later = await team.post("rep_a1", "/api/v1/sync/pull", {"cursor": cursor, "limit": 100})
    [row] = later.json()["data"]["changes"]["targets"]["upserted"]
    assert row["visits"] == 12
    elsewhere = await team.post("rep_b1", "/api/v1/sync/pull", {"cursor": None, "limit": 100})
    assert elsewhere.json()["data"]["changes"]["targets"]["upserted"] == []
    from_a_rep = {"id": 1, "entity": "target", "op": "create", "entityId": str(uuid4()),
                  "data": aim(team, month="2027-01")}  # fmt: skip
    pushed = await team.post(
        "rep_a1", "/api/v1/sync/push", {"clientId": str(uuid4()), "mutations": [from_a_rep]}
    )
    assert pushed.json()["data"]["results"][0]["error"]["code"] == "FORBIDDEN"
    assert await team.count("targets") == 1
    headers = bearer(team.tokens["mgr_a"])
    read = await team.client.get("/api/v1/targets", params={"month": "2026-12"}, headers=headers)
    [rep] = [r for r in read.json()["data"]["reps"] if r["target"] is not None]
    assert rep["target"]["visits"] == 12


async def test_the_team_report_refuses_a_bad_query_naming_it(team: Team) -> None:
    for params, field in (({"month": "2026-13"}, "month"), ({"userId": "x"}, "userId"),
                          ({"page": "2"}, "page")):  # fmt: skip
        response = await team.get("mgr_a", "/api/v1/targets", **params)
        assert response.status_code == 422, response.text
        assert field in response.json()["error"]["details"]


async def test_the_document_says_a_setting_answers_201_or_200(team: Team) -> None:
    document = (await team.client.get("/api/openapi.json")).json()
    setting = document["paths"]["/api/v1/targets"]["post"]
    assert {"200", "201", "403", "409", "422"} <= set(setting["responses"])
    body = document["components"]["schemas"]["SetTargetBody"]
    assert body["properties"]["month"]["pattern"] == "^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])$"
    assert body["properties"]["orderValue"]["minimum"] == 0
    assert "id" not in body["properties"]
