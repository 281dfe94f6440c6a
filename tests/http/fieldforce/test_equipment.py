"""``/api/v1/equipment-types`` and ``/api/v1/equipment`` over HTTP on every backend:
statuses and envelopes, attributes refused with a 422 naming them, a taken serial 409
(also two creates racing for it), the serial lookup, another company's ids, and the
sync round trip. The rules themselves are tested on the use cases."""

from __future__ import annotations

import asyncio
from typing import Any

from .conftest import Team, build_team

TYPES, PATH = "/api/v1/equipment-types", "/api/v1/equipment"


async def _setup(team: Team) -> tuple[str, str]:
    customer = (await team.contact())["id"]
    site = await team.post("admin", "/api/v1/sites", {"contactId": customer, "name": "Plant"})
    kind = await team.post(
        "mgr_a",
        TYPES,
        {"name": "Chiller", "attributes": [
            {"name": "hours", "kind": "number", "required": True},
            {"name": "installedBy", "kind": "string"}]},
    )  # fmt: skip
    assert kind.status_code == 201, kind.text
    return kind.json()["data"]["id"], site.json()["data"]["id"]


def _body(kind: str, site: str, serial: str = "CH-1", **fields: Any) -> dict[str, Any]:
    return {"typeId": kind, "siteId": site, "make": "Carrier", "model": "30XA",
            "serial": serial, "attributes": {"hours": 10}, **fields}  # fmt: skip


async def test_equipment_is_installed_looked_up_edited_and_deleted(team: Team) -> None:
    kind, site = await _setup(team)
    declared = (await team.get("rep_a1", f"{TYPES}/{kind}")).json()["data"]["attributes"]
    assert declared[0] == {"name": "hours", "kind": "number", "required": True}
    made = await team.post(
        "admin", PATH, _body(kind, site, installDate="2025-01-10", warrantyEnd="2027-01-10")
    )
    assert made.status_code == 201, made.text
    machine = made.json()["data"]
    assert (machine["status"], machine["attributes"]) == ("OPERATIONAL", {"hours": 10})
    looked_up = await team.get("rep_b1", PATH, serial="CH-1")
    assert [m["id"] for m in looked_up.json()["data"]] == [machine["id"]]
    at_site = await team.get("rep_a1", PATH, siteId=site, status="OPERATIONAL", fields="id")
    assert at_site.json()["data"] == [{"id": machine["id"]}]
    edited = await team.patch(
        "mgr_a", f"{PATH}/{machine['id']}", {"status": "DEGRADED", "statusReason": "Noisy"}
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["data"]["status"], edited.json()["data"]["statusReason"]) == (
        "DEGRADED", "Noisy",
    )  # fmt: skip
    denied = await team.patch("rep_a1", f"{PATH}/{machine['id']}", {"status": "DOWN"})
    assert denied.status_code == 403
    in_use = await team.delete("admin", f"{TYPES}/{kind}")
    assert in_use.status_code == 409
    gone = await team.delete("admin", f"{PATH}/{machine['id']}")
    assert gone.status_code == 200
    assert (await team.delete("admin", f"{TYPES}/{kind}")).status_code == 200
    actions = await team.audit_actions()
    assert actions[-4:] == [
        "equipment.created", "equipment.updated", "equipment.deleted", "equipment_type.deleted",
    ]  # fmt: skip


async def test_attributes_that_do_not_fit_are_a_422_naming_them(team: Team) -> None:
    kind, site = await _setup(team)
    bad = await team.post(
        "admin", PATH, _body(kind, site, attributes={"hours": "many", "colour": "red"})
    )
    assert bad.status_code == 422, bad.text
    assert bad.json()["error"]["code"] == "VALIDATION_ERROR"
    assert sorted(bad.json()["error"]["details"]) == ["attributes.colour", "attributes.hours"]
    missing = await team.post("admin", PATH, _body(kind, site, attributes={}))
    assert list(missing.json()["error"]["details"]) == ["attributes.hours"]
    bad_type = await team.post(
        "admin", TYPES, {"name": "X", "attributes": [{"name": "a", "kind": "x"}]}
    )
    assert bad_type.status_code == 422
    assert "attributes.0.kind" in bad_type.json()["error"]["details"]
    assert await team.count("equipment") == 0


async def test_a_taken_serial_is_409_even_when_two_creates_race(team: Team) -> None:
    kind, site = await _setup(team)
    assert (await team.post("admin", PATH, _body(kind, site))).status_code == 201
    taken = await team.post("admin", PATH, _body(kind, site))
    assert taken.status_code == 409, taken.text
    assert taken.json()["error"]["code"] == "CONFLICT"
    racing = await asyncio.gather(
        team.post("admin", PATH, _body(kind, site, "RACE-1")),
        team.post("mgr_a", PATH, _body(kind, site, "RACE-1")),
    )
    statuses = sorted(r.status_code for r in racing)
    assert statuses[0] == 201, [r.text for r in racing]
    assert statuses[1] in (409, 503), [r.text for r in racing]
    rows = await team.api.sql("SELECT serial FROM equipment WHERE serial = 'RACE-1'")
    assert len(rows) == 1


async def test_another_companys_equipment_is_not_found_or_a_422(team: Team) -> None:
    kind, site = await _setup(team)
    machine = (await team.post("admin", PATH, _body(kind, site))).json()["data"]
    rival = await build_team(team.api, company="Rival Pharma")
    for response in (
        await rival.get("admin", f"{PATH}/{machine['id']}"),
        await rival.patch("admin", f"{PATH}/{machine['id']}", {"model": "Taken"}),
        await rival.delete("admin", f"{PATH}/{machine['id']}"),
        await rival.get("admin", f"{TYPES}/{kind}"),
        await rival.patch("admin", f"{TYPES}/{kind}", {"name": "Taken"}),
    ):
        assert response.status_code == 404, response.text
    theirs = await rival.post("admin", PATH, _body(kind, site))
    assert theirs.status_code == 422
    assert {"typeId", "siteId"} & set(theirs.json()["error"]["details"])
    assert (await rival.get("admin", PATH, serial="CH-1")).json()["data"] == []
    rows = await team.api.sql("SELECT model, deleted_at FROM equipment")
    assert [tuple(r) for r in rows] == [("30XA", None)]


async def test_equipment_round_trips_through_sync(team: Team) -> None:
    kind, site = await _setup(team)
    machine = (await team.post("admin", PATH, _body(kind, site))).json()["data"]
    pulled = await team.post("rep_a1", "/api/v1/sync/pull", {"cursor": None, "limit": 100})
    changes = pulled.json()["data"]["changes"]
    assert [t["id"] for t in changes["equipment_types"]["upserted"]] == [kind]
    [row] = changes["equipment"]["upserted"]
    assert row == machine
    client = "00000000-0000-4000-8000-000000000001"
    edit = {"id": 1, "entity": "equipment", "op": "update", "entityId": machine["id"],
            "baseVersion": row["version"], "data": {"attributes": {"hours": 20}}}  # fmt: skip
    mine = await team.post("rep_a1", "/api/v1/sync/push", {"clientId": client, "mutations": [edit]})
    [refused] = mine.json()["data"]["results"]
    assert refused["status"] == "rejected"  # a technician's replica does not edit machines
    assert refused["error"]["code"] == "FORBIDDEN"
    other = "00000000-0000-4000-8000-000000000002"
    theirs = await team.post("mgr_a", "/api/v1/sync/push", {"clientId": other, "mutations": [edit]})
    [applied] = theirs.json()["data"]["results"]
    assert applied["status"] == "applied", applied
    read = await team.get("admin", f"{PATH}/{machine['id']}")
    assert read.json()["data"]["attributes"] == {"hours": 20}
