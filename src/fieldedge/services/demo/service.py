"""The second demo company, a service business: Northwind Service maintains chillers,
boilers, compressors, generators and pumps at 12 customers around Bengaluru.

18 sites (each customer's plant, six with a plant room under it), 60 machines over five
types (three RETIRED), three checklist templates, and a month of work orders written
through the use cases with the clock set to each moment: every day two CORRECTIVE jobs
(one in five a shutdown, which marks the machine DOWN until it is repaired) and two
PREVENTIVE ones due five days on. Most are assigned, started and completed some hours
later (a few preventive readings fall outside their range and mark the machine
DEGRADED); the rest stay open, so the recent ones are due and the older ones overdue.
The equipment-health report has something to show from the first login.

``random.Random(13)``: two runs make the same company.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta
from typing import Any

from fieldedge.domain.access import Principal
from fieldedge.domain.contacts import ContactType
from fieldedge.domain.equipment import Equipment, EquipmentStatus
from fieldedge.domain.identity import User
from fieldedge.domain.work_orders import WorkOrder, WorkOrderKind, WorkOrderStatus
from fieldedge.services.contacts import CreateContact, create_contact
from fieldedge.services.demo.fieldforce import _At, _near
from fieldedge.services.deps import Deps
from fieldedge.services.equipment import (
    CreateEquipment,
    CreateType,
    create_equipment,
    create_type,
    update_equipment,
)
from fieldedge.services.equipment_history import shutdown
from fieldedge.services.sites import CreateSite, create_site
from fieldedge.services.work_orders import (
    CreateTemplate,
    CreateWorkOrder,
    create_template,
    create_work_order,
    update_work_order,
)

COMPANY = "Northwind Service"
DOMAIN = "northwind.fieldedge.dev"
ADMIN = "Nora Winters"
MANAGER = "Oskar Lind"  # the dispatcher
TECHNICIANS = ("Tariq Khan", "Lena Berg", "Marco Rossi", "Ines Duarte")
MACHINES, DAYS, CUSTOMERS = 60, 30, 12
BENGALURU = (12.9716, 77.5946)
CUSTOMER_NAMES = (
    "Orion Textiles", "Kaveri Foods", "Deccan Plastics", "Lakeview Hospital", "Metro Mall",
    "Sunrise Pharma", "Indus Data Centre", "Greenfield School", "Cauvery Hotel",
    "Apex Auto Parts", "Nandi Dairy", "Skyline Offices",
)  # fmt: skip
TYPES: tuple[tuple[str, str, str, str], ...] = (  # name, attribute, make, model
    ("Chiller", "tonnage", "Carrier", "30XA"),
    ("Boiler", "rating_bar", "Thermax", "B-200"),
    ("Compressor", "cfm", "Atlas Copco", "GA30"),
    ("Generator", "kva", "Cummins", "C250"),
    ("Pump", "flow_lpm", "Grundfos", "CR15"),
)
TEMPLATES: dict[str, list[dict[str, Any]]] = {
    "Chiller service": [
        {"key": "suction_bar", "label": "Suction pressure (bar)", "kind": "NUMBER",
         "required": True, "min": 2, "max": 6},
        {"key": "filters", "label": "Filters cleaned", "kind": "CHECK", "required": True},
        {"key": "notes", "label": "Notes", "kind": "TEXT"},
    ],
    "Boiler inspection": [
        {"key": "pressure", "label": "Steam pressure (bar)", "kind": "NUMBER",
         "required": True, "min": 5, "max": 10},
        {"key": "safety_valve", "label": "Safety valve tested", "kind": "CHECK",
         "required": True},
    ],
    "General maintenance": [
        {"key": "visual", "label": "Visual inspection done", "kind": "CHECK", "required": True},
        {"key": "hours", "label": "Hour meter", "kind": "NUMBER", "required": True, "min": 0},
    ],
}  # fmt: skip
TEMPLATE_OF = {"Chiller": "Chiller service", "Boiler": "Boiler inspection"}
FAULTS = ("Tripped on overpressure", "Not cooling", "Leaking seal", "Noisy bearing",
          "Will not start", "Alarm on the panel")  # fmt: skip
S = WorkOrderStatus


def email(name: str) -> str:
    return f"{name.split()[0].lower()}@{DOMAIN}"


def _as(user: User) -> Principal:
    return Principal(user_id=user.id, company_id=user.company_id, role=user.role)


def _answers(rng: random.Random, template: str) -> dict[str, Any]:
    odd = rng.random() < 0.15  # a reading out of range: the machine becomes DEGRADED
    if template == "Chiller service":
        return {"suction_bar": 7.5 if odd else round(rng.uniform(2.5, 5.5), 1), "filters": True}
    if template == "Boiler inspection":
        return {"pressure": 11.2 if odd else round(rng.uniform(6, 9), 1), "safety_valve": True}
    return {"visual": True, "hours": rng.randint(100, 20_000)}


async def seed_service(deps: Deps, admin: Principal, manager: User, techs: list[User]) -> None:
    rng = random.Random(13)  # noqa: S311 - demo data, not secrets
    now = deps.clock.now()
    start = (now - timedelta(days=DAYS)).replace(minute=0, second=0, microsecond=0)
    setup = replace(deps, clock=_At(start - timedelta(days=1)))
    dispatcher = _as(manager)
    sites = []
    for i, name in enumerate(CUSTOMER_NAMES):
        lat, lng = _near(rng, *BENGALURU, 20.0)
        customer = await create_contact(
            admin, CreateContact(name=name, type=ContactType.OTHER, city="Bengaluru",
                                 latitude=lat, longitude=lng), setup,
        )  # fmt: skip
        plant = await create_site(
            admin, CreateSite(customer.id, f"{name} plant", address=f"{i + 1} Industrial Area",
                              latitude=lat, longitude=lng), setup,
        )  # fmt: skip
        sites.append(plant)
        if i % 2 == 0:
            room = CreateSite(customer.id, "Plant room", parent_id=plant.id)
            sites.append(await create_site(admin, room, setup))
    kinds = []
    for name, attr, make, model in TYPES:
        declared = CreateType(name, attributes=[{"name": attr, "kind": "number"}])
        kinds.append((await create_type(admin, declared, setup), name, make, model))
    templates = {
        name: await create_template(admin, CreateTemplate(name, items=items), setup)
        for name, items in TEMPLATES.items()
    }
    machines: list[tuple[Equipment, str]] = []
    for n in range(MACHINES):
        kind, type_name, make, model = kinds[n % len(kinds)]
        status = EquipmentStatus.RETIRED if n in (7, 29, 51) else EquipmentStatus.OPERATIONAL
        installed = (start - timedelta(days=rng.randint(200, 2000))).date()
        cmd = CreateEquipment(
            kind.id, sites[n % len(sites)].id, make, model, f"NW-{n + 1:04d}",
            install_date=installed, status=status,
            attributes={TYPES[n % len(TYPES)][1]: rng.randint(5, 500)},
        )  # fmt: skip
        machine = await create_equipment(admin, cmd, setup)
        if status is not EquipmentStatus.RETIRED:
            machines.append((machine, TEMPLATE_OF.get(type_name, "General maintenance")))
    for day in range(DAYS):
        for job in range(4):
            at = start + timedelta(days=day, hours=rng.randint(1, 10), minutes=rng.randint(0, 59))
            machine, template = rng.choice(machines)
            tech = rng.choice(techs)
            clock = replace(deps, clock=_At(at))
            if job < 2 and (day * 2 + job) % 5 == 0:
                opened = await shutdown(_as(tech), machine.id, rng.choice(FAULTS), clock)
                order, fixed = opened.work_order, True
            elif job < 2:
                order = await create_work_order(dispatcher, CreateWorkOrder(
                    f"{rng.choice(FAULTS)}: {machine.serial}", equipment_id=machine.id,
                    kind=WorkOrderKind.CORRECTIVE, due_at=at + timedelta(hours=8),
                ), clock)  # fmt: skip
                fixed = False
            else:
                order = await create_work_order(dispatcher, CreateWorkOrder(
                    f"{template}: {machine.serial}", equipment_id=machine.id,
                    kind=WorkOrderKind.PREVENTIVE, due_at=at + timedelta(days=5),
                    template_id=templates[template].id,
                ), clock)  # fmt: skip
                fixed = False
            finish = at + timedelta(hours=rng.uniform(1, 30))
            if finish < now and rng.random() < 0.75:
                await _work(order, dispatcher, _as(tech), deps, at, finish,
                            _answers(rng, template) if order.template_id else {})  # fmt: skip
                if fixed:
                    await update_equipment(
                        dispatcher, machine.id,
                        {"status": EquipmentStatus.OPERATIONAL, "status_reason": "Repaired"},
                        replace(deps, clock=_At(finish)),
                    )  # fmt: skip
            elif rng.random() < 0.5:
                assign = {"assignee_id": tech.id}
                await update_work_order(dispatcher, order.id, assign, clock)


async def _work(order: WorkOrder, dispatcher: Principal, tech: Principal, deps: Deps,
                at: Any, finish: Any, answers: dict[str, Any]) -> None:  # fmt: skip
    """Assigned at once, started within the hour, completed at ``finish``."""
    await update_work_order(dispatcher, order.id, {"assignee_id": tech.user_id},
                            replace(deps, clock=_At(at)))  # fmt: skip
    started = replace(deps, clock=_At(at + (finish - at) / 4))
    await update_work_order(tech, order.id, {"status": S.IN_PROGRESS}, started)
    done = {"answers": answers, "status": S.COMPLETED} if answers else {"status": S.COMPLETED}
    await update_work_order(tech, order.id, done, replace(deps, clock=_At(finish)))
