"""``/api/v1/sites`` over HTTP on every backend: statuses and envelopes, a loop refused
with a 422 on ``parentId``, ``?near=`` sorted by distance, deletes that would orphan
(409), another company's ids (404, nothing written), racing moves that would close a
loop, and the sync round trip. The tree's rules are tested on the use cases
(tests/usecases/test_sites.py)."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

from .conftest import PUNE, Team, build_team

PATH = "/api/v1/sites"


async def _site(team: Team, contact: str, name: str, parent: str | None = None, **body: Any) -> Any:
    response = await team.post(
        "mgr_a", PATH, {"contactId": contact, "name": name, "parentId": parent, **body}
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]


async def test_a_site_tree_is_created_listed_moved_and_deleted(team: Team) -> None:
    customer = (await team.contact())["id"]
    plant = await _site(team, customer, "Plant", latitude=PUNE[0], longitude=PUNE[1])
    floor = await _site(team, customer, "Floor 1", plant["id"], address="Wing A")
    room = await _site(team, customer, "Room 101", floor["id"])
    read = await team.get("rep_b1", f"{PATH}/{room['id']}")  # every role reads sites
    assert read.status_code == 200
    assert read.json()["data"] == room
    children = await team.get("rep_a1", PATH, parentId=plant["id"], fields="id,name")
    assert children.json()["data"] == [{"id": floor["id"], "name": "Floor 1"}]
    found = await team.get("rep_a1", PATH, q="wing")
    assert [s["name"] for s in found.json()["data"]] == ["Floor 1"]
    loop = await team.patch("mgr_a", f"{PATH}/{plant['id']}", {"parentId": room["id"]})
    assert loop.status_code == 422, loop.text
    assert loop.json()["error"]["code"] == "VALIDATION_ERROR"
    assert "parentId" in loop.json()["error"]["details"]
    moved = await team.patch("admin", f"{PATH}/{room['id']}", {"parentId": plant["id"]})
    assert moved.status_code == 200, moved.text
    assert moved.json()["data"]["parentId"] == plant["id"]
    assert moved.json()["data"]["version"] > room["version"]
    orphaning = await team.delete("admin", f"{PATH}/{plant['id']}")
    assert orphaning.status_code == 409
    denied = await team.post("rep_a1", PATH, {"contactId": customer, "name": "Mine"})
    assert denied.status_code == 403
    gone = await team.delete("admin", f"{PATH}/{floor['id']}")
    assert gone.status_code == 200, gone.text
    assert (await team.get("admin", f"{PATH}/{floor['id']}")).status_code == 404
    actions = await team.audit_actions()
    assert actions.count("site.created") == 3
    assert actions[-2:] == ["site.moved", "site.deleted"]


async def test_near_sorts_sites_by_distance(team: Team) -> None:
    customer = (await team.contact())["id"]
    await _site(team, customer, "Far", latitude=18.60, longitude=73.95)
    await _site(team, customer, "Near", latitude=18.53, longitude=73.86)
    await _site(team, customer, "No fix")
    listed = await team.get("rep_a1", PATH, near=f"{PUNE[0]},{PUNE[1]}", radiusKm=5)
    assert listed.status_code == 200, listed.text
    [near] = listed.json()["data"]
    assert near["name"] == "Near"
    assert 1000 < near["distanceM"] < 1300
    bad = await team.get("rep_a1", PATH, radiusKm=5)  # a radius without a centre
    assert bad.status_code == 422
    assert "radiusKm" in bad.json()["error"]["details"]


async def test_another_companys_sites_are_not_found_or_a_422(team: Team) -> None:
    customer = (await team.contact())["id"]
    plant = await _site(team, customer, "Plant")
    rival = await build_team(team.api, company="Rival Pharma")
    for response in (
        await rival.get("admin", f"{PATH}/{plant['id']}"),
        await rival.patch("admin", f"{PATH}/{plant['id']}", {"name": "Taken"}),
        await rival.delete("admin", f"{PATH}/{plant['id']}"),
    ):
        assert response.status_code == 404, response.text
    theirs = (await rival.contact())["id"]
    child = await rival.post(
        "admin", PATH, {"contactId": theirs, "name": "X", "parentId": plant["id"]}
    )
    assert child.status_code == 422
    assert "parentId" in child.json()["error"]["details"]
    at_ours = await rival.post("admin", PATH, {"contactId": customer, "name": "X"})
    assert at_ours.status_code == 422
    assert "contactId" in at_ours.json()["error"]["details"]
    assert (await rival.get("admin", PATH)).json()["data"] == []
    rows = await team.api.sql("SELECT name, deleted_at FROM sites")
    assert [tuple(r) for r in rows] == [("Plant", None)]


async def test_two_moves_that_would_close_a_loop_never_both_apply(team: Team) -> None:
    customer = (await team.contact())["id"]
    a = await _site(team, customer, "A")
    b = await _site(team, customer, "B")
    moves = await asyncio.gather(
        team.patch("admin", f"{PATH}/{a['id']}", {"parentId": b["id"]}),
        team.patch("mgr_a", f"{PATH}/{b['id']}", {"parentId": a["id"]}),
    )
    statuses = sorted(m.status_code for m in moves)
    assert statuses.count(200) == 1, [m.text for m in moves]
    assert all(s == 200 or s in (422, 503) for s in statuses), [m.text for m in moves]
    rows = await team.api.sql("SELECT id FROM sites WHERE parent_id IS NOT NULL")
    assert len(rows) == 1  # one edge: no loop


async def test_a_site_round_trips_through_sync(team: Team) -> None:
    customer = (await team.contact())["id"]
    plant, floor, client = str(uuid4()), str(uuid4()), str(uuid4())
    mutations = [
        {"id": 1, "entity": "site", "op": "create", "entityId": plant,
         "data": {"contactId": customer, "name": "Plant"}},
        {"id": 2, "entity": "site", "op": "create", "entityId": floor,
         "data": {"contactId": customer, "name": "Floor", "parentId": plant}},
    ]  # fmt: skip
    pushed = await team.post(
        "mgr_a", "/api/v1/sync/push", {"clientId": client, "mutations": mutations}
    )
    assert pushed.status_code == 200, pushed.text
    assert [r["status"] for r in pushed.json()["data"]["results"]] == ["applied"] * 2
    pulled = await team.post("rep_b1", "/api/v1/sync/pull", {"cursor": None, "limit": 100})
    rows = {r["id"]: r for r in pulled.json()["data"]["changes"]["sites"]["upserted"]}
    assert rows[floor]["parentId"] == plant
    renamed = await team.patch("admin", f"{PATH}/{floor}", {"name": "Ground floor"})
    assert renamed.status_code == 200
    update = {"id": 3, "entity": "site", "op": "update", "entityId": floor,
              "baseVersion": rows[floor]["version"],
              "data": {"name": "Floor 0", "address": "Gate 2"}}  # fmt: skip
    again = await team.post(
        "mgr_a", "/api/v1/sync/push", {"clientId": client, "mutations": [update]}
    )
    [out] = again.json()["data"]["results"]
    assert out["status"] == "conflict"
    assert out["conflicts"] == [
        {"field": "name", "serverValue": "Ground floor", "clientValue": "Floor 0"}
    ]
    assert (out["record"]["name"], out["record"]["address"]) == ("Ground floor", "Gate 2")
    delete = {"id": 4, "entity": "site", "op": "delete", "entityId": plant,
              "baseVersion": rows[plant]["version"]}  # fmt: skip
    refused = await team.post(
        "mgr_a", "/api/v1/sync/push", {"clientId": client, "mutations": [delete]}
    )
    [kept] = refused.json()["data"]["results"]
    assert kept["status"] == "rejected"  # it has a child: the REST delete's 409
    assert kept["error"]["code"] == "CONFLICT"
