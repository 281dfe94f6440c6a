"""Sync push over HTTP on every backend: ordering, replays, per-mutation rejection,
client-made ids that refer to each other, server-owned fields, field-level conflicts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx

from fieldforce.conftest import PUNE, Team, build_team

PUSH = "/api/v1/sync/push"


def contact_create(mid: int, entity_id: str, **data: Any) -> dict[str, Any]:
    body = {
        "name": "Offline Chemist",
        "type": "RETAILER",
        "latitude": PUNE[0],
        "longitude": PUNE[1],
        **data,
    }
    return {"id": mid, "entity": "contact", "op": "create", "entityId": entity_id, "data": body}


def visit_create(mid: int, entity_id: str, contact_id: str, **data: Any) -> dict[str, Any]:
    body = {
        "contactId": contact_id,
        "latitude": PUNE[0] + 0.0003,
        "longitude": PUNE[1],
        "accuracyM": 10,
        **data,
    }
    return {"id": mid, "entity": "visit", "op": "create", "entityId": entity_id, "data": body}


async def push(
    team: Team, who: str, client_id: str, mutations: list[dict[str, Any]]
) -> httpx.Response:
    return await team.post(who, PUSH, {"clientId": client_id, "mutations": mutations})


def results(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    return list(response.json()["data"]["results"])


async def test_a_push_applies_in_order_and_a_retry_applies_nothing_twice(team: Team) -> None:
    client, contact, visit = str(uuid4()), str(uuid4()), str(uuid4())
    batch = [contact_create(1, contact), visit_create(2, visit, contact)]
    first = results(await push(team, "rep_a1", client, batch))
    assert [(r["id"], r["status"], r["entityId"]) for r in first] == [
        (1, "applied", contact),
        (2, "applied", visit),
    ]
    assert first[0]["version"] == first[1]["version"] > 0  # one stamp for the whole push
    assert first[1]["record"]["contactId"] == contact
    assert first[1]["record"]["verified"] is True  # the server measured it
    again = await push(team, "rep_a1", client, batch)
    assert again.json()["data"]["lastMutationId"] == 2
    replay = results(again)
    assert [(r["status"], r["version"]) for r in replay] == [("duplicate", first[0]["version"])] * 2
    assert await team.count("contacts") == 1
    assert await team.count("visits") == 1


async def test_a_gap_is_out_of_order_with_the_last_id_and_nothing_applies(team: Team) -> None:
    client = str(uuid4())
    assert results(await push(team, "rep_a1", client, [contact_create(1, str(uuid4()))]))
    gap = await push(team, "rep_a1", client, [contact_create(3, str(uuid4()))])
    assert gap.status_code == 409
    error = gap.json()["error"]
    assert (error["code"], error["details"]) == ("OUT_OF_ORDER", {"lastMutationId": 1})
    assert await team.count("contacts") == 1


async def test_a_client_is_bound_to_its_first_user(team: Team) -> None:
    client = str(uuid4())
    assert results(await push(team, "rep_a1", client, [contact_create(1, str(uuid4()))]))
    other = await push(team, "rep_a2", client, [contact_create(2, str(uuid4()))])
    assert other.status_code == 403
    assert other.json()["error"]["code"] == "FORBIDDEN"


async def test_a_bad_mutation_is_rejected_alone_and_leaves_nothing(team: Team) -> None:
    client, good = str(uuid4()), str(uuid4())
    foreign_contact = (await team.contact("rep_b1"))["id"]  # rep_a1 may not see it
    batch = [
        {"id": 1, "entity": "spaceship", "op": "create", "entityId": str(uuid4()), "data": {}},
        {"id": 2, "entity": "contact", "op": "explode", "entityId": str(uuid4()), "data": {}},
        contact_create(3, str(uuid4()), name=""),
        {"id": 4, "entity": "contact", "op": "update", "entityId": good, "data": {"name": "x"}},
        visit_create(5, str(uuid4()), foreign_contact),
        contact_create(6, good),
        {
            "id": 7,
            "entity": "contact",
            "op": "create",
            "entityId": str(UUID(int=0)),
            "data": {"name": "Nil"},
        },
    ]
    out = results(await push(team, "rep_a1", client, batch))
    statuses = [(r["status"], (r["error"] or {}).get("code")) for r in out]
    assert statuses == [
        ("rejected", "VALIDATION_ERROR"),
        ("rejected", "VALIDATION_ERROR"),
        ("rejected", "VALIDATION_ERROR"),
        ("rejected", "VALIDATION_ERROR"),  # an update without baseVersion
        ("rejected", "VALIDATION_ERROR"),  # a contact the rep may not see
        ("applied", None),
        ("rejected", "VALIDATION_ERROR"),
    ]
    entities = (
        "attendance, beat, checklist_template, contact, equipment, equipment_type, expense, "
        "maintenance_schedule, order, payment, plan, route, site, target, territory, visit, "
        "work_order"
    )
    assert out[0]["error"]["details"] == {"entity": [f"One of: {entities}."]}
    assert "baseVersion" in out[3]["error"]["details"]
    assert "contactId" in out[4]["error"]["details"]
    assert await team.count("contacts") == 2  # rep_b1's and the one good create
    assert await team.count("visits") == 0


async def test_an_offline_visit_order_and_payment_refer_to_each_other(team: Team) -> None:
    product = await team.product()
    client, contact, visit, order, payment = (str(uuid4()) for _ in range(5))
    order_data = {
        "contactId": contact,
        "items": [{"productId": product["id"], "quantity": 2}],
        "status": "APPROVED",
        "subtotal": 1,
    }
    batch = [
        contact_create(1, contact),
        visit_create(2, visit, contact),
        {"id": 3, "entity": "order", "op": "create", "entityId": order, "data": order_data},
        {
            "id": 4,
            "entity": "payment",
            "op": "create",
            "entityId": payment,
            "data": {"orderId": order, "amount": 500, "method": "CASH"},
        },
    ]
    refused = results(await push(team, "rep_a1", client, batch))
    # Server-owned fields are not the client's to send: the body is the REST create's.
    assert refused[2]["error"]["details"] == {
        "status": ["Unknown field."],
        "subtotal": ["Unknown field."],
    }
    del order_data["status"], order_data["subtotal"]
    batch = [{**m, "id": m["id"] + 4} for m in batch]
    out = results(await push(team, "rep_a1", client, batch))
    assert [r["status"] for r in out] == ["duplicate", "duplicate", "applied", "applied"], out
    record = out[2]["record"]
    # Server-owned: priced from the catalogue, numbered, PENDING.
    assert (record["status"], record["subtotal"], record["total"]) == ("PENDING", 2500, 2950)
    assert record["number"].startswith("ORD-")
    assert out[3]["record"]["orderId"] == order
    read = (await team.get("rep_a1", f"/api/v1/orders/{order}")).json()["data"]
    assert (read["amountPaid"], read["balanceDue"]) == (500, 2450)


async def test_a_payment_against_an_order_the_push_rejected_is_rejected(team: Team) -> None:
    client, contact, order = str(uuid4()), str(uuid4()), str(uuid4())
    batch = [
        contact_create(1, contact),
        {
            "id": 2,
            "entity": "order",
            "op": "create",
            "entityId": order,
            "data": {"contactId": contact, "items": [{"productId": str(uuid4()), "quantity": 1}]},
        },
        {
            "id": 3,
            "entity": "payment",
            "op": "create",
            "entityId": str(uuid4()),
            "data": {"orderId": order, "amount": 500, "method": "CASH"},
        },
    ]
    out = results(await push(team, "rep_a1", client, batch))
    assert [r["status"] for r in out] == ["applied", "rejected", "rejected"]
    assert out[2]["error"]["code"] == "NOT_FOUND"
    assert await team.count("payments") == 0


async def test_field_level_merge_and_conflict(team: Team) -> None:
    contact = await team.contact("rep_a1", city="Pune", notes="old")
    base = contact["version"]
    edited = await team.patch("mgr_a", f"/api/v1/contacts/{contact['id']}", {"city": "Mumbai"})
    assert edited.status_code == 200
    update = {
        "id": 1,
        "entity": "contact",
        "op": "update",
        "entityId": contact["id"],
        "baseVersion": base,
        "data": {"city": "Nashik", "notes": "new"},
    }
    (out,) = results(await push(team, "rep_a1", str(uuid4()), [update]))
    assert out["status"] == "conflict"
    assert out["conflicts"] == [{"field": "city", "serverValue": "Mumbai", "clientValue": "Nashik"}]
    assert (out["record"]["city"], out["record"]["notes"]) == ("Mumbai", "new")
    assert out["version"] > edited.json()["data"]["version"]


async def test_a_base_version_ahead_of_the_row_is_rejected_and_writes_nothing(
    team: Team,
) -> None:
    contact = await team.contact("rep_a1", city="Pune")
    edited = await team.patch("mgr_a", f"/api/v1/contacts/{contact['id']}", {"city": "Mumbai"})
    now = edited.json()["data"]["version"]
    update = {
        "id": 1,
        "entity": "contact",
        "op": "update",
        "entityId": contact["id"],
        "baseVersion": now + 1000,  # no device saw this: it would hide Mumbai's edit
        "data": {"city": "Nashik"},
    }
    (out,) = results(await push(team, "rep_a1", str(uuid4()), [update]))
    assert out["status"] == "rejected"
    assert out["error"]["code"] == "VALIDATION_ERROR"
    assert "baseVersion" in out["error"]["details"]
    assert (out["record"]["city"], out["version"]) == ("Mumbai", now)
    stored = await team.get("rep_a1", f"/api/v1/contacts/{contact['id']}")
    assert stored.json()["data"]["city"] == "Mumbai"


async def test_locked_and_deleted_rows_take_no_edit(team: Team) -> None:
    product = await team.product()
    contact = await team.contact("rep_a1")
    order = (
        await team.post(
            "rep_a1",
            "/api/v1/orders",
            {"contactId": contact["id"], "items": [{"productId": product["id"], "quantity": 1}]},
        )
    ).json()["data"]
    approved = await team.patch("mgr_a", f"/api/v1/orders/{order['id']}", {"status": "APPROVED"})
    assert approved.status_code == 200
    gone = await team.contact("rep_a1", name="Closed shop")
    assert (await team.delete("mgr_a", f"/api/v1/contacts/{gone['id']}")).status_code == 200
    batch = [
        {
            "id": 1,
            "entity": "order",
            "op": "update",
            "entityId": order["id"],
            "baseVersion": order["version"],
            "data": {"notes": "please hurry"},
        },
        {
            "id": 2,
            "entity": "contact",
            "op": "update",
            "entityId": gone["id"],
            "baseVersion": gone["version"],
            "data": {"name": "Reopened"},
        },
    ]
    locked, deleted = results(await push(team, "rep_a1", str(uuid4()), batch))
    assert locked["status"] == "conflict"
    assert locked["record"]["status"] == "APPROVED"
    assert locked["record"]["notes"] is None
    assert deleted["status"] == "conflict"
    assert deleted["error"]["code"] == "NOT_FOUND"


async def test_another_company_can_neither_touch_nor_read_rows_through_sync(team: Team) -> None:
    other = await build_team(team.api, company="Rival Traders")
    theirs = await team.contact("rep_a1", name="Acme's own")
    batch = [
        {"id": 1, "entity": "contact", "op": "update", "entityId": theirs["id"],
         "baseVersion": theirs["version"], "data": {"name": "Hijacked"}},
        {"id": 2, "entity": "contact", "op": "delete", "entityId": theirs["id"]},
        contact_create(3, theirs["id"], name="Squatter"),
        visit_create(4, str(uuid4()), theirs["id"]),
    ]  # fmt: skip
    out = results(await push(other, "admin", str(uuid4()), batch))
    codes = [(r["status"], r["error"]["code"], r["record"]) for r in out]
    assert codes == [
        ("rejected", "NOT_FOUND", None),
        ("rejected", "NOT_FOUND", None),
        ("rejected", "VALIDATION_ERROR", None),  # the same answer as any unusable id
        ("rejected", "VALIDATION_ERROR", None),
    ]
    assert out[2]["error"]["details"] == {"entityId": ["This id cannot be used; make a new UUID."]}
    read = (await team.get("rep_a1", f"/api/v1/contacts/{theirs['id']}")).json()["data"]
    assert (read["name"], read["version"]) == ("Acme's own", theirs["version"])
    pulled = await other.post("admin", "/api/v1/sync/pull", {"cursor": None})
    assert theirs["id"] not in pulled.text
    assert team.ids["rep_a1"] not in pulled.text


async def test_pushes_the_contract_refuses_whole_apply_nothing(team: Team) -> None:
    client = str(uuid4())
    one = contact_create(1, str(uuid4()))
    bodies = [
        {
            "clientId": client,
            "mutations": [contact_create(i + 1, str(uuid4())) for i in range(501)],
        },
        {"clientId": client, "mutations": [{**one, "id": 0}]},
        {"clientId": client, "mutations": [{**one, "id": 2**63}]},
        {"clientId": client, "mutations": [{**one, "id": "1"}]},
        {"clientId": client, "mutations": [one, {**one, "id": 1}]},  # ids must count up
        {"clientId": "not-a-uuid", "mutations": [one]},
        {"clientId": client, "mutations": [{**one, "entityId": "nope"}]},
        {"clientId": client, "mutations": [{**one, "baseVersion": -1}]},
        {"clientId": client},
    ]
    for body in bodies:
        response = await team.post("rep_a1", PUSH, body)
        assert response.status_code == 422, (str(body)[:80], response.text)
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert await team.count("contacts") == 0
    assert await team.count("sync_clients") == 0


async def test_an_offline_visit_is_checked_against_the_devices_clock(team: Team) -> None:
    contact = await team.contact("rep_a1")
    now = team.api.clock.now()

    def z(at: datetime) -> str:
        return at.isoformat().replace("+00:00", "Z")

    late, wrong, unknown = str(uuid4()), str(uuid4()), str(uuid4())
    batch = [
        # Recorded 30 hours ago by a phone whose clock is right: not flagged for arriving late.
        {**visit_create(1, late, contact["id"], checkedInAt=z(now - timedelta(hours=30))),
         "clientTime": z(now)},
        # A phone two days ahead: its times are two days off, whenever it sends them.
        {**visit_create(2, wrong, contact["id"], checkedInAt=z(now + timedelta(days=2, hours=-3))),
         "clientTime": z(now + timedelta(days=2))},
        # No clientTime: measured against the server's clock, as a REST check-in is.
        visit_create(3, unknown, contact["id"], checkedInAt=z(now - timedelta(hours=30))),
    ]  # fmt: skip
    out = results(await push(team, "rep_a1", str(uuid4()), batch))
    flags = {r["entityId"]: r["record"]["flags"] for r in out}
    assert flags[late] == []
    assert flags[wrong] == ["CLOCK_SKEW"]
    assert flags[unknown] == ["CLOCK_SKEW"]
