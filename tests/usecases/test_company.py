"""The company account: settings, finding a company, the audit log and its chain, the
platform's suspend and reactivate, and platform SUPER_ADMINs."""

from __future__ import annotations

import pytest
from contract.world import store, user

from fieldedge.domain.access import Principal
from fieldedge.domain.company import CompanyStatus
from fieldedge.domain.identity import Role
from fieldedge.errors import Conflict, Forbidden, InvalidToken, NotFound, ValidationFailed
from fieldedge.ports.database import Scope
from fieldedge.services.auth.authenticate import authenticate
from fieldedge.services.auth.login import Login, login
from fieldedge.services.auth.refresh import Refresh, refresh
from fieldedge.services.company.audit_log import (
    AuditFilter,
    link_all,
    list_audit,
    verify_audit_chain,
)
from fieldedge.services.company.lookup import find_company
from fieldedge.services.company.platform import list_companies, set_company_status
from fieldedge.services.company.settings import UpdateCompany, get_company, update_company
from fieldedge.services.pagination import encode_cursor
from fieldedge.services.platform_admin import create_super_admin

from .world import PASSWORD, World, build_world


async def _operator(world: World) -> Principal:
    root = user(None, role=Role.SUPER_ADMIN)
    await store(world.deps.db, Scope.system(), root)
    return Principal(user_id=root.id, company_id=None, role=Role.SUPER_ADMIN)


# --- settings ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "mgr_a", "rep_b1"])
async def test_every_member_reads_their_own_company(world: World, who: str) -> None:
    assert (await get_company(world.as_(who), world.deps)).id == world.id


async def test_an_admin_changes_settings_and_the_change_is_audited(world: World) -> None:
    cmd = UpdateCompany(name="Acme Health", geofence_radius_m=350, timezone="Asia/Kolkata")
    changed = await update_company(world.as_("admin"), cmd, world.deps)
    assert (changed.name, changed.geofence_radius_m, changed.timezone) == (
        "Acme Health",
        350,
        "Asia/Kolkata",
    )
    assert (await get_company(world.as_("rep_a1"), world.deps)).name == "Acme Health"
    entry = world.audit()[-1]
    assert entry.action == "company.updated"
    assert entry.detail["after"] == {
        "name": "Acme Health",
        "geofence_radius_m": 350,
        "timezone": "Asia/Kolkata",
    }
    assert entry.detail["before"]["name"] == "Acme Pharma"


async def test_setting_what_is_already_set_writes_nothing(world: World) -> None:
    same = UpdateCompany(name=world.company.name, currency=world.company.currency)
    await update_company(world.as_("admin"), same, world.deps)
    await update_company(world.as_("admin"), UpdateCompany(), world.deps)
    assert "company.updated" not in world.actions()


@pytest.mark.parametrize(
    "cmd",
    [
        UpdateCompany(currency="TOOLONG"),
        UpdateCompany(timezone="Mars/Olympus"),
        UpdateCompany(geofence_radius_m=-5),
        UpdateCompany(name=""),
    ],
)
async def test_an_invalid_setting_is_refused_and_nothing_changes(
    world: World, cmd: UpdateCompany
) -> None:
    with pytest.raises(ValidationFailed):
        await update_company(world.as_("admin"), cmd, world.deps)
    unchanged = await get_company(world.as_("admin"), world.deps)
    assert unchanged.model_dump() == world.company.model_dump()
    assert "company.updated" not in world.actions()


# --- finding a company ------------------------------------------------------------------


async def test_a_company_is_found_by_id_or_by_name(world: World, other: World) -> None:
    assert (await find_company(str(other.id), world.deps)).id == other.id
    assert (await find_company("  other PHARMA ", world.deps)).id == other.id


@pytest.mark.parametrize("ref", ["No Such Pharma", "018f0000-0000-7000-8000-000000000000"])
async def test_an_unknown_company_is_not_found(world: World, ref: str) -> None:
    with pytest.raises(NotFound):
        await find_company(ref, world.deps)


async def test_two_companies_of_one_name_need_the_id(world: World) -> None:
    twin = await build_world(world.deps, world.clock, name="acme pharma")
    with pytest.raises(ValidationFailed, match="2 companies"):
        await find_company("Acme Pharma", world.deps)
    assert (await find_company(str(twin.id), world.deps)).id == twin.id


# --- the audit log ----------------------------------------------------------------------


async def _three_edits(world: World) -> None:
    for name in ("One", "Two", "Three"):
        await update_company(world.as_("admin"), UpdateCompany(name=name), world.deps)


async def test_the_log_is_newest_first_filtered_and_paged(world: World) -> None:
    await _three_edits(world)
    await update_company(world.as_("admin"), UpdateCompany(geofence_radius_m=300), world.deps)
    admin = world.as_("admin")
    first = await list_audit(admin, AuditFilter(action="company.updated"), None, 3, world.deps)
    names = [e.detail["after"].get("name") for e in first.items]
    assert names == [None, "Three", "Two"]
    rest = await list_audit(admin, AuditFilter(action="company.updated"), first.next_cursor, 3,
                            world.deps)  # fmt: skip
    assert [e.detail["after"]["name"] for e in rest.items] == ["One"]
    assert rest.next_cursor is None
    seqs = [e.seq for e in [*first.items, *rest.items]]
    assert seqs == sorted(seqs, reverse=True)


@pytest.mark.parametrize("cursor", [encode_cursor({"id": "x"}), encode_cursor({"seq": True})])
async def test_a_forged_audit_cursor_is_refused(world: World, cursor: str) -> None:
    with pytest.raises(ValidationFailed):
        await list_audit(world.as_("admin"), AuditFilter(), cursor, 10, world.deps)


async def test_the_chain_verifies_and_catches_tampering(world: World) -> None:
    await _three_edits(world)
    checked, problems = await verify_audit_chain(world.id, world.deps)
    assert (checked, problems) == (3, [])
    audit = world.db.store.table("audit_log")
    row = next(r for r in audit.values() if r["company_id"] == world.id and r["seq"] == 2)
    row["detail"] = {"after": {"name": "Forged"}}
    checked, problems = await verify_audit_chain(world.id, world.deps)
    assert checked == 3
    assert len(problems) >= 1


async def test_link_all_links_every_waiting_chain(world: World, other: World) -> None:
    await update_company(world.as_("admin"), UpdateCompany(name="A2"), world.deps)
    await update_company(other.as_("admin"), UpdateCompany(name="B2"), other.deps)
    assert await link_all(world.deps) == {"chains": 2, "linked": 2}
    assert await link_all(world.deps) == {"chains": 0, "linked": 0}
    assert [e.seq for e in world.audit()] == [1]


# --- the platform -----------------------------------------------------------------------


async def test_the_platform_lists_every_company_in_pages(world: World, other: World) -> None:
    operator = await _operator(world)
    first = await list_companies(operator, None, 1, world.deps)
    rest = await list_companies(operator, first.next_cursor, 1, world.deps)
    assert {first.items[0].id, rest.items[0].id} == {world.id, other.id}


async def test_suspending_a_company_stops_its_tokens_and_reactivating_serves_them(
    world: World,
) -> None:
    await world.with_password("rep_a1")
    tokens = await login(Login(world.people["rep_a1"].email, PASSWORD), world.deps)
    operator = await _operator(world)
    suspended = await set_company_status(operator, world.id, CompanyStatus.SUSPENDED, world.deps)
    assert suspended.status is CompanyStatus.SUSPENDED
    with pytest.raises(Forbidden):
        await authenticate(tokens.access_token, world.deps)
    with pytest.raises(InvalidToken):
        await refresh(Refresh(tokens.refresh_token), world.deps)
    assert world.actions()[-1] == "company.suspended"
    assert world.audit()[-1].detail == {"before": "ACTIVE", "after": "SUSPENDED"}
    await set_company_status(operator, world.id, CompanyStatus.ACTIVE, world.deps)
    assert (await authenticate(tokens.access_token, world.deps)).tenant == world.id
    assert [e.payload["company"] for e in world.events("revoke")] == [str(world.id)] * 2


async def test_setting_the_status_it_has_writes_nothing(world: World) -> None:
    operator = await _operator(world)
    await set_company_status(operator, world.id, CompanyStatus.ACTIVE, world.deps)
    assert world.actions() == []
    assert world.events() == []


async def test_an_unknown_company_cannot_be_suspended(world: World) -> None:
    operator = await _operator(world)
    with pytest.raises(NotFound):
        await set_company_status(operator, world.people["admin"].id, CompanyStatus.SUSPENDED,
                                 world.deps)  # fmt: skip


async def test_a_super_admin_is_made_for_no_company(world: World) -> None:
    root = await create_super_admin(" Root@Platform.example ", "Root", PASSWORD, world.deps)
    assert (root.company_id, root.role, root.email) == (
        None,
        Role.SUPER_ADMIN,
        "root@platform.example",
    )
    tokens = await login(Login("root@platform.example", PASSWORD), world.deps)
    assert (await authenticate(tokens.access_token, world.deps)).role is Role.SUPER_ADMIN
    with pytest.raises(Conflict):
        await create_super_admin(world.people["rep_a1"].email, "Dup", PASSWORD, world.deps)
    with pytest.raises(ValidationFailed):
        await create_super_admin("weak@platform.example", "Weak", "short", world.deps)
