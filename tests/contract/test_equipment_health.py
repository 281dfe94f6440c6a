"""The equipment-health sums on every implementation, against a history worked out by
hand (the same one ``docs/api.md`` item 46 walks through): failures, MTBF and MTTR per
site, per type and for the company; overdue preventive work; a team's work only; a
deleted machine, a cancelled failure and another tenant's rows left out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from fieldedge.domain.equipment import Equipment, EquipmentStatus, EquipmentType
from fieldedge.domain.sites import Site
from fieldedge.domain.work_orders import WorkOrder, WorkOrderKind, WorkOrderStatus
from fieldedge.ports.database import Database
from fieldedge.ports.work_orders import HealthGroup
from fieldedge.services.equipment_health import Health, figures

from .world import NOW, Tenant, new_id, tenant

T0 = NOW - timedelta(days=3)
C, P = WorkOrderKind.CORRECTIVE, WorkOrderKind.PREVENTIVE
S = WorkOrderStatus


def _stamped(**fields: Any) -> dict[str, Any]:
    return {"id": new_id(), "created_at": NOW, "updated_at": NOW, **fields}


def h(hours: float) -> Any:
    return T0 + timedelta(hours=hours)


async def _history(database: Database, t: Tenant) -> dict[str, UUID]:
    plant = Site(**_stamped(company_id=t.id, contact_id=t.contact.id, name="A plant"))
    depot = Site(**_stamped(company_id=t.id, contact_id=t.contact.id, name="B depot"))
    boiler = EquipmentType(**_stamped(company_id=t.id, name="Boiler"))
    chiller = EquipmentType(**_stamped(company_id=t.id, name="Chiller"))

    def machine(serial: str, kind: EquipmentType, site: Site, status: EquipmentStatus,
                **fields: Any) -> Equipment:  # fmt: skip
        return Equipment(**_stamped(company_id=t.id, type_id=kind.id, site_id=site.id, make="M",
                                    model="X", serial=serial, status=status, **fields))  # fmt: skip

    m1 = machine("M1", boiler, plant, EquipmentStatus.OPERATIONAL)
    m2 = machine("M2", chiller, plant, EquipmentStatus.DOWN)
    m3 = machine("M3", chiller, depot, EquipmentStatus.DEGRADED)
    gone = machine("M4", boiler, depot, EquipmentStatus.OPERATIONAL, deleted_at=NOW)
    m5 = machine("M5", boiler, depot, EquipmentStatus.RETIRED)

    def order(on: Equipment | None, kind: WorkOrderKind, opened: Any, status: S = S.OPEN,
              done: Any = None, **fields: Any) -> WorkOrder:  # fmt: skip
        site = plant.id if on is None else on.site_id
        return WorkOrder(**_stamped(
            company_id=t.id, site_id=site, equipment_id=None if on is None else on.id,
            kind=kind, title="Job", status=status, created_at=opened, completed_at=done,
            **fields))  # fmt: skip

    mine = {"assignee_id": t.rep.id}
    orders = [
        # M1: failures at 0 h, 10 h and 40 h; the first two repaired in 2 h and 4 h.
        order(m1, C, h(0), S.COMPLETED, h(2), **mine),
        order(m1, C, h(10), S.COMPLETED, h(14), **mine),
        order(m1, C, h(40)),
        order(m1, C, h(20), S.CANCELLED),  # not a failure
        order(m1, P, h(1), S.COMPLETED, h(3), due_at=NOW - timedelta(days=2)),  # done
        # M2: one failure at 5 h, repaired in 1 h.
        order(m2, C, h(5), S.COMPLETED, h(6)),
        # M3: failures at 0 h and 30 h, neither repaired; preventive work overdue,
        # due later, and completed late.
        order(m3, C, h(0)),
        order(m3, C, h(30), S.IN_PROGRESS),
        order(m3, P, h(0), S.ASSIGNED, due_at=NOW - timedelta(hours=1), **mine),
        order(m3, P, h(0), due_at=NOW + timedelta(hours=1)),
        order(m3, P, h(0), S.COMPLETED, h(70), due_at=NOW - timedelta(hours=2)),
        # A deleted machine's failure; and site-only preventive work, overdue.
        order(gone, C, h(0)),
        order(None, P, h(0), due_at=NOW - timedelta(minutes=1)),
    ]
    async with t.uow(database) as uow:
        for site in (plant, depot):
            await uow.sites.add(site)
        for kind in (boiler, chiller):
            await uow.equipment_types.add(kind)
        for m in (m1, m2, m3, gone, m5):
            await uow.equipment.add(m)
        for wo in orders:
            await uow.work_orders.add(wo)
        await uow.commit()
    return {"plant": plant.id, "depot": depot.id, "boiler": boiler.id, "chiller": chiller.id}


def _by(groups: list[HealthGroup]) -> dict[tuple[str, UUID | None], Health]:
    return {(g.dimension, g.key): figures(g) for g in groups}


async def test_mtbf_mttr_and_overdue_match_the_hand_computed_history(database: Database) -> None:
    t = await tenant(database)
    ids = await _history(database, t)
    rival = await tenant(database, "Rival")
    await _history(database, rival)  # theirs: never in ours
    async with t.uow(database) as uow:
        report = _by(list(await uow.work_orders.health(NOW, None)))
    assert set(report) == {("all", None), ("site", ids["plant"]), ("site", ids["depot"]),
                           ("type", ids["boiler"]), ("type", ids["chiller"])}  # fmt: skip
    total = report["all", None]
    assert total.machines == 4
    assert total.by_status == {"OPERATIONAL": 1, "DEGRADED": 1, "DOWN": 1, "RETIRED": 1}
    # Failures 3 + 1 + 2; gaps 10 h, 30 h (M1) and 30 h (M3): 70 h / 3; repairs 2 h, 4 h, 1 h.
    assert (total.failures, total.repairs) == (6, 3)
    assert (total.mtbf_hours, total.mttr_hours) == (23.33, 2.33)
    assert total.overdue_preventive == 2
    plant, depot = report["site", ids["plant"]], report["site", ids["depot"]]
    assert (plant.name, plant.machines, plant.failures) == ("A plant", 2, 4)
    assert (plant.mtbf_hours, plant.mttr_hours, plant.overdue_preventive) == (20.0, 2.33, 1)
    assert (depot.machines, depot.failures, depot.repairs) == (2, 2, 0)
    assert (depot.mtbf_hours, depot.mttr_hours, depot.overdue_preventive) == (30.0, None, 1)
    boiler, chiller = report["type", ids["boiler"]], report["type", ids["chiller"]]
    assert (boiler.name, boiler.machines, boiler.failures) == ("Boiler", 2, 3)
    assert (boiler.mtbf_hours, boiler.mttr_hours, boiler.overdue_preventive) == (20.0, 3.0, 0)
    assert (chiller.machines, chiller.failures, chiller.repairs) == (2, 3, 1)
    assert (chiller.mtbf_hours, chiller.mttr_hours, chiller.overdue_preventive) == (30.0, 1.0, 1)


async def test_a_team_counts_its_own_work_orders_and_every_machine(database: Database) -> None:
    t = await tenant(database)
    await _history(database, t)
    async with t.uow(database) as uow:
        team = _by(list(await uow.work_orders.health(NOW, {t.rep.id, t.manager.id})))
        nobody = _by(list(await uow.work_orders.health(NOW, set())))
    total = team["all", None]
    # Only M1's first two failures and M3's overdue preventive work are the rep's.
    assert (total.machines, total.failures, total.repairs) == (4, 2, 2)
    assert (total.mtbf_hours, total.mttr_hours, total.overdue_preventive) == (10.0, 3.0, 1)
    none = nobody["all", None]
    assert (none.machines, none.failures, none.mtbf_hours, none.overdue_preventive) == (
        4, 0, None, 0)  # fmt: skip


async def test_an_empty_company_has_a_zero_total(database: Database) -> None:
    t = await tenant(database)
    async with t.uow(database) as uow:
        groups = list(await uow.work_orders.health(NOW, None))
    assert [(g.dimension, g.machines, g.failures) for g in groups] == [("all", 0, 0)]
