"""``fieldedge seed --demo`` makes a company worth clicking through: the people, a territory
tree, 200 contacts in two cities spread over it, 40 products, a week of visits (some
flagged), orders in every status and payments, this month's targets, expense claims, all
written through the use cases; a second run adds nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fakes import FixedClock
from fieldedge.domain.access import Principal
from fieldedge.domain.identity import Role
from fieldedge.ports.database import Database, Scope
from fieldedge.services.demo.seed import seed_demo
from fieldedge.services.equipment_health import equipment_health
from fixtures.app import make_deps
from fixtures.identity_api import Api


async def test_the_demo_company_has_a_week_of_field_work(db: Database, tmp_path: Path) -> None:
    clock = FixedClock(at=datetime(2026, 3, 9, 6, 0, tzinfo=UTC))
    deps = make_deps(tmp_path, db, clock=clock)
    api = Api(app=None, deps=deps, client=None, clock=clock)  # type: ignore[arg-type]
    try:
        created, people = await seed_demo(deps)
        again, _ = await seed_demo(deps)
    finally:
        await deps.kv.close()
        await deps.storage.close()
        await deps.mailer.close()
    assert (created, again, len(people)) == (True, False, 9 + 6)
    cities = await api.sql("SELECT city, count(*) FROM contacts GROUP BY city ORDER BY city")
    assert cities == [("Bengaluru", 12), ("Mumbai", 99), ("Pune", 101)]  # Bengaluru: Northwind's
    assert await api.sql("SELECT count(*) FROM products WHERE active") == [(40,)]
    visits = await api.sql("SELECT count(*), count(DISTINCT user_id) FROM visits")
    assert visits == [(210, 6)]
    verified = (await api.sql("SELECT count(*) FROM visits WHERE verified"))[0][0]
    assert 0 < verified < 210  # most verified, some flagged, none refused
    assert await api.sql("SELECT count(*) FROM visits WHERE checked_out_at IS NULL") == [(0,)]
    statuses = {row[0] for row in await api.sql("SELECT DISTINCT status FROM orders")}
    assert statuses == {"PENDING", "APPROVED", "REJECTED", "DISPATCHED", "DELIVERED", "CANCELLED"}
    numbers = [row[0] for row in await api.sql("SELECT number FROM orders ORDER BY number")]
    assert numbers == [f"ORD-{n:06d}" for n in range(1, 43)]
    paid = await api.sql(
        "SELECT count(*) FROM orders WHERE amount_paid > 0 AND amount_paid < total"
    )
    settled = await api.sql("SELECT count(*) FROM orders WHERE amount_paid = total")
    assert paid[0][0] > 0
    assert settled[0][0] > 0
    assert await api.sql("SELECT count(*) FROM payments") == [(15,)]
    targets = await api.sql("SELECT month, count(DISTINCT user_id) FROM targets GROUP BY month")
    assert targets == [("2026-03", 6)]  # every rep, the company's current month
    made = await api.sql(
        "SELECT count(*) FROM contacts c JOIN users u ON u.id = c.created_by"
        " WHERE u.role = 'SALES_REP' AND c.owner_id = c.created_by"
    )
    assert made == [(20,)]  # one contact in ten, added by its own rep
    days = await api.sql("SELECT count(*), count(DISTINCT user_id) FROM attendance_days")
    assert days == [(42, 6)]  # every rep, every day of the week
    forgotten = await api.sql(
        "SELECT count(*) FROM attendance_days WHERE punched_out_at IS NULL"
        " OR CAST(flags AS TEXT) LIKE '%AUTO_CLOSED%'"
    )
    assert forgotten == [(6,)]  # one a week each: still open, or closed by the next day
    worked = await api.sql(
        "SELECT min(visit_count), max(visit_count), min(worked_minutes) FROM attendance_days"
        " WHERE CAST(flags AS TEXT) NOT LIKE '%AUTO_CLOSED%' AND punched_out_at IS NOT NULL"
    )
    assert worked == [(5, 5, 540)]
    selfies = await api.sql("SELECT count(*) FROM attendance_days WHERE selfie IS NOT NULL")
    assert selfies == [(42,)]  # every punch-in has its selfie
    claims = await api.sql("SELECT status, count(*) FROM expense_claims GROUP BY status")
    assert sorted(claims) == [(s, 6) for s in ("APPROVED", "DRAFT", "REIMBURSED", "REJECTED",
                                                "SUBMITTED")]  # fmt: skip
    stored = await api.sql("SELECT lines, total FROM expense_claims")
    rows = [(raw if isinstance(raw, list) else json.loads(raw), total) for raw, total in stored]
    lines = [line for claim_lines, _ in rows for line in claim_lines]
    travel = [line for line in lines if line["category"] == "TRAVEL"]
    assert len(travel) == 30
    assert all(line["rate_per_km"] == 800 and line["amount"] > 0 for line in travel)
    assert sum("NO_ATTENDANCE" in line["flags"] for line in lines) == 6  # the drafts' hotel
    assert sum(line["receipt"] is not None for line in lines) == 30
    assert all(total == sum(line["amount"] for line in claim_lines) for claim_lines, total in rows)
    beats = await api.sql("SELECT count(*), count(DISTINCT user_id) FROM beats")
    assert beats == [(12, 6)]  # two per rep
    plans = await api.sql("SELECT count(*), min(start_date), max(end_date) FROM plans")
    assert [(n, str(lo), str(hi)) for n, lo, hi in plans] == [(12, "2026-03-02", "2026-03-16")]
    assert await api.sql("SELECT count(*) FROM beat_stops") == [(96,)]
    await _a_region_two_areas_four_territories(api)
    await _northwind_has_a_month_of_service_work(api, deps, people)


async def _a_region_two_areas_four_territories(api: Api) -> None:
    """The demo tree: every contact in one of four territories, each rep in exactly one."""
    levels = await api.sql("SELECT kind, count(*) FROM territories GROUP BY kind ORDER BY kind")
    assert levels == [("area", 2), ("region", 1), ("territory", 4)]
    # Every territory hangs off an area, every area off the region.
    tree = await api.sql(
        "SELECT t.kind, p.kind FROM territories t LEFT JOIN territories p ON p.id = t.parent_id"
        " GROUP BY t.kind, p.kind ORDER BY t.kind"
    )
    assert tree == [("area", "region"), ("region", None), ("territory", "area")]
    spread = await api.sql(
        "SELECT t.name, count(c.id) FROM territories t JOIN contacts c ON c.territory_id = t.id"
        " GROUP BY t.name ORDER BY t.name"
    )
    assert [name for name, _ in spread] == [
        "Mumbai South",
        "Pimpri-Chinchwad",
        "Pune City",
        "Thane",
    ]
    assert sum(n for _, n in spread) == 200  # every contact is in a territory
    assert all(n > 0 for _, n in spread)
    reps = await api.sql("SELECT rep_ids FROM territories WHERE kind = 'territory'")
    assigned = [
        rep for (ids,) in reps for rep in (ids if isinstance(ids, list) else json.loads(ids))
    ]
    assert len(assigned) == len(set(assigned)) == 6  # each rep in exactly one territory


async def _northwind_has_a_month_of_service_work(api: Api, deps: Any, people: list[Any]) -> None:
    """The service company: 18 sites, 60 machines of 5 types, 3 templates, 120 work orders
    over the month (completed corrective and preventive ones, and overdue ones), and an
    equipment-health report with failures, MTBF and MTTR to show."""
    assert await api.sql("SELECT count(*) FROM sites") == [(18,)]
    assert await api.sql("SELECT count(*) FROM equipment_types") == [(5,)]
    # 3 of the service's own, and one per machine type for its maintenance schedules
    # (services/demo/schedules.py): a quarterly service per type, a meter service per
    # type with a meter, and a monthly inspection of three machines.
    assert await api.sql("SELECT count(*) FROM checklist_templates") == [(3 + 5,)]
    ((schedules,),) = await api.sql("SELECT count(*) FROM maintenance_schedules")
    assert schedules >= 5 + 3
    machines = await api.sql("SELECT status, count(*) FROM equipment GROUP BY status")
    assert sum(n for _, n in machines) == 60
    assert dict(machines)["RETIRED"] == 3
    kinds = await api.sql(
        "SELECT kind, status, count(*) FROM work_orders GROUP BY kind, status ORDER BY 1, 2"
    )
    counted = {(kind, status): n for kind, status, n in kinds}
    assert sum(counted.values()) == 120
    assert counted[("CORRECTIVE", "COMPLETED")] > 0
    assert counted[("PREVENTIVE", "COMPLETED")] > 0
    admin = next(p for p in people if p.email == "admin@northwind.fieldedge.dev")
    async with deps.db.unit_of_work(Scope.system()) as uow:
        user = await uow.users.by_email(admin.email)
    assert user is not None
    principal = Principal(user_id=user.id, company_id=user.company_id, role=Role.ADMIN)
    report = await equipment_health(principal, deps)
    total = report.total
    assert (total.machines, len(report.types)) == (60, 5)
    assert total.failures > 0
    assert total.mtbf_hours is not None
    assert total.mttr_hours is not None
    assert total.overdue_preventive > 0
