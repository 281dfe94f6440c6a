"""Sign-up, sign-in, sessions and passwords, called as use cases on the memory fake."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from contract.world import store, user

from fakes import MemoryDatabase
from fieldedge.domain.access import Principal
from fieldedge.domain.company import CompanyStatus
from fieldedge.domain.identity import Role
from fieldedge.errors import Conflict, Forbidden, InvalidCredentials, InvalidToken, ValidationFailed
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.services.auth.authenticate import authenticate
from fieldedge.services.auth.change_password import change_password
from fieldedge.services.auth.login import Login, login
from fieldedge.services.auth.logout import logout
from fieldedge.services.auth.password_reset import (
    ResetPassword,
    request_password_reset,
    reset_password,
)
from fieldedge.services.auth.refresh import Refresh, refresh
from fieldedge.services.auth.register import Register, register
from fieldedge.services.auth.sessions import TokenPair
from fieldedge.services.company.platform import set_company_status
from fieldedge.services.deps import Deps
from fieldedge.services.security.passwords import PasswordHasher
from fieldedge.services.security.tokens import token_hash
from fieldedge.services.users.manage import UpdateUser, update_user
from fieldedge_adapters.kv import MemoryKV

from .world import PASSWORD, World

NEW_PASSWORD = "another long phrase 7"


def _signup(**fields: str) -> Register:
    values = {"company_name": "Nova Labs", "name": "Nia Admin", "email": " Nia@Nova.example "}
    return Register(**{**values, "password": PASSWORD, **fields})


async def _users(deps: Deps) -> list[str]:
    async with deps.db.unit_of_work(Scope.system()) as uow:
        return [u.email for u in await uow.users.list(after=None, limit=100)]


async def _login(world: World, who: str, password: str = PASSWORD) -> TokenPair:
    return await login(Login(world.people[who].email, password, ip="10.0.0.9"), world.deps)


# --- register -------------------------------------------------------------------------


async def test_register_makes_a_company_and_its_admin_and_queues_a_welcome(deps: Deps) -> None:
    tokens = await register(_signup(ip="10.0.0.1"), deps)
    principal = await authenticate(tokens.access_token, deps)
    assert principal.role is Role.ADMIN
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        company = await uow.companies.get(principal.tenant)
        admin = await uow.users.get(principal.user_id)
    assert company is not None
    assert company.name == "Nova Labs"
    assert admin is not None
    assert admin.email == "nia@nova.example"
    assert admin.password_hash is not None
    assert PASSWORD not in admin.password_hash
    db = deps.db
    assert isinstance(db, MemoryDatabase)
    entries = [r for r in db.store.table("audit_log").values() if r["company_id"] == company.id]
    assert [(e["action"], e["ip"]) for e in entries] == [("auth.registered", "10.0.0.1")]
    (event,) = db.store.table("outbox").values()
    assert event["payload"]["template"] == "welcome"
    assert event["payload"]["to"] == ["nia@nova.example"]


async def test_a_taken_email_is_a_conflict_in_any_company(world: World) -> None:
    taken = world.people["rep_b1"].email.upper()
    before = await _users(world.deps)
    with pytest.raises(Conflict) as caught:
        await register(_signup(email=taken), world.deps)
    assert caught.value.details == {"email": ["Already taken."]}
    assert await _users(world.deps) == before


@pytest.mark.parametrize("weak", ["short", "password1234", "aaaaaaaaaaaa", "x" * 129])
async def test_a_weak_password_is_refused_before_anything_is_written(deps: Deps, weak: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await register(_signup(password=weak), deps)
    assert set(caught.value.details or {}) == {"password"}
    assert await _users(deps) == []


# --- login ----------------------------------------------------------------------------


async def test_login_opens_a_session_and_audits_it(world: World) -> None:
    await world.with_password("rep_a1")
    tokens = await _login(world, "rep_a1")
    principal = await authenticate(tokens.access_token, world.deps)
    assert (principal.user_id, principal.role) == (world.people["rep_a1"].id, Role.SALES_REP)
    assert principal.session_id is not None
    (entry,) = world.audit()[-1:]
    assert (entry.action, entry.actor_id, entry.ip) == ("auth.login", principal.user_id, "10.0.0.9")
    async with world.uow() as uow:
        stored = await uow.refresh_tokens.by_hash(token_hash(tokens.refresh_token))
    assert stored is not None
    assert stored.family_id == principal.session_id


async def test_a_wrong_password_is_invalid_credentials_in_the_companys_chain(world: World) -> None:
    await world.with_password("rep_a1")
    with pytest.raises(InvalidCredentials):
        await _login(world, "rep_a1", "not the password at all")
    entry = world.audit()[-1]
    assert (entry.action, entry.entity_id) == ("auth.login_failed", world.people["rep_a1"].id)


async def test_an_unknown_email_is_the_same_error_in_the_platforms_chain(world: World) -> None:
    with pytest.raises(InvalidCredentials):
        await login(Login("nobody@nowhere.example", PASSWORD), world.deps)
    (entry,) = world.audit(platform=True)
    assert (entry.action, entry.actor_id, entry.entity) == ("auth.login_failed", None, None)


class CountingDatabase(MemoryDatabase):
    """The memory database, remembering the scope of every unit of work opened."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[Scope] = []

    def unit_of_work(self, scope: Scope) -> UnitOfWork:
        self.opened.append(scope)
        return super().unit_of_work(scope)


class CountingHasher(PasswordHasher):
    def __init__(self) -> None:
        super().__init__(memory_kib=1024, time_cost=1)
        self.verified: list[bool] = []

    async def verify(self, password: str, hashed: str | None) -> tuple[bool, str | None]:
        self.verified.append(hashed is None)
        return await super().verify(password, hashed)


async def test_an_unknown_email_costs_the_same_work_as_a_wrong_password(world: World) -> None:
    """One read, one hash verification, one transaction writing one audit entry: the
    same for an email nobody has as for a known one with the wrong password."""
    await world.with_password("rep_a1")
    counting, hasher = CountingDatabase(), CountingHasher()
    counting.store = world.db.store
    deps = replace(world.deps, db=counting, passwords=hasher)
    work = []
    for email in (world.people["rep_a1"].email, "nobody@nowhere.example"):
        counting.opened.clear()
        before = len(counting.store.table("audit_log"))
        with pytest.raises(InvalidCredentials):
            await login(Login(email, "not the password at all"), deps)
        work.append((len(counting.opened), len(counting.store.table("audit_log")) - before))
    assert work == [(2, 1), (2, 1)]
    assert hasher.verified == [False, True]  # the unknown email verified against a dummy


async def test_an_inactive_or_password_less_user_cannot_log_in(world: World) -> None:
    await world.with_password("rep_a2")
    await update_user(world.as_("admin"), world.people["rep_a2"].id, UpdateUser(active=False),
                      world.deps)  # fmt: skip
    with pytest.raises(InvalidCredentials):
        await _login(world, "rep_a2")
    with pytest.raises(InvalidCredentials):
        await _login(world, "rep_b1")  # no password was ever set


async def test_a_suspended_companys_user_is_forbidden_after_a_right_password(
    world: World,
) -> None:
    await world.with_password("rep_a1")
    root = user(None, role=Role.SUPER_ADMIN)
    await store(world.deps.db, Scope.system(), root)
    operator = Principal(user_id=root.id, company_id=None, role=Role.SUPER_ADMIN)
    await set_company_status(operator, world.id, CompanyStatus.SUSPENDED, world.deps)
    with pytest.raises(Forbidden):
        await _login(world, "rep_a1")


async def test_a_hash_made_under_older_parameters_is_upgraded_at_login(world: World) -> None:
    older = PasswordHasher(memory_kib=512, time_cost=1)
    async with world.uow() as uow:
        rep = await uow.users.get(world.people["rep_a1"].id)
        assert rep is not None
        rep.password_hash = await older.hash(PASSWORD)
        await uow.users.save(rep)
        await uow.commit()
    await _login(world, "rep_a1")
    upgraded = (await world.user("rep_a1")).password_hash
    assert upgraded is not None
    assert "m=1024," in upgraded
    await _login(world, "rep_a1")  # and still the same password


# --- refresh and logout -----------------------------------------------------------------


async def test_refresh_rotates_within_the_session(world: World) -> None:
    await world.with_password("rep_a1")
    first = await _login(world, "rep_a1")
    world.clock.advance(60)
    second = await refresh(Refresh(first.refresh_token), world.deps)
    assert second.refresh_token != first.refresh_token
    old = await authenticate(first.access_token, world.deps)
    new = await authenticate(second.access_token, world.deps)
    assert new.session_id == old.session_id
    async with world.uow() as uow:
        used = await uow.refresh_tokens.by_hash(token_hash(first.refresh_token))
    assert used is not None
    assert used.used_at == world.clock.now()


async def test_a_reused_refresh_token_revokes_its_whole_session(world: World) -> None:
    await world.with_password("rep_a1")
    first = await _login(world, "rep_a1")
    second = await refresh(Refresh(first.refresh_token), world.deps)
    with pytest.raises(InvalidToken, match="already used"):
        await refresh(Refresh(first.refresh_token, ip="10.6.6.6"), world.deps)
    with pytest.raises(InvalidToken):
        await refresh(Refresh(second.refresh_token), world.deps)  # the family is revoked
    with pytest.raises(InvalidToken):
        await authenticate(second.access_token, world.deps)  # the session's mark is set
    reuse = world.audit()[-1]
    assert (reuse.action, reuse.ip) == ("auth.refresh_reuse", "10.6.6.6")
    (revoke,) = world.events("revoke")
    session = (await authenticate(first.access_token, _no_marks(world))).session_id
    assert revoke.payload["sessions"] == [str(session)]


def _no_marks(world: World) -> Deps:
    """Deps whose KV holds no marks (to read a token's claims after its session ended)."""
    return replace(world.deps, kv=MemoryKV())


@pytest.mark.parametrize("token", ["", "garbage", "x" * 43])
async def test_an_unknown_refresh_token_is_invalid(world: World, token: str) -> None:
    with pytest.raises(InvalidToken):
        await refresh(Refresh(token), world.deps)


async def test_an_expired_refresh_token_is_invalid(world: World) -> None:
    await world.with_password("rep_a1")
    tokens = await _login(world, "rep_a1")
    world.clock.advance(timedelta(days=31).total_seconds())
    with pytest.raises(InvalidToken):
        await refresh(Refresh(tokens.refresh_token), world.deps)


async def test_a_deactivated_user_cannot_refresh(world: World) -> None:
    await world.with_password("rep_a1")
    tokens = await _login(world, "rep_a1")
    rep = world.people["rep_a1"].id
    async with world.uow() as uow:  # deactivated behind the sessions' back
        person = await uow.users.get(rep)
        assert person is not None
        person.active = False
        await uow.users.save(person)
        await uow.commit()
    with pytest.raises(InvalidToken, match="not active"):
        await refresh(Refresh(tokens.refresh_token), world.deps)


async def test_logout_ends_the_session_and_its_access_tokens(world: World) -> None:
    await world.with_password("rep_a1")
    tokens = await _login(world, "rep_a1")
    other = await _login(world, "rep_a1")  # a second device
    principal = await authenticate(tokens.access_token, world.deps)
    await logout(principal, tokens.refresh_token, world.deps)
    with pytest.raises(InvalidToken):
        await authenticate(tokens.access_token, world.deps)
    with pytest.raises(InvalidToken):
        await refresh(Refresh(tokens.refresh_token), world.deps)
    assert (await authenticate(other.access_token, world.deps)).user_id == principal.user_id
    assert world.actions()[-1] == "auth.logout"
    assert len(world.events("revoke")) == 1


async def test_logout_with_someone_elses_or_an_unknown_token_changes_nothing(
    world: World,
) -> None:
    await world.with_password("rep_a1")
    await world.with_password("rep_a2")
    mine = await _login(world, "rep_a1")
    theirs = await _login(world, "rep_a2")
    me = await authenticate(mine.access_token, world.deps)
    before = world.actions()
    await logout(me, theirs.refresh_token, world.deps)
    await logout(me, "no-such-token", world.deps)
    assert world.actions() == before
    assert (await refresh(Refresh(theirs.refresh_token), world.deps)).access_token


# --- passwords -----------------------------------------------------------------------


async def test_change_password_ends_other_sessions_but_keeps_this_device(world: World) -> None:
    await world.with_password("rep_a1")
    here = await _login(world, "rep_a1")
    there = await _login(world, "rep_a1")
    world.clock.advance(1)
    me = await authenticate(here.access_token, world.deps)
    fresh = await change_password(me, PASSWORD, NEW_PASSWORD, world.deps)
    assert (await authenticate(fresh.access_token, world.deps)).user_id == me.user_id
    for old in (here, there):
        with pytest.raises(InvalidToken):
            await authenticate(old.access_token, world.deps)
        with pytest.raises(InvalidToken):
            await refresh(Refresh(old.refresh_token), world.deps)
    with pytest.raises(InvalidCredentials):
        await _login(world, "rep_a1")
    await _login(world, "rep_a1", NEW_PASSWORD)
    assert "auth.password_changed" in world.actions()


@pytest.mark.parametrize(
    ("current", "new", "field"),
    [("wrong current pass", NEW_PASSWORD, "currentPassword"), (PASSWORD, "short", "newPassword")],
)
async def test_change_password_refusals_change_nothing(
    world: World, current: str, new: str, field: str
) -> None:
    await world.with_password("rep_a1")
    tokens = await _login(world, "rep_a1")
    me = await authenticate(tokens.access_token, world.deps)
    with pytest.raises(ValidationFailed) as caught:
        await change_password(me, current, new, world.deps)
    assert set(caught.value.details or {}) == {field}
    await authenticate(tokens.access_token, world.deps)
    await _login(world, "rep_a1")


def _reset_token(world: World) -> str:
    """The token in the newest reset (or invite) email."""
    link = world.events("email")[-1].payload["context"]["link"]
    return parse_qs(urlsplit(link).query)["token"][0]


async def test_a_reset_request_mails_a_link_and_the_link_sets_the_password(
    world: World,
) -> None:
    await world.with_password("rep_a1")
    session = await _login(world, "rep_a1")
    await request_password_reset(world.people["rep_a1"].email.upper(), world.deps, ip="10.1.1.1")
    (mail,) = world.emails("password_reset")
    assert mail["to"] == [world.people["rep_a1"].email]
    assert mail["context"]["expiresInMinutes"] == 60
    world.clock.advance(1)
    await reset_password(ResetPassword(_reset_token(world), NEW_PASSWORD), world.deps)
    await _login(world, "rep_a1", NEW_PASSWORD)
    with pytest.raises(InvalidToken):
        await refresh(Refresh(session.refresh_token), world.deps)
    assert world.actions()[-3:] == [
        "auth.password_reset_requested",
        "auth.password_reset",
        "auth.login",
    ]


async def test_a_reset_request_for_an_unknown_or_inactive_email_does_nothing(
    world: World,
) -> None:
    await update_user(world.as_("admin"), world.people["rep_a2"].id, UpdateUser(active=False),
                      world.deps)  # fmt: skip
    before = (world.actions(), world.events())
    await request_password_reset("nobody@nowhere.example", world.deps)
    await request_password_reset(world.people["rep_a2"].email, world.deps)
    assert (world.actions(), world.events()) == before


async def test_a_reset_token_works_once(world: World) -> None:
    await request_password_reset(world.people["rep_a1"].email, world.deps)
    token = _reset_token(world)
    await reset_password(ResetPassword(token, NEW_PASSWORD), world.deps)
    with pytest.raises(ValidationFailed) as caught:
        await reset_password(ResetPassword(token, "yet another phrase 9"), world.deps)
    assert caught.value.details == {"token": ["Invalid or expired."]}
    await _login(world, "rep_a1", NEW_PASSWORD)


async def test_a_reset_token_expires_after_an_hour(world: World) -> None:
    await request_password_reset(world.people["rep_a1"].email, world.deps)
    world.clock.advance(3600)
    with pytest.raises(ValidationFailed):
        await reset_password(ResetPassword(_reset_token(world), NEW_PASSWORD), world.deps)


async def test_a_newer_reset_supersedes_the_older(world: World) -> None:
    await request_password_reset(world.people["rep_a1"].email, world.deps)
    older = _reset_token(world)
    await request_password_reset(world.people["rep_a1"].email, world.deps)
    with pytest.raises(ValidationFailed):
        await reset_password(ResetPassword(older, NEW_PASSWORD), world.deps)
    await reset_password(ResetPassword(_reset_token(world), NEW_PASSWORD), world.deps)


async def test_a_weak_new_password_leaves_the_token_usable(world: World) -> None:
    await request_password_reset(world.people["rep_a1"].email, world.deps)
    token = _reset_token(world)
    with pytest.raises(ValidationFailed) as caught:
        await reset_password(ResetPassword(token, "short"), world.deps)
    assert set(caught.value.details or {}) == {"newPassword"}
    await reset_password(ResetPassword(token, NEW_PASSWORD), world.deps)


async def test_a_deleted_user_cannot_reset_with_a_token_issued_before(world: World) -> None:
    await request_password_reset(world.people["rep_a1"].email, world.deps)
    token = _reset_token(world)
    async with world.uow() as uow:
        rep = await uow.users.get(world.people["rep_a1"].id)
        assert rep is not None
        rep.deleted_at = world.clock.now()
        await uow.users.save(rep)
        await uow.commit()
    with pytest.raises(ValidationFailed):
        await reset_password(ResetPassword(token, NEW_PASSWORD), world.deps)
    assert (await world.user("rep_a1")).password_hash is None
