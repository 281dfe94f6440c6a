"""Equipment-type and equipment use cases on the memory fake: declared attributes and
the values checked against them (422 naming each), the serial number unique among live
equipment (409, free again after a delete), the site and type of this company only,
deletes, the serial lookup, who may write, the audit trail and sync."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from fieldedge.domain.equipment import EquipmentStatus, EquipmentType
from fieldedge.domain.sites import Site
from fieldedge.domain.sync import Mutation
from fieldedge.errors import Conflict, Forbidden, NotFound, ValidationFailed
from fieldedge.http.sync_entities import registry
from fieldedge.services import equipment, sites
from fieldedge.services.equipment import CreateEquipment, CreateType, EquipmentFilter
from fieldedge.services.sites import CreateSite
from fieldedge.services.sync.pull import pull
from fieldedge.services.sync.push import push

from .world import World

SPECS = [
    {"name": "hours", "kind": "number", "required": True},
    {"name": "refrigerant", "kind": "string"},
    {"name": "outdoor", "kind": "boolean"},
    {"name": "serviced_on", "kind": "date"},
]


async def _site(world: World, name: str = "Plant") -> Site:
    customer = await world.contact()
    return await sites.create_site(
        world.as_("admin"), CreateSite(contact_id=customer.id, name=name), world.deps
    )


async def _type(world: World, specs: list[dict[str, Any]] | None = None) -> EquipmentType:
    cmd = CreateType(name="Chiller", attributes=SPECS if specs is None else specs)
    return await equipment.create_type(world.as_("mgr_a"), cmd, world.deps)


def _machine(kind: EquipmentType, site: Site, serial: str = "CH-1", **fields: Any) -> Any:
    values = {"attributes": {"hours": 1200}, **fields}
    return CreateEquipment(
        type_id=kind.id, site_id=site.id, make="Carrier", model="30XA", serial=serial, **values
    )


async def test_a_type_declares_attributes_and_equipment_carries_them(world: World) -> None:
    kind, site = await _type(world), await _site(world)
    values = {
        "hours": 1200.5,
        "refrigerant": "R-134a",
        "outdoor": False,
        "serviced_on": "2026-01-31",
    }
    made = await equipment.create_equipment(
        world.as_("admin"), _machine(kind, site, attributes=values), world.deps
    )
    read = await equipment.get_equipment(world.as_("rep_b1"), made.id, world.deps)  # any role
    assert read.attributes == values
    assert read.status is EquipmentStatus.OPERATIONAL
    assert [spec.name for spec in kind.specs] == ["hours", "refrigerant", "outdoor", "serviced_on"]
    assert world.actions()[-1] == "equipment.created"


async def test_a_type_with_bad_declarations_is_a_422_naming_them(world: World) -> None:
    for specs, field in (
        ([{"name": "1st", "kind": "number"}], "attributes.0.name"),
        ([{"name": "hours", "kind": "integer"}], "attributes.0.kind"),
        ([{"name": "hours", "kind": "number"}, {"name": "hours", "kind": "date"}],
         "attributes.1.name"),
    ):  # fmt: skip
        with pytest.raises(ValidationFailed) as refused:
            await _type(world, specs)
        assert field in refused.value.details, refused.value.details


@pytest.mark.parametrize(
    ("attributes", "named"),
    [
        ({}, ["attributes.hours"]),  # required, missing
        ({"hours": None}, ["attributes.hours"]),  # null is missing
        ({"hours": "1200"}, ["attributes.hours"]),  # text is not a number
        ({"hours": True}, ["attributes.hours"]),  # nor is a boolean
        ({"hours": 1, "outdoor": "yes"}, ["attributes.outdoor"]),
        ({"hours": 1, "serviced_on": "31/01/2026"}, ["attributes.serviced_on"]),
        ({"hours": 1, "refrigerant": 134}, ["attributes.refrigerant"]),
        ({"hours": 1, "colour": "red"}, ["attributes.colour"]),  # not declared
        ({"hours": "x", "colour": "red"}, ["attributes.colour", "attributes.hours"]),
    ],
)
async def test_attributes_that_do_not_fit_the_type_are_a_422_naming_them(
    world: World, attributes: dict[str, Any], named: list[str]
) -> None:
    kind, site = await _type(world), await _site(world)
    with pytest.raises(ValidationFailed) as refused:
        await equipment.create_equipment(
            world.as_("admin"), _machine(kind, site, attributes=attributes), world.deps
        )
    assert sorted(refused.value.details) == named
    made = await equipment.create_equipment(world.as_("admin"), _machine(kind, site), world.deps)
    with pytest.raises(ValidationFailed) as refused:
        await equipment.update_equipment(
            world.as_("admin"), made.id, {"attributes": attributes}, world.deps
        )
    assert sorted(refused.value.details) == named
    kept = await equipment.get_equipment(world.as_("admin"), made.id, world.deps)
    assert kept.attributes == {"hours": 1200}


async def test_a_new_type_rechecks_the_attributes(world: World) -> None:
    chiller, site = await _type(world), await _site(world)
    pump = await equipment.create_type(
        world.as_("admin"), CreateType(name="Pump", attributes=[
            {"name": "flow", "kind": "number", "required": True}]), world.deps,
    )  # fmt: skip
    made = await equipment.create_equipment(world.as_("admin"), _machine(chiller, site), world.deps)
    with pytest.raises(ValidationFailed) as refused:
        await equipment.update_equipment(
            world.as_("admin"), made.id, {"type_id": pump.id}, world.deps
        )
    assert sorted(refused.value.details) == ["attributes.flow", "attributes.hours"]
    retyped = await equipment.update_equipment(
        world.as_("admin"), made.id, {"type_id": pump.id, "attributes": {"flow": 3}}, world.deps
    )
    assert (retyped.type_id, retyped.attributes) == (pump.id, {"flow": 3})


async def test_a_serial_is_unique_among_live_equipment(world: World) -> None:
    kind, site = await _type(world), await _site(world)
    first = await equipment.create_equipment(world.as_("admin"), _machine(kind, site), world.deps)
    with pytest.raises(Conflict):
        await equipment.create_equipment(world.as_("admin"), _machine(kind, site), world.deps)
    other = await equipment.create_equipment(
        world.as_("admin"), _machine(kind, site, serial="CH-2"), world.deps
    )
    with pytest.raises(Conflict):
        await equipment.update_equipment(
            world.as_("admin"), other.id, {"serial": "CH-1"}, world.deps
        )
    await equipment.delete_equipment(world.as_("admin"), first.id, world.deps)
    again = await equipment.create_equipment(world.as_("admin"), _machine(kind, site), world.deps)
    page = await equipment.list_equipment(
        world.as_("rep_a1"), EquipmentFilter(serial=" CH-1 "), None, 10, world.deps
    )
    assert [row["id"] for row in page.items] == [again.id]  # the live one only


async def test_a_type_site_or_machine_of_another_company_is_not_ours(
    world: World, other: World
) -> None:
    theirs_kind, theirs_site = await _type(other), await _site(other)
    theirs = await equipment.create_equipment(
        other.as_("admin"), _machine(theirs_kind, theirs_site), other.deps
    )
    kind, site = await _type(world), await _site(world)
    with pytest.raises(ValidationFailed) as refused:
        await equipment.create_equipment(
            world.as_("admin"), _machine(theirs_kind, site), world.deps
        )
    assert "typeId" in refused.value.details
    with pytest.raises(ValidationFailed) as refused:
        await equipment.create_equipment(
            world.as_("admin"), _machine(kind, theirs_site), world.deps
        )
    assert "siteId" in refused.value.details
    for attempt in (
        equipment.get_equipment(world.as_("admin"), theirs.id, world.deps),
        equipment.update_equipment(world.as_("admin"), theirs.id, {"model": "X"}, world.deps),
        equipment.delete_equipment(world.as_("admin"), theirs.id, world.deps),
        equipment.get_type(world.as_("admin"), theirs_kind.id, world.deps),
        equipment.delete_type(world.as_("admin"), theirs_kind.id, world.deps),
    ):
        with pytest.raises(NotFound):
            await attempt
    # The same serial in another company is another machine.
    ours = await equipment.create_equipment(world.as_("admin"), _machine(kind, site), world.deps)
    assert ours.serial == theirs.serial


async def test_a_type_in_use_is_not_deleted_and_a_rep_may_not_write(world: World) -> None:
    kind, site = await _type(world), await _site(world)
    made = await equipment.create_equipment(world.as_("admin"), _machine(kind, site), world.deps)
    with pytest.raises(Conflict):
        await equipment.delete_type(world.as_("admin"), kind.id, world.deps)
    rep = world.as_("rep_a1")
    for attempt in (
        equipment.create_type(rep, CreateType(name="Mine"), world.deps),
        equipment.create_equipment(rep, _machine(kind, site, serial="R-1"), world.deps),
        equipment.update_equipment(rep, made.id, {"status": EquipmentStatus.DOWN}, world.deps),
        equipment.delete_equipment(rep, made.id, world.deps),
    ):
        with pytest.raises(Forbidden):
            await attempt
    await equipment.delete_equipment(world.as_("admin"), made.id, world.deps)
    gone = await equipment.delete_type(world.as_("admin"), kind.id, world.deps)
    assert gone.deleted_at == world.clock.now()
    assert world.actions()[-2:] == ["equipment.deleted", "equipment_type.deleted"]


async def test_a_status_change_is_audited_with_from_and_to(world: World) -> None:
    kind, site = await _type(world), await _site(world)
    made = await equipment.create_equipment(world.as_("admin"), _machine(kind, site), world.deps)
    changes = {"status": EquipmentStatus.DEGRADED, "status_reason": "Vibration"}
    await equipment.update_equipment(world.as_("mgr_a"), made.id, changes, world.deps)
    entry = world.audit()[-1]
    assert (entry.action, entry.detail["from"], entry.detail["to"]) == (
        "equipment.updated", "OPERATIONAL", "DEGRADED",
    )  # fmt: skip
    page = await equipment.list_equipment(
        world.as_("rep_a1"), EquipmentFilter(status=EquipmentStatus.DEGRADED), None, 10, world.deps
    )
    assert [row["id"] for row in page.items] == [made.id]
    with pytest.raises(ValidationFailed) as refused:
        await equipment.update_equipment(
            world.as_("mgr_a"), made.id, {"install_date": "2026-02-01",
                                         "warranty_end": "2026-01-01"}, world.deps,
        )  # fmt: skip
    assert "warrantyEnd" in refused.value.details


async def test_types_and_equipment_sync_with_client_ids_and_field_conflicts(world: World) -> None:
    mgr, client = world.as_("mgr_a"), uuid4()
    site = await _site(world)
    type_id, machine_id = uuid4(), uuid4()
    made = [
        Mutation(1, "equipment_type", "create", type_id, None, {"name": "Boiler", "attributes": [
            {"name": "bar", "kind": "number", "required": True}]}),
        Mutation(2, "equipment", "create", machine_id, None, {
            "typeId": str(type_id), "siteId": str(site.id), "make": "Thermax", "model": "B",
            "serial": "TX-9", "attributes": {"bar": 10}}),
    ]  # fmt: skip
    pushed = await push(mgr, client, made, registry(), world.deps)
    assert [r["status"] for r in pushed.results] == ["applied", "applied"], pushed.results
    pulled = await pull(world.as_("rep_b1"), None, 100, registry(), world.deps)
    [kind] = pulled.changes["equipment_types"]["upserted"]
    assert kind["attributes"] == [{"name": "bar", "kind": "number", "required": True}]
    [machine] = pulled.changes["equipment"]["upserted"]
    assert (machine["serial"], machine["attributes"]) == ("TX-9", {"bar": 10})
    await equipment.update_equipment(world.as_("admin"), machine_id, {"model": "B-2"}, world.deps)
    edit = Mutation(3, "equipment", "update", machine_id, machine["version"],
                    {"model": "B-3", "attributes": {"bar": 12}})  # fmt: skip
    [result] = (await push(mgr, client, [edit], registry(), world.deps)).results
    assert result["status"] == "conflict"
    assert result["conflicts"] == [{"field": "model", "serverValue": "B-2", "clientValue": "B-3"}]
    stored = await equipment.get_equipment(mgr, machine_id, world.deps)
    assert (stored.model, stored.attributes) == ("B-2", {"bar": 12})
    bad = Mutation(4, "equipment", "update", machine_id, stored.version,
                   {"attributes": {"bar": "high"}})  # fmt: skip
    [refused] = (await push(mgr, client, [bad], registry(), world.deps)).results
    assert refused["status"] == "rejected"
    assert "attributes.bar" in refused["error"]["details"]
    boiler = {"name": "Boiler", "attributes": [{"name": "bar", "kind": "number", "required": True}]}
    replay = Mutation(5, "equipment_type", "create", type_id, None, boiler)
    [again] = (await push(mgr, client, [replay], registry(), world.deps)).results
    assert again["status"] == "duplicate"
