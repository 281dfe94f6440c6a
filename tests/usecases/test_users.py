"""Users under the role table and the team scope: create (with a password or an
invite), read, list, edit, move between teams, change roles, deactivate."""

from __future__ import annotations

from uuid import uuid4

import pytest

from fieldedge.domain.identity import Role
from fieldedge.errors import Conflict, InvalidToken, NotFound, ValidationFailed
from fieldedge.services.auth.authenticate import authenticate
from fieldedge.services.auth.login import Login, login
from fieldedge.services.auth.refresh import Refresh, refresh
from fieldedge.services.users.manage import (
    CreateUser,
    UpdateUser,
    UserFilter,
    create_user,
    deactivate_user,
    get_own_user,
    get_user,
    list_users,
    update_user,
)

from .world import PASSWORD, World


def _create(role: Role = Role.SALES_REP, **fields: object) -> CreateUser:
    return CreateUser(**{"name": "Nina New", "email": "Nina@Acme.example", "role": role, **fields})


async def _update(world: World, who: str, **fields: object) -> object:
    return await update_user(
        world.as_("admin"), world.people[who].id, UpdateUser(**fields), world.deps
    )


async def test_an_admin_creates_a_user_with_a_password_who_can_log_in(world: World) -> None:
    cmd = _create(manager_id=world.people["mgr_a"].id, password=PASSWORD)
    made = await create_user(world.as_("admin"), cmd, world.deps)
    assert (made.email, made.company_id, made.manager_id) == (
        "nina@acme.example",
        world.id,
        world.people["mgr_a"].id,
    )
    tokens = await login(Login("nina@acme.example", PASSWORD), world.deps)
    assert (await authenticate(tokens.access_token, world.deps)).user_id == made.id
    created = next(e for e in world.audit() if e.action == "user.created")
    assert created.detail == {"role": "SALES_REP", "invited": False}
    assert world.emails("invite") == []


async def test_a_user_made_without_a_password_is_invited_for_three_days(world: World) -> None:
    made = await create_user(world.as_("admin"), _create(role=Role.MANAGER), world.deps)
    assert made.password_hash is None
    (invite,) = world.emails("invite")
    assert invite["to"] == ["nina@acme.example"]
    assert invite["context"]["expiresInMinutes"] == 3 * 24 * 60
    assert world.audit()[-1].detail == {"role": "MANAGER", "invited": True}


async def test_super_admin_is_not_a_company_role(world: World) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await create_user(world.as_("admin"), _create(role=Role.SUPER_ADMIN), world.deps)
    assert set(caught.value.details or {}) == {"role"}


async def test_a_taken_email_is_a_conflict(world: World) -> None:
    taken = world.people["mgr_b"].email
    with pytest.raises(Conflict):
        await create_user(world.as_("admin"), _create(email=taken.upper()), world.deps)


@pytest.mark.parametrize(
    ("role", "manager"),
    [
        (Role.MANAGER, "mgr_a"),  # only a rep has a manager
        (Role.SALES_REP, "rep_a2"),  # a rep is no manager
        (Role.SALES_REP, "admin"),
        (Role.SALES_REP, None),  # an id nobody has
    ],
)
async def test_a_manager_must_be_an_active_manager_of_the_company(
    world: World, role: Role, manager: str | None
) -> None:
    manager_id = world.people[manager].id if manager else uuid4()
    with pytest.raises(ValidationFailed) as caught:
        await create_user(world.as_("admin"), _create(role, manager_id=manager_id), world.deps)
    assert set(caught.value.details or {}) == {"managerId"}
    assert "user.created" not in world.actions()


async def test_another_companys_manager_is_no_manager_here(world: World, other: World) -> None:
    cmd = _create(manager_id=other.people["mgr_a"].id)
    with pytest.raises(ValidationFailed):
        await create_user(world.as_("admin"), cmd, world.deps)


async def test_a_manager_lists_and_reads_their_team_only(world: World) -> None:
    mgr = world.as_("mgr_a")
    asked_for_b = UserFilter(manager_id=world.people["mgr_b"].id)
    listed = await list_users(mgr, asked_for_b, None, 20, world.deps)
    assert {u.id for u in listed.items} == {world.people[k].id for k in ("rep_a1", "rep_a2")}
    rep = world.people["rep_a1"].id
    assert (await get_user(mgr, rep, world.deps)).id == rep
    assert (await get_user(mgr, mgr.user_id, world.deps)).id == mgr.user_id
    for outside in ("rep_b1", "mgr_b", "admin"):
        with pytest.raises(NotFound):
            await get_user(mgr, world.people[outside].id, world.deps)


async def test_an_admin_lists_with_filters_and_pages(world: World) -> None:
    admin = world.as_("admin")
    reps = await list_users(admin, UserFilter(role=Role.SALES_REP), None, 20, world.deps)
    assert len(reps.items) == 3
    named = await list_users(admin, UserFilter(q="MGR"), None, 20, world.deps)
    assert {u.name for u in named.items} == {"Mgr A", "Mgr B"}
    first = await list_users(admin, UserFilter(), None, 4, world.deps)
    rest = await list_users(admin, UserFilter(), first.next_cursor, 4, world.deps)
    assert (len(first.items), len(rest.items), rest.next_cursor) == (4, 2, None)
    assert {u.id for u in [*first.items, *rest.items]} == {u.id for u in world.people.values()}


async def test_another_companys_user_is_not_found(world: World, other: World) -> None:
    with pytest.raises(NotFound):
        await get_user(world.as_("admin"), other.people["rep_a1"].id, world.deps)
    with pytest.raises(NotFound):
        await update_user(
            world.as_("admin"), other.people["rep_a1"].id, UpdateUser(name="X"), world.deps
        )


async def test_a_rename_changes_only_the_name(world: World) -> None:
    renamed = await _update(world, "rep_a1", name="Ravi Renamed")
    rep = await world.user("rep_a1")
    assert (rep.name, rep.role, rep.manager_id) == (
        "Ravi Renamed",
        Role.SALES_REP,
        world.people["mgr_a"].id,
    )
    assert rep.sessions_valid_after is None  # nothing about the tokens changed
    assert renamed is not None
    assert world.actions()[-1] == "user.updated"
    assert world.events("revoke") == []


async def test_a_rep_whose_manager_left_can_still_be_renamed(world: World) -> None:
    """The manager is checked when it (or the role) changes, not on every edit."""
    await _update(world, "mgr_b", active=False)
    await _update(world, "rep_b1", name="Still On Team B")
    assert (await world.user("rep_b1")).name == "Still On Team B"


async def test_moving_a_rep_to_another_team_logs_the_scope_move(world: World) -> None:
    rep, mgr_a, mgr_b = (world.people[k].id for k in ("rep_a1", "mgr_a", "mgr_b"))
    await _update(world, "rep_a1", manager_id=mgr_b)
    assert (await world.user("rep_a1")).manager_id == mgr_b
    assert world.scope_log() == [("user", rep, mgr_a, mgr_b)]
    team_b = await list_users(world.as_("mgr_b"), UserFilter(), None, 20, world.deps)
    assert rep in {u.id for u in team_b.items}


async def test_a_role_change_refuses_the_old_tokens_until_a_refresh(world: World) -> None:
    await world.with_password("rep_a1")
    tokens = await login(Login(world.people["rep_a1"].email, PASSWORD), world.deps)
    world.clock.advance(1)
    await _update(world, "rep_a1", role=Role.MANAGER)
    promoted = await world.user("rep_a1")
    assert (promoted.role, promoted.manager_id) == (Role.MANAGER, None)  # out of the team
    assert promoted.sessions_valid_after == world.clock.now()
    assert world.actions()[-1] == "user.role_changed"
    assert world.audit()[-1].detail == {
        "before": {"role": "SALES_REP", "active": True},
        "after": {"role": "MANAGER", "active": True},
    }
    with pytest.raises(InvalidToken):
        await authenticate(tokens.access_token, world.deps)
    world.clock.advance(1)
    fresh = await refresh(Refresh(tokens.refresh_token), world.deps)
    assert (await authenticate(fresh.access_token, world.deps)).role is Role.MANAGER


async def test_deactivation_ends_every_session_at_once(world: World) -> None:
    await world.with_password("rep_a1")
    tokens = await login(Login(world.people["rep_a1"].email, PASSWORD), world.deps)
    world.clock.advance(1)
    gone = await deactivate_user(world.as_("admin"), world.people["rep_a1"].id, world.deps)
    assert gone.active is False
    with pytest.raises(InvalidToken):
        await authenticate(tokens.access_token, world.deps)
    with pytest.raises(InvalidToken):
        await refresh(Refresh(tokens.refresh_token), world.deps)
    assert world.actions()[-1] == "user.deactivated"
    (revoke,) = world.events("revoke")
    assert revoke.payload["user"] == str(gone.id)
    assert len(revoke.payload["sessions"]) == 1
    await _update(world, "rep_a1", active=True)
    assert world.actions()[-1] == "user.reactivated"


async def test_an_admin_cannot_deactivate_themselves_either_way(world: World) -> None:
    admin = world.as_("admin")
    with pytest.raises(Conflict):
        await deactivate_user(admin, admin.user_id, world.deps)
    with pytest.raises(Conflict):
        await update_user(admin, admin.user_id, UpdateUser(active=False), world.deps)
    assert (await world.user("admin")).active is True


@pytest.mark.parametrize("change", [{"role": Role.MANAGER}, {"active": False}])
async def test_the_last_active_admin_cannot_be_demoted(
    world: World, change: dict[str, object]
) -> None:
    await world.add_user("admin2", Role.ADMIN, active=False)  # an inactive one does not count
    with pytest.raises(Conflict, match="at least one active ADMIN"):
        await update_user(
            world.as_("admin2"), world.people["admin"].id, UpdateUser(**change), world.deps
        )
    assert (await world.user("admin")).role is Role.ADMIN


async def test_one_admin_may_demote_another_while_one_is_left(world: World) -> None:
    await world.add_user("admin2", Role.ADMIN)
    await _update(world, "admin2", role=Role.MANAGER)
    assert (await world.user("admin2")).role is Role.MANAGER


async def test_promoting_to_super_admin_is_refused(world: World) -> None:
    with pytest.raises(ValidationFailed):
        await _update(world, "rep_a1", role=Role.SUPER_ADMIN)
    assert (await world.user("rep_a1")).role is Role.SALES_REP


async def test_get_own_user_reads_the_callers_row(world: World) -> None:
    assert (await get_own_user(world.as_("rep_b1"), world.deps)).email == world.people[
        "rep_b1"
    ].email
