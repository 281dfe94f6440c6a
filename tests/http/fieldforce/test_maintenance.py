"""``/api/v1/maintenance-schedules`` and the ``maintenance`` job over HTTP on every backend:
the routes and their envelopes, bad input (a zero interval, a meter the type lacks,
unknown fields, bad dates, NUL), who may write, another company's ids, the sync round
trip of the new entity; and on Postgres the job's exactly-once under two runs at once
on two connections, and after a gap of missed days. The rules themselves are tested on
the use cases (tests/usecases/test_maintenance.py)."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest

from fieldedge.ports.database import Scope
from fieldedge.services.maintenance_run import run_company
from fieldedge_handlers.jobs import run_job

from .conftest import Team, build_team

PATH = "/api/v1/maintenance-schedules"
POSTGRES = pytest.mark.parametrize("database_url", ["postgres", "pgbouncer"], indirect=True)
DAY = 86_400


async def _today(team: Team) -> date:
    company = (await team.get("admin", "/api/v1/company")).json()["data"]
    return team.api.clock.now().astimezone(ZoneInfo(company["timezone"])).date()


async def _fleet(team: Team, count: int = 1) -> tuple[str, list[str]]:
    customer = (await team.contact())["id"]
    site = await team.post("admin", "/api/v1/sites", {"contactId": customer, "name": "Plant"})
    kind = await team.post(
        "admin", "/api/v1/equipment-types",
        {"name": "Compressor", "attributes": [{"name": "hours", "kind": "number"}]},
    )  # fmt: skip
    type_id = kind.json()["data"]["id"]
    ids = []
    for _ in range(count):
        made = await team.post(
            "admin", "/api/v1/equipment",
            {"typeId": type_id, "siteId": site.json()["data"]["id"], "make": "Atlas",
             "model": "GA30", "serial": f"C-{uuid4().hex[:8]}", "attributes": {"hours": 10}},
        )  # fmt: skip
        assert made.status_code == 201, made.text
        ids.append(made.json()["data"]["id"])
    return type_id, ids


async def test_schedules_are_created_read_listed_edited_and_deleted(team: Team) -> None:
    type_id, (machine,) = await _fleet(team)
    on = (await _today(team)).isoformat()
    body = {"name": "Monthly service", "equipmentId": machine, "every": 1, "unit": "MONTHS",
            "firstDueOn": on, "lead": 5, "basis": "COMPLETION", "priority": "HIGH"}  # fmt: skip
    created = await team.post("mgr_a", PATH, body)
    assert created.status_code == 201, created.text
    schedule = created.json()["data"]
    assert {k: schedule[k] for k in body} == body
    assert (schedule["equipmentTypeId"], schedule["meter"], schedule["active"]) == (
        None, None, True,
    )  # fmt: skip
    url = f"{PATH}/{schedule['id']}"
    assert (await team.get("rep_a1", url)).json()["data"] == schedule
    by_type = await team.post(
        "admin", PATH,
        {"name": "Hours", "equipmentTypeId": type_id, "every": 250, "unit": "METER",
         "meter": "hours", "firstDueReading": 250},
    )  # fmt: skip
    assert by_type.status_code == 201, by_type.text
    listed = await team.get("rep_a1", PATH, equipmentId=machine)
    assert [s["id"] for s in listed.json()["data"]] == [schedule["id"]]
    everything = await team.get("rep_a1", PATH, active="true")
    assert len(everything.json()["data"]) == 2
    edited = await team.patch("mgr_a", url, {"every": 2, "lead": 0})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["data"]["every"], edited.json()["data"]["lead"]) == (2, 0)
    due = await team.get("rep_a1", f"{url}/due")
    assert due.status_code == 200, due.text
    [row] = due.json()["data"]
    assert (row["equipmentId"], row["lastOccurrence"], row["dueNow"]) == (machine, None, 1)
    deleted = await team.delete("admin", url)
    assert deleted.status_code == 200, deleted.text
    assert deleted.json()["data"]["id"] == schedule["id"]
    assert (await team.get("admin", url)).status_code == 404
    actions = await team.audit_actions()
    for action in ("created", "updated", "deleted"):
        assert f"maintenance_schedule.{action}" in actions


async def test_bad_input_is_a_clear_422_and_technicians_are_refused(team: Team) -> None:
    type_id, (machine,) = await _fleet(team)
    good = {"name": "Service", "equipmentId": machine, "every": 7, "unit": "DAYS",
            "firstDueOn": "2027-01-01"}  # fmt: skip
    cases: list[tuple[dict[str, Any], str]] = [
        ({"every": 0}, "every"),
        ({"every": -3}, "every"),
        ({"every": "weekly"}, "every"),
        ({"unit": "FORTNIGHTS"}, "unit"),
        ({"unit": "METER", "meter": "cycles", "firstDueOn": None}, "meter"),  # not declared
        ({"unit": "METER", "firstDueOn": None}, "meter"),  # none named
        ({"firstDueOn": "2027-02-30"}, "firstDueOn"),
        ({"firstDueOn": None}, "firstDueOn"),
        ({"lead": -1}, "lead"),
        ({"equipmentTypeId": type_id}, "equipmentId"),  # both targets
        ({"equipmentId": str(uuid4())}, "equipmentId"),  # no such machine
        ({"templateId": str(uuid4())}, "templateId"),
        ({"name": "Ser\x00vice"}, "name"),
        ({"colour": "red"}, "colour"),
    ]
    for change, field in cases:
        response = await team.post("mgr_a", PATH, {**good, **change})
        assert response.status_code == 422, (change, response.text)
        error = response.json()["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert field in error["details"], (change, error)
    refused = await team.post("rep_a1", PATH, good)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "FORBIDDEN"
    made = (await team.post("mgr_a", PATH, good)).json()["data"]
    empty = await team.patch("mgr_a", f"{PATH}/{made['id']}", {})
    assert empty.status_code == 422
    zero = await team.patch("mgr_a", f"{PATH}/{made['id']}", {"every": 0})
    assert zero.status_code == 422
    assert "every" in zero.json()["error"]["details"]
    assert (await team.patch("rep_a1", f"{PATH}/{made['id']}", {"name": "X"})).status_code == 403
    assert (await team.delete("rep_a1", f"{PATH}/{made['id']}")).status_code == 403


async def test_another_companys_schedule_is_not_found_and_nothing_is_written(team: Team) -> None:
    _, (machine,) = await _fleet(team)
    made = await team.post(
        "admin", PATH,
        {"name": "S", "equipmentId": machine, "every": 1, "unit": "WEEKS",
         "firstDueOn": "2027-01-01"},
    )  # fmt: skip
    url = f"{PATH}/{made.json()['data']['id']}"
    rival = await build_team(team.api, company="Rival Pharma")
    for response in (
        await rival.get("admin", url),
        await rival.get("admin", f"{url}/due"),
        await rival.patch("admin", url, {"name": "Taken"}),
        await rival.delete("admin", url),
    ):
        assert response.status_code == 404, response.text
        assert response.json()["error"]["code"] == "NOT_FOUND"
    theirs = await rival.post(
        "admin", PATH,
        {"name": "S", "equipmentId": machine, "every": 1, "unit": "WEEKS",
         "firstDueOn": "2027-01-01"},
    )  # fmt: skip
    assert theirs.status_code == 422
    assert (await team.get("admin", url)).json()["data"]["name"] == "S"
    assert await team.count("maintenance_schedules") == 1


async def test_a_schedule_round_trips_through_sync(team: Team) -> None:
    _, (machine,) = await _fleet(team)
    schedule_id = str(uuid4())
    client = str(uuid4())
    data = {"name": "Offline plan", "equipmentId": machine, "every": 2, "unit": "WEEKS",
            "firstDueOn": "2027-03-01"}  # fmt: skip
    create = {"id": 1, "entity": "maintenance_schedule", "op": "create",
              "entityId": schedule_id, "data": data}  # fmt: skip
    pushed = await team.post("mgr_a", "/api/v1/sync/push", {"clientId": client,
                                                             "mutations": [create]})  # fmt: skip
    assert pushed.status_code == 200, pushed.text
    [result] = pushed.json()["data"]["results"]
    assert result["status"] == "applied", result
    pulled = await team.post("rep_a1", "/api/v1/sync/pull", {"cursor": None, "limit": 100})
    [row] = pulled.json()["data"]["changes"]["maintenance_schedules"]["upserted"]
    assert row == (await team.get("admin", f"{PATH}/{schedule_id}")).json()["data"]
    cursor = pulled.json()["data"]["cursor"]
    # A technician's replica may not write one: refused in its own result.
    theirs = await team.post(
        "rep_a1", "/api/v1/sync/push",
        {"clientId": str(uuid4()), "mutations": [
            {"id": 1, "entity": "maintenance_schedule", "op": "update", "entityId": schedule_id,
             "baseVersion": row["version"], "data": {"name": "Mine"}}]},
    )  # fmt: skip
    assert theirs.json()["data"]["results"][0]["error"]["code"] == "FORBIDDEN"
    # The manager edits on the server; an offline edit of another field still applies,
    # one of the same field is a conflict that keeps the server's value.
    assert (await team.patch("admin", f"{PATH}/{schedule_id}", {"lead": 3})).status_code == 200
    edits = [
        {"id": 2, "entity": "maintenance_schedule", "op": "update", "entityId": schedule_id,
         "baseVersion": row["version"], "data": {"name": "Fortnightly", "lead": 9}},
        {"id": 3, "entity": "maintenance_schedule", "op": "delete", "entityId": schedule_id,
         "baseVersion": row["version"]},
    ]  # fmt: skip
    again = await team.post("mgr_a", "/api/v1/sync/push", {"clientId": client,
                                                            "mutations": edits})  # fmt: skip
    first, second = again.json()["data"]["results"]
    assert first["status"] == "conflict", first
    assert [c["field"] for c in first["conflicts"]] == ["lead"]
    assert (first["record"]["name"], first["record"]["lead"]) == ("Fortnightly", 3)
    assert second["status"] == "applied", second
    later = await team.post("rep_a1", "/api/v1/sync/pull", {"cursor": cursor, "limit": 100})
    assert later.json()["data"]["changes"]["maintenance_schedules"]["deleted"] == [schedule_id]


async def test_the_job_makes_each_due_work_order_once_and_says_what_it_capped(
    team: Team,
) -> None:
    _, (machine,) = await _fleet(team)
    on = await _today(team)
    made = await team.post(
        "admin", PATH,
        {"name": "Daily check", "equipmentId": machine, "every": 1, "unit": "DAYS",
         "firstDueOn": on.isoformat()},
    )  # fmt: skip
    schedule = made.json()["data"]
    first = await run_job("maintenance", team.api.deps)
    assert (first["job"], first["created"], first["capped"]) == ("maintenance", 1, [])
    listed = await team.get("rep_a1", "/api/v1/work-orders", equipmentId=machine)
    [order] = listed.json()["data"]
    assert (order["kind"], order["scheduleId"], order["occurrence"], order["plannedOn"]) == (
        "PREVENTIVE", schedule["id"], 1, on.isoformat(),
    )  # fmt: skip
    team.api.clock.advance(9 * DAY)  # nine days without a run: occurrences 2 to 10
    gap = await run_job("maintenance", team.api.deps)
    cap = team.api.deps.settings.maintenance_catchup_cap
    assert (gap["created"], gap["skipped"]) == (cap, 9 - cap)
    assert gap["capped"] == [
        {"scheduleId": schedule["id"], "equipmentId": machine, "skipped": 9 - cap}
    ]
    assert (await run_job("maintenance", team.api.deps))["created"] == 0
    rows = await team.api.sql("SELECT occurrence FROM work_orders WHERE schedule_id IS NOT NULL")
    assert sorted(r[0] for r in rows) == [1, *range(11 - cap, 11)]


@POSTGRES
async def test_two_job_runs_at_once_make_each_occurrence_exactly_once(team: Team) -> None:
    """Two runs on two connections at once, over 12 machines with 3 occurrences each due
    after a gap: whichever inserts a (schedule, machine, occurrence) first makes it; the
    other's insert waits for that transaction, clashes on the unique key and is undone
    in its savepoint. Together they make each of the 36 once."""
    type_id, fleet = await _fleet(team, count=12)
    on = await _today(team)
    company = (await team.get("admin", "/api/v1/company")).json()["data"]
    made = await team.post(
        "admin", PATH,
        {"name": "Weekly check", "equipmentTypeId": type_id, "every": 1, "unit": "WEEKS",
         "firstDueOn": on.isoformat()},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    team.api.clock.advance(14 * DAY)  # occurrences 1, 2 and 3 are due for every machine
    deps = team.api.deps
    async with deps.db.unit_of_work(Scope.system()) as uow:
        firm = await uow.companies.get(UUID(company["id"]))
    assert firm is not None
    for expected in (36, 0, 0):  # three rounds of two racing runs: the first makes all 36
        one, two = await asyncio.gather(run_company(deps, firm, 5), run_company(deps, firm, 5))
        assert one.created + two.created == expected, (one, two)
    rows = await team.api.sql(
        "SELECT equipment_id, occurrence, count(*) FROM work_orders "
        "WHERE schedule_id IS NOT NULL GROUP BY equipment_id, occurrence"
    )
    assert len(rows) == 36
    assert {r[2] for r in rows} == {1}
    assert {str(r[0]) for r in rows} == set(fleet)
    created = [a for a in await team.audit_actions() if a == "work_order.created"]
    assert len(created) == 36  # a clash's audit entry went with its savepoint
