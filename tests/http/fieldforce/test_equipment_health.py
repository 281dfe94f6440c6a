"""``GET /api/v1/analytics/equipment-health`` over HTTP on every backend: the report's
shape, who may read it (a rep 403, a manager their team's work orders, an ADMIN the
company's), and another company's machines never in it. The figures themselves are
checked against a hand-computed history in tests/contract/test_equipment_health.py."""

from __future__ import annotations

from typing import Any

from .conftest import Team, build_team
from .test_work_orders import _machine

PATH = "/api/v1/analytics/equipment-health"


async def _repaired(team: Team, machine: dict[str, Any]) -> None:
    down = await team.post("rep_a1", f"/api/v1/equipment/{machine['id']}/shutdown",
                           {"reason": "Tripped"})  # fmt: skip
    assert down.status_code == 201, down.text
    url = f"/api/v1/work-orders/{down.json()['data']['workOrder']['id']}"
    assigned = await team.patch("mgr_a", url, {"assigneeId": team.ids["rep_a1"]})
    assert assigned.status_code == 200, assigned.text
    for status in ("IN_PROGRESS", "COMPLETED"):
        moved = await team.patch("rep_a1", url, {"status": status})
        assert moved.status_code == 200, moved.text


async def test_the_report_by_role_and_tenant(team: Team) -> None:
    machine = await _machine(team)
    await _repaired(team, machine)
    admin = await team.get("admin", PATH)
    assert admin.status_code == 200, admin.text
    report = admin.json()["data"]
    assert report["scope"] == "COMPANY"
    total = report["total"]
    assert total["id"] is None
    assert (total["machines"], total["failures"], total["repairs"]) == (1, 1, 1)
    assert total["byStatus"] == {"OPERATIONAL": 0, "DEGRADED": 0, "DOWN": 1, "RETIRED": 0}
    assert total["mtbfHours"] is None  # one failure: no gap yet
    assert total["mttrHours"] >= 0  # a number: the repair took the test's few moments
    assert [(s["id"], s["name"]) for s in report["sites"]] == [(machine["siteId"], "Plant")]
    assert [(t["id"], t["name"]) for t in report["types"]] == [(machine["typeId"], "Boiler")]
    assert (await team.get("rep_a1", PATH)).status_code == 403
    mine = (await team.get("mgr_a", PATH)).json()["data"]
    assert (mine["scope"], mine["total"]["failures"]) == ("TEAM", 1)  # rep_a1 is theirs
    other = (await team.get("mgr_b", PATH)).json()["data"]["total"]
    assert (other["machines"], other["failures"], other["mttrHours"]) == (1, 0, None)
    rival = await build_team(team.api, company="Rival Pharma")
    theirs = (await rival.get("admin", PATH)).json()["data"]
    assert (theirs["total"]["machines"], theirs["sites"], theirs["types"]) == (0, [], [])
