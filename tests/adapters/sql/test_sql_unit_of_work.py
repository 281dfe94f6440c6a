"""The unit of work: what commits stays, what does not commit is gone, on every backend."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest

from fieldedge.domain.company import Company, CompanyStatus
from fieldedge.errors import Conflict, NotFound
from fieldedge.ports.database import Database, Scope
from fixtures.database import add_company


async def test_committed_company_reads_back_with_every_field(db: Database) -> None:
    created = datetime(2026, 1, 3, 15, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    company = Company(
        id=uuid.uuid4(),
        name="Sharma Distributors",
        status=CompanyStatus.SUSPENDED,
        geofence_radius_m=350,
        timezone="Asia/Kolkata",
        currency="INR",
        country="IN",
        created_at=created,
        updated_at=created,
    )
    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        await uow.companies.add(company)
        await uow.commit()

    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        found = await uow.companies.get(company.id)

    assert found is not None
    assert found.model_dump(exclude={"created_at", "updated_at"}) == company.model_dump(
        exclude={"created_at", "updated_at"}
    )
    # Stored and returned as UTC, the same instant.
    assert found.created_at == created
    assert found.created_at.utcoffset() == timedelta(0)
    assert found.created_at.tzinfo is not None
    assert found.created_at.tzinfo.tzname(None) == "UTC"
    assert found.change_counter == 0


async def test_leaving_without_commit_rolls_back(db: Database) -> None:
    now = datetime.now(UTC)
    company = Company(id=uuid.uuid4(), name="Never saved", created_at=now, updated_at=now)
    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        await uow.companies.add(company)
        assert await uow.companies.get(company.id) is not None  # visible inside

    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        assert await uow.companies.get(company.id) is None


async def test_an_error_inside_rolls_back_and_propagates(db: Database) -> None:
    company = await add_company(db)

    async def bump_then_fail() -> None:
        async with db.unit_of_work(Scope.tenant(company.id)) as uow:
            assert await uow.companies.bump_change_counter(company.id) == 1
            raise LookupError("a rule failed after the write")

    with pytest.raises(LookupError):
        await bump_then_fail()

    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        found = await uow.companies.get(company.id)
    assert found is not None
    assert found.change_counter == 0


async def test_duplicate_id_is_a_conflict_and_nothing_is_half_written(db: Database) -> None:
    company = await add_company(db, name="First")
    now = datetime.now(UTC)
    clash = Company(id=company.id, name="Second", created_at=now, updated_at=now)

    async def add_clash() -> None:
        async with db.unit_of_work(Scope.tenant(company.id)) as uow:
            await uow.companies.add(clash)
            await uow.commit()

    with pytest.raises(Conflict) as caught:
        await add_clash()
    assert caught.value.code == "CONFLICT"

    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        found = await uow.companies.get(company.id)
    assert found is not None
    assert found.name == "First"


async def test_missing_company_reads_as_none_and_cannot_be_bumped(db: Database) -> None:
    async with db.unit_of_work(Scope.system()) as uow:
        assert await uow.companies.get(uuid.uuid4()) is None
        with pytest.raises(NotFound):
            await uow.companies.bump_change_counter(uuid.uuid4())


async def test_bump_counts_up_and_only_commits_persist(db: Database) -> None:
    company = await add_company(db)
    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        assert await uow.companies.bump_change_counter(company.id) == 1
        assert await uow.companies.bump_change_counter(company.id) == 2
        await uow.commit()
    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        assert await uow.companies.bump_change_counter(company.id) == 3
        # not committed
    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        assert await uow.companies.bump_change_counter(company.id) == 3
        await uow.commit()
        found = await uow.companies.get(company.id)
    assert found is not None
    assert found.change_counter == 3


async def test_each_test_starts_from_an_empty_database(db: Database) -> None:
    # Tests share one Postgres database; the fixture empties it before each test.
    # Add a fixed id: a leftover from an earlier run of this test would clash.
    fixed = uuid.UUID("00000000-0000-7000-8000-000000000001")
    await add_company(db, id=fixed)
    async with db.unit_of_work(Scope.tenant(fixed)) as uow:
        assert await uow.companies.get(fixed) is not None
