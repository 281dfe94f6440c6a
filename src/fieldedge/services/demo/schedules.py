"""Demo preventive maintenance for any company that has equipment, through the same use
cases the API runs: per equipment type, a checklist template and a quarterly service
(PLAN basis, made two weeks early); per type with a meter (a ``number`` attribute), a
service every 500 units of it counted from the last completion; and a monthly
inspection of the first few machines on their own. Generic over a company's machines:
nothing here knows which types or how many machines there are. A company that already
has schedules gets none (a second seed adds nothing)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fieldedge.domain.access import Principal
from fieldedge.domain.equipment import AttributeKind, EquipmentType
from fieldedge.domain.maintenance import DueBasis, IntervalUnit
from fieldedge.domain.work_orders import Priority
from fieldedge.ports.database import Scope
from fieldedge.ports.equipment import EquipmentQuery
from fieldedge.ports.maintenance import ScheduleQuery
from fieldedge.services.deps import Deps
from fieldedge.services.maintenance import CreateSchedule, create_schedule
from fieldedge.services.work_orders import CreateTemplate, create_template

PAGE = 200
SINGLE_MACHINES = 3  # machines that also get a monthly inspection of their own
METER_EVERY = 500


def _checklist(kind: EquipmentType, meter: str | None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [
        {"key": "visual", "label": f"{kind.name}: visual inspection done", "kind": "CHECK",
         "required": True},
        {"key": "notes", "label": "Findings", "kind": "TEXT"},
    ]  # fmt: skip
    if meter is not None:  # a NUMBER item keyed as the meter records the reading
        items.insert(1, {"key": meter, "label": f"Meter: {meter}", "kind": "NUMBER",
                         "required": True, "min": 0})  # fmt: skip
    return items


def _meter(kind: EquipmentType) -> str | None:
    return next((s.name for s in kind.specs if s.kind is AttributeKind.NUMBER), None)


async def seed_schedules(deps: Deps, principal: Principal) -> int:
    """Schedules for ``principal``'s company's equipment (an ADMIN); how many were made."""
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        if await uow.maintenance_schedules.list(ScheduleQuery(limit=1)):
            return 0
        company = await uow.companies.get(principal.tenant)
        types = [EquipmentType.load(r) for r in await uow.equipment_types.list(None, PAGE)]
        machines = await uow.equipment.list(EquipmentQuery(limit=PAGE))
    if company is None or not machines:
        return 0
    today = deps.clock.now().astimezone(ZoneInfo(company.timezone)).date()
    first_of_next = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    used = {row["type_id"] for row in machines}
    made = 0
    for kind in (k for k in types if k.id in used):
        meter = _meter(kind)
        template = await create_template(
            principal, CreateTemplate(f"{kind.name} service", items=_checklist(kind, meter)), deps
        )
        await _make(deps, principal, f"Quarterly {kind.name} service", kind=kind.id,
                    every=3, unit=IntervalUnit.MONTHS, lead=14, first_due_on=first_of_next,
                    template_id=template.id)  # fmt: skip
        made += 1
        if meter is not None:
            await _make(deps, principal, f"{kind.name} {METER_EVERY} {meter} service",
                        kind=kind.id, every=METER_EVERY, unit=IntervalUnit.METER, meter=meter,
                        lead=METER_EVERY // 20, basis=DueBasis.COMPLETION,
                        template_id=template.id, priority=Priority.HIGH)  # fmt: skip
            made += 1
    for row in list(machines)[:SINGLE_MACHINES]:
        await _make(deps, principal, f"Monthly inspection {row['serial']}", machine=row["id"],
                    every=1, unit=IntervalUnit.MONTHS, lead=3,
                    first_due_on=today + timedelta(days=7))  # fmt: skip
        made += 1
    return made


async def _make(
    deps: Deps,
    principal: Principal,
    name: str,
    *,
    kind: Any = None,
    machine: Any = None,
    first_due_on: date | None = None,
    **fields: Any,
) -> None:
    cmd = CreateSchedule(name=name, equipment_type_id=kind, equipment_id=machine,
                         first_due_on=first_due_on, **fields)  # fmt: skip
    await create_schedule(principal, cmd, deps)
