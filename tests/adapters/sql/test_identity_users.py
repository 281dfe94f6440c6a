"""Users and companies through scoped units of work, on SQLite, Postgres and PgBouncer:
what is written reads back, emails are global, pages and filters hold, and a tenant's
unit of work never reaches another tenant's rows (on SQLite by the filters alone)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from fieldedge.domain.company import CompanyStatus
from fieldedge.domain.identity import Role, User
from fieldedge.errors import Conflict, NotFound
from fieldedge.ports.database import Database, Scope
from fixtures.database import add_company, add_user


async def test_user_reads_back_by_id_and_by_email(db: Database) -> None:
    company = await add_company(db)
    user = await add_user(db, company.id, "Priya@Example.COM", role=Role.MANAGER)
    assert user.email == "priya@example.com"  # stored lower-cased

    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        by_id = await uow.users.get(user.id)
        by_email = await uow.users.by_email("PRIYA@example.com")
    assert by_id == user
    assert by_email == user
    assert by_id is not None
    assert by_id.created_at.tzinfo is not None


async def test_email_is_unique_across_companies_whatever_its_case(db: Database) -> None:
    first, second = await add_company(db, "First"), await add_company(db, "Second")
    await add_user(db, first.id, "ravi@example.com")
    with pytest.raises(Conflict) as caught:
        await add_user(db, second.id, "Ravi@Example.com")
    assert caught.value.code == "CONFLICT"
    async with db.unit_of_work(Scope.system()) as uow:
        found = await uow.users.by_email("ravi@example.com")
    assert found is not None
    assert found.company_id == first.id


async def test_save_writes_fields_but_never_moves_a_user(db: Database) -> None:
    company, other = await add_company(db), await add_company(db, "Other")
    user = await add_user(db, company.id, "asha@example.com")
    later = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
    changed = user.model_copy(
        update={
            "name": "Asha K",
            "role": Role.ADMIN,
            "active": False,
            "sessions_valid_after": later,
            "version": 7,
            "company_id": other.id,  # ignored: a user never changes company
        }
    )
    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        await uow.users.save(changed)
        await uow.commit()
    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        found = await uow.users.get(user.id)
    assert found is not None
    assert (found.name, found.role, found.active, found.version) == ("Asha K", Role.ADMIN, False, 7)
    assert found.sessions_valid_after == later
    assert found.company_id == company.id


async def test_list_pages_by_id_and_filters(db: Database) -> None:
    company = await add_company(db)
    manager = await add_user(db, company.id, "meera@example.com", role=Role.MANAGER)
    reps = [
        await add_user(db, company.id, f"rep{i}@example.com", manager_id=manager.id)
        for i in range(5)
    ]
    off = await add_user(db, company.id, "off@example.com", active=False, name="100%_Off")
    scope = Scope.tenant(company.id)

    async with db.unit_of_work(scope) as uow:
        seen: list[User] = []
        after: uuid.UUID | None = None
        for _ in range(10):  # bounded: 7 users in pages of 3
            page = await uow.users.list(after=after, limit=3)
            if not page:
                break
            seen += page
            after = page[-1].id
        team = await uow.users.list(after=None, limit=50, manager_id=manager.id)
        managers = await uow.users.list(after=None, limit=50, role=Role.MANAGER)
        inactive = await uow.users.list(after=None, limit=50, active=False)
        by_name = await uow.users.list(after=None, limit=50, q="REP3")
        literal = await uow.users.list(after=None, limit=50, q="0%_o")
        wildcard = await uow.users.list(after=None, limit=50, q="%")

    assert [u.id for u in seen] == sorted(u.id for u in [manager, *reps, off])
    assert {u.id for u in team} == {r.id for r in reps}
    assert [u.id for u in managers] == [manager.id]
    assert [u.email for u in inactive] == ["off@example.com"]
    assert [u.email for u in by_name] == ["rep3@example.com"]
    assert [u.email for u in literal] == ["off@example.com"]  # % and _ match themselves
    assert [u.email for u in wildcard] == ["off@example.com"]


async def test_a_tenant_never_reaches_another_tenants_users(db: Database) -> None:
    a, b = await add_company(db, "A"), await add_company(db, "B")
    alice = await add_user(db, a.id, "alice@a.example")
    root = await add_user(db, None, "root@platform.example", role=Role.SUPER_ADMIN)

    async with db.unit_of_work(Scope.tenant(b.id)) as uow:
        assert await uow.users.get(alice.id) is None
        assert await uow.users.by_email("alice@a.example") is None
        assert await uow.users.get(root.id) is None
        assert await uow.users.list(after=None, limit=50) == []
        assert await uow.companies.get(a.id) is None
        assert [c.id for c in await uow.companies.list(after=None, limit=50)] == [b.id]
        with pytest.raises(NotFound):
            await uow.users.save(alice.model_copy(update={"name": "Hijacked"}))
        with pytest.raises(RuntimeError):
            await uow.users.add(alice.model_copy(update={"id": uuid.uuid4(), "email": "x@y.z"}))

    async with db.unit_of_work(Scope.system()) as uow:
        assert await uow.users.get(alice.id) == alice
        assert await uow.users.get(root.id) == root
        assert {c.id for c in await uow.companies.list(after=None, limit=50)} == {a.id, b.id}


async def test_company_save_keeps_the_bumped_change_counter(db: Database) -> None:
    company = await add_company(db)
    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        current = await uow.companies.get(company.id)
        assert current is not None
        assert await uow.companies.bump_change_counter(company.id) == 1
        current.status = CompanyStatus.SUSPENDED
        current.geofence_radius_m = 500
        await uow.companies.save(current)  # its change_counter (0) is stale
        await uow.commit()
    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        found = await uow.companies.get(company.id)
    assert found is not None
    assert (found.status, found.geofence_radius_m) == (CompanyStatus.SUSPENDED, 500)
    assert found.change_counter == 1
