"""``/api/v1/expenses`` (and the punch-in selfie) over HTTP on every backend: statuses,
envelopes, refusals naming the field, the lock, the email in the outbox, receipts and
selfies as stored photos, a travel line from a real attendance day, and a claim through
sync push and pull. The rules themselves are tested as use cases
(tests/usecases/test_expenses.py)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from fixtures.identity_api import bearer
from fixtures.images import JPEG, PNG

from .conftest import PUNE, Team

FOOD = {"category": "FOOD", "date": "2026-01-05", "amount": 25000, "note": "Team lunch"}
PUNCH = {"latitude": PUNE[0], "longitude": PUNE[1], "accuracyM": 9}


async def new_claim(team: Team, who: str = "rep_a1", **body: Any) -> dict[str, Any]:
    response = await team.post(who, "/api/v1/expenses", {"title": "Pune trip", **body})
    assert response.status_code == 201, response.text
    return dict(response.json()["data"])


async def act(team: Team, who: str, claim_id: str, action: str, **body: Any) -> Any:
    return await team.post(who, f"/api/v1/expenses/{claim_id}/{action}", body)


async def test_a_claim_from_draft_to_reimbursed(team: Team) -> None:
    claim = await new_claim(team, lines=[FOOD, {**FOOD, "category": "LODGING", "amount": 3}])
    assert (claim["status"], claim["total"], claim["currency"]) == ("DRAFT", 25003, "INR")
    assert claim["lines"][0]["flags"] == ["NO_ATTENDANCE"]  # no day punched on the 5th
    assert claim["lines"][0]["receipt"] is None
    submitted = await act(team, "rep_a1", claim["id"], "submit")
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["data"]["submittedAt"] is not None
    approved = await act(team, "mgr_a", claim["id"], "approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["data"]["approvedBy"] == team.ids["mgr_a"]
    (mail,) = await team.api.outbox("expense_approved")
    assert mail["context"]["total"] == "INR 250.03"
    paid = await act(team, "admin", claim["id"], "reimburse", reference="NEFT-7")
    assert paid.status_code == 200, paid.text
    assert paid.json()["data"]["status"] == "REIMBURSED"
    read = await team.get("mgr_a", f"/api/v1/expenses/{claim['id']}")
    assert read.json()["data"] == paid.json()["data"]
    actions = [a for a in await team.audit_actions() if a.startswith("expense.")]
    assert actions == [
        "expense.created", "expense.submitted", "expense.approved", "expense.reimbursed"
    ]  # fmt: skip


async def test_lists_filter_by_status_and_user_within_scope(team: Team) -> None:
    mine = await new_claim(team, "rep_a1", lines=[FOOD])
    await new_claim(team, "rep_a2", lines=[FOOD])
    await new_claim(team, "rep_b1", lines=[FOOD])
    await act(team, "rep_a1", mine["id"], "submit")

    async def ids(who: str, **params: Any) -> list[str]:
        response = await team.get(who, "/api/v1/expenses", **params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["data"]]

    assert len(await ids("mgr_a")) == 2  # the team's
    assert len(await ids("admin")) == 3
    assert await ids("mgr_a", status="SUBMITTED") == [mine["id"]]
    assert await ids("rep_a2", userId=team.ids["rep_a1"]) == []  # not theirs to see
    assert await ids("admin", userId=team.ids["rep_a1"]) == [mine["id"]]
    bad = await team.get("admin", "/api/v1/expenses", status="PAID")
    assert bad.status_code == 422
    assert "status" in bad.json()["error"]["details"]


@pytest.mark.parametrize("amount", [-1, 10.5, "10", True, 10**13])
async def test_a_negative_or_non_integer_amount_is_422_naming_it(team: Team, amount: Any) -> None:
    response = await team.post(
        "rep_a1", "/api/v1/expenses", {"lines": [{**FOOD, "amount": amount}]}
    )
    assert response.status_code == 422, response.text
    assert "lines.0.amount" in response.json()["error"]["details"]
    claim = await new_claim(team)
    line = await team.post("rep_a1", f"/api/v1/expenses/{claim['id']}/lines",
                           {**FOOD, "amount": amount})  # fmt: skip
    assert line.status_code == 422
    assert "amount" in line.json()["error"]["details"]
    assert await team.count("expense_claims") == 1
    fine = await team.post("rep_a1", f"/api/v1/expenses/{claim['id']}/lines",
                           {**FOOD, "amount": 10.0})  # fmt: skip
    assert fine.status_code == 201  # an integral number is the integer
    assert fine.json()["data"]["total"] == 10


async def test_a_locked_claim_and_illegal_moves_are_409(team: Team) -> None:
    claim = await new_claim(team, lines=[FOOD])
    early = await act(team, "mgr_a", claim["id"], "approve")
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "INVALID_STATE_TRANSITION"
    await act(team, "rep_a1", claim["id"], "submit")
    no_reason = await act(team, "mgr_a", claim["id"], "reject")
    assert no_reason.status_code == 422
    assert "reason" in no_reason.json()["error"]["details"]
    assert (await act(team, "mgr_b", claim["id"], "approve")).status_code == 404
    assert (await act(team, "mgr_a", claim["id"], "reimburse")).status_code == 403
    assert (await act(team, "mgr_a", claim["id"], "approve")).status_code == 200
    line_id = claim["lines"][0]["id"]
    for response in (
        await team.patch("rep_a1", f"/api/v1/expenses/{claim['id']}", {"title": "Later"}),
        await team.post("rep_a1", f"/api/v1/expenses/{claim['id']}/lines", FOOD),
        await team.patch(
            "rep_a1", f"/api/v1/expenses/{claim['id']}/lines/{line_id}", {"amount": 1}
        ),
        await team.delete("rep_a1", f"/api/v1/expenses/{claim['id']}/lines/{line_id}"),
    ):
        assert response.status_code == 409, response.text
        assert response.json()["error"]["code"] == "CONFLICT"
    rejected = await act(team, "admin", claim["id"], "reject", reason="Late")
    assert rejected.json()["error"]["code"] == "INVALID_STATE_TRANSITION"
    read = (await team.get("rep_a1", f"/api/v1/expenses/{claim['id']}")).json()["data"]
    assert (read["title"], read["total"], read["status"]) == ("Pune trip", 25000, "APPROVED")


async def test_a_draft_is_edited_by_its_rep_line_by_line(team: Team) -> None:
    claim = await new_claim(team, lines=[FOOD])
    base = f"/api/v1/expenses/{claim['id']}"
    assert (await team.patch("mgr_a", base, {"title": "Mine"})).status_code == 403
    assert (await team.patch("rep_a2", base, {"title": "Mine"})).status_code == 404
    added = await team.post("rep_a1", f"{base}/lines", {**FOOD, "amount": 500})
    assert added.status_code == 201
    line = added.json()["data"]["lines"][1]
    edited = await team.patch("rep_a1", f"{base}/lines/{line['id']}", {"amount": 700})
    assert edited.json()["data"]["total"] == 25700
    gone = await team.delete("rep_a1", f"{base}/lines/{line['id']}")
    assert [x["id"] for x in gone.json()["data"]["lines"]] == [claim["lines"][0]["id"]]
    missing = await team.patch("rep_a1", f"{base}/lines/{uuid.uuid4()}", {"amount": 1})
    assert missing.status_code == 404
    renamed = await team.patch("rep_a1", base, {"title": "Nashik trip", "lines": []})
    assert (renamed.json()["data"]["title"], renamed.json()["data"]["total"]) == (
        "Nashik trip",
        0,
    )
    empty = await act(team, "rep_a1", claim["id"], "submit")
    assert empty.status_code == 422  # nothing to claim
    assert "lines" in empty.json()["error"]["details"]


async def test_a_travel_line_is_computed_from_the_days_distance(team: Team) -> None:
    rate = await team.patch("admin", "/api/v1/company", {"travelRatePerKm": 800})
    assert rate.status_code == 200, rate.text
    assert rate.json()["data"]["travelRatePerKm"] == 800
    day = (await team.post("rep_a1", "/api/v1/attendance/punch-in", PUNCH)).json()["data"]
    travel = {"category": "TRAVEL", "date": day["day"], "fromAttendance": True}
    still_open = await team.post("rep_a1", "/api/v1/expenses", {"lines": [travel]})
    assert still_open.status_code == 422
    assert "lines.0.fromAttendance" in still_open.json()["error"]["details"]
    north = {**PUNCH, "latitude": PUNE[0] + 0.01}  # 0.01 degree north: 1111.95 m
    closed = await team.post("rep_a1", "/api/v1/attendance/punch-out", north)
    assert closed.json()["data"]["distanceM"] == 1112.0
    claim = await new_claim(team, lines=[travel])
    (line,) = claim["lines"]
    assert (line["distanceM"], line["ratePerKm"], line["amount"]) == (1112.0, 800, 890)  # 889.6
    assert line["flags"] == []
    both = await team.post("rep_a1", "/api/v1/expenses", {"lines": [{**travel, "amount": 5}]})
    assert "lines.0.amount" in both.json()["error"]["details"]


async def test_a_receipt_is_a_checked_private_photo(team: Team) -> None:
    claim = await new_claim(team, lines=[FOOD])
    url = f"/api/v1/expenses/{claim['id']}/lines/{claim['lines'][0]['id']}/receipt"
    rep = bearer(team.tokens["rep_a1"])
    fake = await team.client.post(url, files={"file": ("r.jpg", b"GIF89a", "image/jpeg")},
                                  headers=rep)  # fmt: skip
    assert fake.status_code == 415
    nobody = await team.client.post(url, files={"file": ("r.jpg", JPEG, "image/jpeg")},
                                    headers=bearer(team.tokens["mgr_a"]))  # fmt: skip
    assert nobody.status_code == 403
    stored = await team.client.post(url, files={"file": ("r.png", JPEG, "image/png")}, headers=rep)
    assert stored.status_code == 201, stored.text
    receipt = stored.json()["data"]["lines"][0]["receipt"]
    assert receipt["contentType"] == "image/jpeg"  # the bytes decide, not the label
    assert "key" not in receipt
    again = await team.client.post(url, files={"file": ("r.jpg", JPEG, "image/jpeg")}, headers=rep)
    assert again.headers.get("idempotent-replayed") == "true"
    read = await team.get("mgr_a", url)
    assert read.status_code == 200
    assert read.content == JPEG
    assert read.headers["cache-control"] == "private, no-store"
    assert (await team.get("rep_a2", url)).status_code == 404
    rows = await team.api.sql("SELECT lines FROM expense_claims")
    assert f"{team.company_id}/expenses/{claim['id']}/" in str(rows[0][0])


async def test_a_selfie_on_the_punch_in(team: Team) -> None:
    day = (await team.post("rep_a1", "/api/v1/attendance/punch-in", PUNCH)).json()["data"]
    assert day["selfie"] is None
    url = f"/api/v1/attendance/{day['id']}/selfie"
    rep = bearer(team.tokens["rep_a1"])
    other = await team.client.post(url, files={"file": ("s.jpg", JPEG, "image/jpeg")},
                                   headers=bearer(team.tokens["rep_a2"]))  # fmt: skip
    assert other.status_code == 404
    taken = await team.client.post(url, files={"file": ("s.jpg", JPEG, "image/jpeg")}, headers=rep)
    assert taken.status_code == 201, taken.text
    assert taken.json()["data"]["selfie"]["size"] == len(JPEG)
    swap = await team.client.post(url, files={"file": ("s.png", PNG, "image/png")}, headers=rep)
    assert swap.status_code == 409
    read = await team.get("mgr_a", url)
    assert read.content == JPEG
    listed = await team.get("mgr_a", "/api/v1/attendance")
    assert listed.json()["data"][0]["selfie"]["sha256"] == taken.json()["data"]["selfie"]["sha256"]


async def test_a_claim_through_sync_push_and_pull(team: Team) -> None:
    claim_id, client = str(uuid.uuid4()), str(uuid.uuid4())
    create = {
        "id": 1, "entity": "expense", "op": "create", "entityId": claim_id,
        "data": {"title": "Offline trip", "lines": [FOOD]},
    }  # fmt: skip
    pushed = await team.post("rep_a1", "/api/v1/sync/push",
                             {"clientId": client, "mutations": [create]})  # fmt: skip
    assert pushed.status_code == 200, pushed.text
    (result,) = pushed.json()["data"]["results"]
    assert (result["status"], result["record"]["total"]) == ("applied", 25000)
    edit = {
        "id": 2, "entity": "expense", "op": "update", "entityId": claim_id,
        "baseVersion": result["version"], "data": {"note": "Receipts to follow"},
    }  # fmt: skip
    edited = await team.post("rep_a1", "/api/v1/sync/push",
                             {"clientId": client, "mutations": [edit]})  # fmt: skip
    assert edited.json()["data"]["results"][0]["status"] == "applied"
    pulled = await team.post("mgr_a", "/api/v1/sync/pull", {"cursor": None, "limit": 100})
    (row,) = pulled.json()["data"]["changes"]["expenses"]["upserted"]
    assert (row["id"], row["note"]) == (claim_id, "Receipts to follow")
    rest = await team.get("rep_a1", f"/api/v1/expenses/{claim_id}")
    assert rest.json()["data"] == row
    outsider = await team.post("rep_b1", "/api/v1/sync/pull", {"cursor": None, "limit": 100})
    assert outsider.json()["data"]["changes"]["expenses"]["upserted"] == []
