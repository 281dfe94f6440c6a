"""``/api/v1/territories`` and a contact's ``territoryId`` over HTTP on every backend:
statuses and envelopes, refusals naming the field, deletes that would orphan (409),
another company's ids, the descendants list as one statement (a recursive CTE on SQLite
and Postgres alike), racing moves that would close a loop, and the sync round trip. The
tree's rules themselves are tested on the use cases (tests/usecases/test_territories.py)."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

from fieldedge.ports.database import Database

from .conftest import Team, build_team
from .test_statements import counted, kinds, quiet

__all__ = ["quiet"]
PATH = "/api/v1/territories"


async def _make(team: Team, name: str, parent: str | None = None, **body: Any) -> dict[str, Any]:
    response = await team.post("mgr_a", PATH, {"name": name, "parentId": parent, **body})
    assert response.status_code == 201, response.text
    return dict(response.json()["data"])


async def _tree(team: Team) -> dict[str, dict[str, Any]]:
    """West (region) > Pune, Mumbai (areas) > Kothrud, Baner under Pune; Bandra under Mumbai."""
    made = {"West": await _make(team, "West", kind="Region")}
    for area in ("Pune", "Mumbai"):
        made[area] = await _make(team, area, made["West"]["id"], kind="area")
    for leaf, area in (("Kothrud", "Pune"), ("Baner", "Pune"), ("Bandra", "Mumbai")):
        made[leaf] = await _make(team, leaf, made[area]["id"], repIds=[team.ids["rep_a1"]])
    return made


async def _names(team: Team, who: str, territory: str) -> set[str]:
    listed = await team.get(who, "/api/v1/contacts", territoryId=territory, limit=100)
    assert listed.status_code == 200, listed.text
    return {row["name"] for row in listed.json()["data"]}


async def test_a_territory_is_created_read_listed_and_edited(team: Team) -> None:
    tree = await _tree(team)
    leaf = tree["Kothrud"]
    assert (leaf["kind"], leaf["parentId"], leaf["repIds"]) == (
        "territory", tree["Pune"]["id"], [team.ids["rep_a1"]],
    )  # fmt: skip
    assert tree["West"]["kind"] == "region"
    read = await team.get("rep_b1", f"{PATH}/{leaf['id']}")  # every role reads the tree
    assert read.status_code == 200
    assert read.json()["data"] == leaf
    children = await team.get("rep_a2", PATH, parentId=tree["Pune"]["id"])
    assert [t["name"] for t in children.json()["data"]] == ["Kothrud", "Baner"]
    roots = await team.get("rep_a2", PATH, root="true", fields="id,name")
    assert roots.json()["data"] == [{"id": tree["West"]["id"], "name": "West"}]
    mine = await team.get("rep_a1", PATH, repId=team.ids["rep_a1"])
    assert [t["name"] for t in mine.json()["data"]] == ["Kothrud", "Baner", "Bandra"]
    edited = await team.patch(
        "admin", f"{PATH}/{leaf['id']}", {"name": "Kothrud East", "repIds": [team.ids["rep_a2"]]}
    )
    assert edited.status_code == 200, edited.text
    body = edited.json()["data"]
    assert (body["name"], body["repIds"]) == ("Kothrud East", [team.ids["rep_a2"]])
    assert body["version"] > leaf["version"]
    actions = await team.audit_actions()
    assert actions.count("territory.created") == 6
    assert actions[-1] == "territory.updated"


async def test_a_move_that_makes_a_loop_is_422_on_parent_id(team: Team) -> None:
    tree = await _tree(team)
    for below in ("West", "Pune", "Kothrud"):  # itself, a child, a grandchild
        refused = await team.patch(
            "mgr_a", f"{PATH}/{tree['West']['id']}", {"parentId": tree[below]["id"]}
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["code"] == "VALIDATION_ERROR"
        assert "parentId" in refused.json()["error"]["details"]
    rows = await team.api.sql("SELECT parent_id FROM territories WHERE name = 'West'")
    assert rows[0][0] is None
    moved = await team.patch(
        "mgr_a", f"{PATH}/{tree['Kothrud']['id']}", {"parentId": tree["Mumbai"]["id"]}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["data"]["parentId"] == tree["Mumbai"]["id"]
    assert (await team.audit_actions())[-1] == "territory.moved"


async def test_writes_are_for_managers_and_admins(team: Team) -> None:
    tree = await _tree(team)
    leaf = f"{PATH}/{tree['Kothrud']['id']}"
    for response in (
        await team.post("rep_a1", PATH, {"name": "Mine"}),
        await team.patch("rep_a1", leaf, {"name": "Mine"}),
        await team.delete("rep_a1", leaf),
    ):
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "FORBIDDEN"
    assert await team.count("territories") == 6


async def test_bad_bodies_name_the_field(team: Team) -> None:
    tree = await _tree(team)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"name": ""}, "name"),
        ({"name": "X", "kind": ""}, "kind"),
        ({"name": "X", "kind": "k" * 41}, "kind"),
        ({"name": "X", "parentId": "not-a-uuid"}, "parentId"),
        ({"name": "X", "parentId": str(uuid4())}, "parentId"),
        ({"name": "X", "repIds": [team.ids["admin"]]}, "repIds.0"),
        ({"name": "X", "repIds": ["nope"]}, "repIds.0"),
        ({"name": "X", "unknown": 1}, "unknown"),
    ]
    for body, field in cases:
        refused = await team.post("admin", PATH, body)
        assert refused.status_code == 422, (body, refused.text)
        assert field in refused.json()["error"]["details"], (body, refused.text)
    empty = await team.patch("admin", f"{PATH}/{tree['West']['id']}", {})
    assert empty.status_code == 422
    assert await team.count("territories") == 6


async def test_a_territory_with_children_or_contacts_is_409_on_delete(team: Team) -> None:
    tree = await _tree(team)
    with_children = await team.delete("admin", f"{PATH}/{tree['Mumbai']['id']}")
    assert with_children.status_code == 409, with_children.text
    assert with_children.json()["error"]["code"] == "CONFLICT"
    contact = await team.contact("rep_a1", name="Bandra Chemist", territoryId=tree["Bandra"]["id"])
    with_contacts = await team.delete("admin", f"{PATH}/{tree['Bandra']['id']}")
    assert with_contacts.status_code == 409
    cleared = await team.patch("rep_a1", f"/api/v1/contacts/{contact['id']}", {"territoryId": None})
    assert cleared.status_code == 200
    assert cleared.json()["data"]["territoryId"] is None
    gone = await team.delete("mgr_a", f"{PATH}/{tree['Bandra']['id']}")
    assert gone.status_code == 200, gone.text
    assert gone.json()["data"]["deletedAt"] is not None
    assert (await team.get("admin", f"{PATH}/{tree['Bandra']['id']}")).status_code == 404
    assert (await team.delete("admin", f"{PATH}/{tree['Mumbai']['id']}")).status_code == 200
    assert await team.count("territories") == 6  # tombstones kept for sync


async def test_contacts_of_a_territory_include_every_level_below(team: Team) -> None:
    tree = await _tree(team)
    for name in ("West", "Pune", "Kothrud", "Baner", "Bandra"):
        await team.contact("rep_a1", name=f"At {name}", territoryId=tree[name]["id"])
    await team.contact("rep_a1", name="Nowhere")
    assert await _names(team, "admin", tree["West"]["id"]) == {
        "At West", "At Pune", "At Kothrud", "At Baner", "At Bandra",
    }  # fmt: skip
    assert await _names(team, "mgr_b", tree["Pune"]["id"]) == {"At Pune", "At Kothrud", "At Baner"}
    assert await _names(team, "rep_a1", tree["Mumbai"]["id"]) == {"At Bandra"}
    assert await _names(team, "rep_a2", tree["West"]["id"]) == set()  # not theirs
    # A move takes its subtree's contacts along.
    await team.patch("admin", f"{PATH}/{tree['Pune']['id']}", {"parentId": None})
    assert await _names(team, "admin", tree["West"]["id"]) == {"At West", "At Bandra"}
    read = await team.get("admin", "/api/v1/contacts", territoryId=tree["Baner"]["id"])
    [row] = read.json()["data"]
    assert row["territoryId"] == tree["Baner"]["id"]


async def test_the_descendants_list_is_one_statement(quiet: Team, db: Database) -> None:
    tree = await _tree(quiet)
    await quiet.contact("rep_a1", name="At Kothrud", territoryId=tree["Kothrud"]["id"])
    west = tree["West"]["id"]
    sent = await counted(
        db, lambda: quiet.get("rep_a1", "/api/v1/contacts", territoryId=west, limit=20)
    )
    # One statement: the subtree walked by a recursive CTE inside the contacts' SELECT.
    one = ["BEGIN", "WITH", "ROLLBACK"] if db.name == "postgresql" else ["BEGIN", "WITH"]
    assert kinds(sent) == one, sent
    assert "RECURSIVE" in sent[1].upper()


async def test_another_companys_territories_are_not_found_or_a_422(team: Team) -> None:
    tree = await _tree(team)
    rival = await build_team(team.api, company="Rival Pharma")
    west = tree["West"]["id"]
    for response in (
        await rival.get("admin", f"{PATH}/{west}"),
        await rival.patch("admin", f"{PATH}/{west}", {"name": "Taken"}),
        await rival.delete("admin", f"{PATH}/{west}"),
    ):
        assert response.status_code == 404, response.text
    child = await rival.post("admin", PATH, {"name": "Under theirs", "parentId": west})
    assert child.status_code == 422
    assert "parentId" in child.json()["error"]["details"]
    theirs = await rival.post(
        "rep_a1", "/api/v1/contacts", {"name": "Sneaky", "territoryId": tree["Pune"]["id"]}
    )
    assert theirs.status_code == 422
    assert "territoryId" in theirs.json()["error"]["details"]
    assert (await rival.get("admin", PATH)).json()["data"] == []
    listed = await rival.get("admin", "/api/v1/contacts", territoryId=west)
    assert listed.json()["data"] == []
    rows = await team.api.sql("SELECT name, deleted_at FROM territories WHERE name = 'West'")
    assert [tuple(r) for r in rows] == [("West", None)]


async def test_two_moves_that_would_close_a_loop_never_both_apply(team: Team) -> None:
    a = await _make(team, "A")
    b = await _make(team, "B")
    moves = await asyncio.gather(
        team.patch("admin", f"{PATH}/{a['id']}", {"parentId": b["id"]}),
        team.patch("mgr_a", f"{PATH}/{b['id']}", {"parentId": a["id"]}),
    )
    statuses = sorted(m.status_code for m in moves)
    assert statuses.count(200) == 1, [m.text for m in moves]
    assert all(s == 200 or s in (422, 503) for s in statuses), [m.text for m in moves]
    rows = await team.api.sql("SELECT id, parent_id FROM territories WHERE parent_id IS NOT NULL")
    assert len(rows) == 1  # one edge: no loop


async def test_a_territory_round_trips_through_sync(team: Team) -> None:
    region, area = str(uuid4()), str(uuid4())
    client = str(uuid4())
    mutations = [
        {"id": 1, "entity": "territory", "op": "create", "entityId": region,
         "data": {"name": "West", "kind": "region"}},
        {"id": 2, "entity": "territory", "op": "create", "entityId": area,
         "data": {"name": "Pune", "parentId": region, "repIds": [team.ids["rep_a1"]]}},
        {"id": 3, "entity": "contact", "op": "create", "entityId": str(uuid4()),
         "data": {"name": "Offline Chemist", "territoryId": area}},
    ]  # fmt: skip
    pushed = await team.post(
        "mgr_a", "/api/v1/sync/push", {"clientId": client, "mutations": mutations}
    )
    assert pushed.status_code == 200, pushed.text
    results = pushed.json()["data"]["results"]
    assert [r["status"] for r in results] == ["applied"] * 3, results
    pulled = await team.post("rep_a1", "/api/v1/sync/pull", {"cursor": None, "limit": 100})
    changes = pulled.json()["data"]["changes"]
    rows = {row["id"]: row for row in changes["territories"]["upserted"]}
    assert rows[area]["parentId"] == region
    assert rows[area]["repIds"] == [team.ids["rep_a1"]]
    base = rows[region]["version"]
    renamed = await team.patch("admin", f"{PATH}/{region}", {"name": "West Zone"})
    assert renamed.status_code == 200
    update = {"id": 4, "entity": "territory", "op": "update", "entityId": region,
              "baseVersion": base, "data": {"name": "Western", "kind": "zone"}}  # fmt: skip
    again = await team.post(
        "mgr_a", "/api/v1/sync/push", {"clientId": client, "mutations": [update]}
    )
    [out] = again.json()["data"]["results"]
    assert out["status"] == "conflict"
    assert out["conflicts"] == [
        {"field": "name", "serverValue": "West Zone", "clientValue": "Western"}
    ]
    assert (out["record"]["name"], out["record"]["kind"]) == ("West Zone", "zone")
    delete = {"id": 5, "entity": "territory", "op": "delete", "entityId": region,
              "baseVersion": out["version"]}  # fmt: skip
    refused = await team.post(
        "mgr_a", "/api/v1/sync/push", {"clientId": client, "mutations": [delete]}
    )
    [gone] = refused.json()["data"]["results"]
    assert gone["status"] == "rejected"  # it has a child: the REST delete's 409
    assert gone["error"]["code"] == "CONFLICT"
