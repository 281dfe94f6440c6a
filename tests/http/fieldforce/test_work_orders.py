"""``/api/v1/work-orders``, checklist templates, and a machine's shutdown and history
over HTTP on every backend: statuses and envelopes (409 for a move the machine lacks,
422 naming empty required items, 403 for another technician), /mine and /overdue,
another company's ids, and a technician's offline completion through sync. The rules
are tested on the use cases (tests/usecases/test_work_orders.py)."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from .conftest import Team, build_team

PATH = "/api/v1/work-orders"
ITEMS = [
    {"key": "bar", "label": "Pressure", "kind": "NUMBER", "required": True, "min": 2, "max": 8},
    {"key": "valve", "label": "Valve tested", "kind": "CHECK", "required": True},
]


async def _machine(team: Team) -> dict[str, Any]:
    customer = (await team.contact())["id"]
    site = await team.post("admin", "/api/v1/sites", {"contactId": customer, "name": "Plant"})
    kind = await team.post("admin", "/api/v1/equipment-types", {"name": "Boiler"})
    made = await team.post(
        "admin", "/api/v1/equipment",
        {"typeId": kind.json()["data"]["id"], "siteId": site.json()["data"]["id"],
         "make": "Thermax", "model": "B-200", "serial": f"B-{uuid4().hex[:6]}"},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    return dict(made.json()["data"])


async def _order(team: Team, machine: dict[str, Any], **body: Any) -> dict[str, Any]:
    template = await team.post(
        "mgr_a", "/api/v1/checklist-templates", {"name": "Boiler service", "items": ITEMS}
    )
    assert template.status_code == 201, template.text
    made = await team.post(
        "mgr_a", PATH,
        {"title": "Annual service", "equipmentId": machine["id"],
         "assigneeId": team.ids["rep_a1"], "templateId": template.json()["data"]["id"], **body},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    return dict(made.json()["data"])


async def test_a_technician_works_a_work_order_to_completion(team: Team) -> None:
    machine = await _machine(team)
    order = await _order(team, machine, dueAt="2020-01-01T10:00:00Z", priority="HIGH")
    assert (order["status"], order["siteId"]) == ("ASSIGNED", machine["siteId"])
    assert [i["value"] for i in order["checklist"]] == [None, None]
    url = f"{PATH}/{order['id']}"
    skipped = await team.patch("rep_a1", url, {"status": "COMPLETED"})  # not started
    assert skipped.status_code == 409, skipped.text
    assert skipped.json()["error"]["code"] == "INVALID_STATE_TRANSITION"
    theirs = await team.patch("rep_a2", url, {"status": "IN_PROGRESS"})  # another technician
    assert theirs.status_code == 403
    assert (await team.patch("rep_a1", url, {"status": "IN_PROGRESS"})).status_code == 200
    comment = await team.post("rep_a1", f"{url}/comments", {"text": "Reached site"})
    assert comment.status_code == 201, comment.text
    assert comment.json()["data"]["comments"][0]["text"] == "Reached site"
    early = await team.patch("rep_a1", url, {"answers": {"bar": 9.5}, "status": "COMPLETED"})
    assert early.status_code == 422, early.text
    assert list(early.json()["error"]["details"]) == ["checklist.valve"]
    bad = await team.patch("rep_a1", url, {"answers": {"bar": "high"}})
    assert bad.status_code == 422
    assert list(bad.json()["error"]["details"]) == ["answers.bar"]
    overdue = await team.get("rep_b1", f"{PATH}/overdue")
    assert [o["id"] for o in overdue.json()["data"]] == [order["id"]]
    mine = await team.get("rep_a1", f"{PATH}/mine", priority="HIGH", fields="id")
    assert mine.json()["data"] == [{"id": order["id"]}]
    done = await team.patch(
        "rep_a1", url, {"answers": {"bar": 9.5, "valve": True}, "status": "COMPLETED"}
    )
    assert done.status_code == 200, done.text
    assert (done.json()["data"]["status"], done.json()["data"]["flaggedItems"]) == (
        "COMPLETED", ["bar"],
    )  # fmt: skip
    read = await team.get("admin", f"/api/v1/equipment/{machine['id']}")
    assert read.json()["data"]["status"] == "DEGRADED"
    assert (await team.get("admin", f"{PATH}/overdue")).json()["data"] == []
    actions = await team.audit_actions()
    assert actions[-2:] == ["work_order.completed", "equipment.degraded"]


async def test_a_shutdown_opens_an_urgent_work_order_and_shows_in_the_history(team: Team) -> None:
    machine = await _machine(team)
    shut = await team.post("rep_a1", f"/api/v1/equipment/{machine['id']}/shutdown",
                           {"reason": "Tripped"})  # fmt: skip
    assert shut.status_code == 201, shut.text
    body = shut.json()["data"]
    assert (body["equipment"]["status"], body["workOrder"]["priority"]) == ("DOWN", "URGENT")
    again = await team.post("admin", f"/api/v1/equipment/{machine['id']}/shutdown",
                            {"reason": "Again"})  # fmt: skip
    assert again.status_code == 409
    history = await team.get("rep_b1", f"/api/v1/equipment/{machine['id']}/history")
    assert history.status_code == 200, history.text
    assert [e["type"] for e in history.json()["data"]] == ["WORK_ORDER_OPENED", "STATUS_CHANGED"]
    assert history.json()["data"][1]["detail"] == {
        "from": "OPERATIONAL", "to": "DOWN", "reason": "Tripped",
    }  # fmt: skip


async def test_another_companys_work_orders_are_not_found(team: Team) -> None:
    order = await _order(team, await _machine(team))
    rival = await build_team(team.api, company="Rival Pharma")
    url = f"{PATH}/{order['id']}"
    for response in (
        await rival.get("admin", url),
        await rival.patch("admin", url, {"title": "Taken"}),
        await rival.post("admin", f"{url}/comments", {"text": "Hi"}),
        await rival.get("admin", f"/api/v1/equipment/{order['equipmentId']}/history"),
    ):
        assert response.status_code == 404, response.text
    theirs = await rival.post("admin", PATH, {"title": "X", "equipmentId": order["equipmentId"]})
    assert theirs.status_code == 422
    assert "equipmentId" in theirs.json()["error"]["details"]
    assert (await rival.get("admin", PATH)).json()["data"] == []
    rows = await team.api.sql("SELECT title, status FROM work_orders")
    assert [tuple(r) for r in rows] == [("Annual service", "ASSIGNED")]


async def test_a_technician_completes_a_work_order_offline(team: Team) -> None:
    order = await _order(team, await _machine(team))
    pulled = await team.post("rep_a1", "/api/v1/sync/pull", {"cursor": None, "limit": 100})
    [row] = pulled.json()["data"]["changes"]["work_orders"]["upserted"]
    assert row == order
    queued = [
        {"id": 1, "entity": "work_order", "op": "update", "entityId": order["id"],
         "baseVersion": row["version"], "data": {"status": "IN_PROGRESS"}},
        {"id": 2, "entity": "work_order", "op": "update", "entityId": order["id"],
         "baseVersion": row["version"],
         "data": {"answers": {"bar": 5, "valve": True}, "status": "COMPLETED"}},
    ]  # fmt: skip
    pushed = await team.post(
        "rep_a1", "/api/v1/sync/push", {"clientId": str(uuid4()), "mutations": queued}
    )
    assert pushed.status_code == 200, pushed.text
    assert [r["status"] for r in pushed.json()["data"]["results"]] == ["applied", "applied"]
    read = (await team.get("admin", f"{PATH}/{order['id']}")).json()["data"]
    assert (read["status"], read["completedBy"]) == ("COMPLETED", team.ids["rep_a1"])
    assert [i["value"] for i in read["checklist"]] == [5, True]
