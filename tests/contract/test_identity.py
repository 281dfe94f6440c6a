"""Companies, users and tokens: the one-read views login and the revocation fallback use
(``for_login``, ``session``, ``team``), and tokens that are used exactly once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from fieldedge.domain.company import CompanyStatus
from fieldedge.domain.identity import Role
from fieldedge.ports.database import Database, Scope

from .world import NOW, company, refresh_token, reset_token, store, tenant, user

SYSTEM = Scope.system()


async def test_a_company_reads_back_and_saves_what_changed(database: Database) -> None:
    firm = company(name="Sharma Distributors", timezone="Asia/Kolkata", geofence_radius_m=350)
    await store(database, Scope.tenant(firm.id), firm)
    async with database.unit_of_work(Scope.tenant(firm.id)) as uow:
        found = await uow.companies.get(firm.id)
        assert found is not None
        assert found == firm
        found.status = CompanyStatus.SUSPENDED
        await uow.companies.save(found)
        await uow.commit()
    async with database.unit_of_work(SYSTEM) as uow:
        again = await uow.companies.get(firm.id)
        listed = await uow.companies.list(after=None, limit=10)
    assert again is not None
    assert (again.status, again.timezone) == (CompanyStatus.SUSPENDED, "Asia/Kolkata")
    assert [c.id for c in listed] == [firm.id]


async def test_for_login_reads_the_user_and_their_companys_status(database: Database) -> None:
    t = await tenant(database)
    admin = user(None, role=Role.SUPER_ADMIN, email="root@fieldedge.example")
    await store(database, SYSTEM, admin)
    async with database.unit_of_work(SYSTEM) as uow:
        view = await uow.users.for_login(f"  {t.rep.email.upper()} ")
        platform = await uow.users.for_login("ROOT@fieldedge.example")
        assert await uow.users.for_login("nobody@example.com") is None
        by_email = await uow.users.by_email(t.rep.email.upper())
    assert view is not None
    assert (view.user.id, view.company_status) == (t.rep.id, CompanyStatus.ACTIVE)
    assert platform is not None
    assert (platform.user.id, platform.company_status) == (admin.id, None)
    assert by_email is not None
    assert by_email.id == t.rep.id


async def test_session_reads_the_users_standing_and_the_sessions_revocation(
    database: Database,
) -> None:
    t = await tenant(database)
    live, ended = refresh_token(t.rep), refresh_token(t.rep)
    await store(database, t.scope, live, ended)
    async with t.uow(database) as uow:
        assert await uow.refresh_tokens.revoke_family(ended.family_id, NOW) == 1
        firm = await uow.companies.get(t.id)
        assert firm is not None
        firm.status = CompanyStatus.SUSPENDED
        await uow.companies.save(firm)
        rep = await uow.users.get(t.rep.id)
        assert rep is not None
        rep.apply({"active": False, "sessions_valid_after": NOW})
        await uow.users.save(rep)
        await uow.commit()
    async with database.unit_of_work(SYSTEM) as uow:
        fine = await uow.users.session(t.manager.id, live.family_id)
        revoked = await uow.users.session(t.rep.id, ended.family_id)
        assert await uow.users.session(t.contact.id, live.family_id) is None  # no such user
    assert fine is not None
    assert (fine.user_active, fine.role, fine.session_revoked) == (True, Role.MANAGER, False)
    assert revoked is not None
    assert (revoked.user_active, revoked.sessions_valid_after) == (False, NOW)
    assert (revoked.company_status, revoked.session_revoked) == (CompanyStatus.SUSPENDED, True)


async def test_a_deleted_user_is_not_active_in_a_session(database: Database) -> None:
    t = await tenant(database)
    async with t.uow(database) as uow:
        rep = await uow.users.get(t.rep.id)
        assert rep is not None
        rep.deleted_at = NOW
        await uow.users.save(rep)
        await uow.commit()
    async with t.uow(database) as uow:
        state = await uow.users.session(t.rep.id, t.rep.id)
    assert state is not None
    assert state.user_active is False


async def test_team_is_the_manager_and_their_reports(database: Database) -> None:
    t = await tenant(database)
    second = user(t.id, manager_id=t.manager.id)
    loner = user(t.id)
    await store(database, t.scope, second, loner)
    async with t.uow(database) as uow:
        assert await uow.users.team(t.manager.id) == {t.manager.id, t.rep.id, second.id}
        assert await uow.users.team(loner.id) == {loner.id}


async def test_a_refresh_token_is_used_once_and_revoked_by_family_or_user(
    database: Database,
) -> None:
    t = await tenant(database)
    token, sibling = refresh_token(t.rep), refresh_token(t.rep)
    rotated = refresh_token(t.rep, family_id=token.family_id)
    await store(database, t.scope, token, sibling, rotated)
    async with t.uow(database) as uow:
        assert await uow.refresh_tokens.mark_used(token.id, NOW) is True
        assert await uow.refresh_tokens.mark_used(token.id, NOW) is False
        assert await uow.refresh_tokens.revoke_family(token.family_id, NOW) == 2
        assert await uow.refresh_tokens.revoke_family(token.family_id, NOW) == 0
        families = await uow.refresh_tokens.revoke_user(t.rep.id, NOW + timedelta(seconds=1))
        assert await uow.refresh_tokens.revoke_user(t.rep.id, NOW) == []
        await uow.commit()
    assert families == [sibling.family_id]
    async with t.uow(database) as uow:
        used = await uow.refresh_tokens.by_hash(token.token_hash)
        other = await uow.refresh_tokens.by_hash(sibling.token_hash)
    assert used is not None
    assert (used.used_at, used.revoked_at) == (NOW, NOW)
    assert other is not None
    assert other.revoked_at == NOW + timedelta(seconds=1)


async def test_two_concurrent_uses_of_one_token_have_one_winner(database: Database) -> None:
    t = await tenant(database)
    token = refresh_token(t.rep)
    await store(database, t.scope, token)

    async def use() -> bool:
        async with t.uow(database) as uow:
            won = await uow.refresh_tokens.mark_used(token.id, NOW)
            await asyncio.sleep(0.02)
            await uow.commit()
        return won

    assert sorted(await asyncio.gather(use(), use(), use())) == [False, False, True]


async def test_expired_and_spent_tokens_are_swept(database: Database) -> None:
    t = await tenant(database)
    old = refresh_token(t.rep, expires_at=NOW - timedelta(days=1))
    fresh = refresh_token(t.rep, expires_at=NOW + timedelta(days=1))
    at_the_edge = refresh_token(t.rep, expires_at=NOW)
    used, expired, open_reset = reset_token(t.rep), reset_token(t.rep), reset_token(t.rep)
    expired.expires_at = NOW - timedelta(minutes=1)
    await store(database, t.scope, old, fresh, at_the_edge, used, expired, open_reset)
    async with t.uow(database) as uow:
        assert await uow.reset_tokens.mark_used(used.id, NOW) is True
        await uow.commit()
    async with database.unit_of_work(SYSTEM) as uow:
        assert await uow.refresh_tokens.delete_expired(NOW) == 1  # expired before, not at
        assert await uow.reset_tokens.delete_spent(NOW) == 2
        await uow.commit()
    async with t.uow(database) as uow:
        assert await uow.refresh_tokens.by_hash(old.token_hash) is None
        assert await uow.refresh_tokens.by_hash(at_the_edge.token_hash) is not None
        assert await uow.refresh_tokens.by_hash(fresh.token_hash) is not None
        assert await uow.reset_tokens.by_hash(open_reset.token_hash) is not None
        assert await uow.reset_tokens.by_hash(used.token_hash) is None


async def test_a_new_reset_token_invalidates_the_users_open_ones(database: Database) -> None:
    t = await tenant(database)
    first, second, theirs = reset_token(t.rep), reset_token(t.rep), reset_token(t.manager)
    await store(database, t.scope, first, second, theirs)
    async with t.uow(database) as uow:
        assert await uow.reset_tokens.mark_used(first.id, NOW) is True
        assert await uow.reset_tokens.invalidate_user(t.rep.id, NOW) == 1
        assert await uow.reset_tokens.mark_used(second.id, NOW) is False
        await uow.commit()
    async with t.uow(database) as uow:
        kept = await uow.reset_tokens.by_hash(theirs.token_hash)
        spent = await uow.reset_tokens.by_hash(second.token_hash)
    assert kept is not None
    assert kept.used_at is None
    assert spent is not None
    assert spent.used_at == NOW
