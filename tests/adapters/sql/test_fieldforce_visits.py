"""Visits and their photos in SQL on every backend: check-in and check-out read back,
the list filters, the rep's previous check-in for the travel check, and the photo-reuse
lookup, each inside one tenant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
import uuid_utils

from fieldedge.domain.contacts import Contact
from fieldedge.domain.photos import PhotoStatus, VisitPhoto
from fieldedge.domain.visits import Visit, VisitFlag
from fieldedge.errors import Conflict
from fieldedge.ports.database import Database, Scope
from fieldedge.ports.fieldforce import VisitQuery
from fixtures.database import add_company, add_user

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def new_id() -> UUID:
    return UUID(bytes=uuid_utils.uuid7().bytes)


async def setup(db: Database, name: str = "Acme") -> tuple[UUID, list[UUID], list[UUID]]:
    """A company with two reps and two contacts: (company, reps, contacts)."""
    company = await add_company(db, name)
    reps = [(await add_user(db, company.id, f"r{i}@{name.lower()}.example")).id for i in (1, 2)]
    contacts = [
        Contact(id=new_id(), company_id=company.id, name=f"C{i}", created_at=T0, updated_at=T0)
        for i in (1, 2)
    ]
    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        for c in contacts:
            await uow.contacts.add(c)
        await uow.commit()
    return company.id, reps, [c.id for c in contacts]


def visit(company_id: UUID, user_id: UUID, contact_id: UUID, at: datetime, **f: Any) -> Visit:
    return Visit(
        id=new_id(),
        company_id=company_id,
        user_id=user_id,
        contact_id=contact_id,
        latitude=18.52,
        longitude=73.85,
        accuracy_m=12.5,
        checked_in_at=at,
        created_at=at,
        updated_at=at,
        **f,
    )


async def add_visits(db: Database, company_id: UUID, *visits: Visit) -> None:
    async with db.unit_of_work(Scope.tenant(company_id)) as uow:
        for v in visits:
            await uow.visits.add(v)
        await uow.commit()


async def test_check_in_and_out_read_back(db: Database) -> None:
    company, (rep, _), (c1, _) = await setup(db)
    v = visit(company, rep, c1, T0, distance_m=35.2, verified=False, flags=["LOW_ACCURACY"])
    await add_visits(db, company, v)
    async with db.unit_of_work(Scope.tenant(company)) as uow:
        stored = await uow.visits.get(v.id)
        assert stored == v
        stored.check_out(T0 + timedelta(minutes=20), outcome="order taken")
        stored.add_flag(VisitFlag.REUSED_PHOTO)
        await uow.visits.save(stored)
        await uow.commit()
    async with db.unit_of_work(Scope.tenant(company)) as uow:
        again = await uow.visits.get(v.id)
        assert again is not None
        assert again.checked_out_at == T0 + timedelta(minutes=20)
        assert (again.outcome, again.flags) == ("order taken", ["LOW_ACCURACY", "REUSED_PHOTO"])


async def test_list_filters_and_tombstones(db: Database) -> None:
    company, (r1, r2), (c1, c2) = await setup(db)
    a = visit(company, r1, c1, T0, verified=True)
    b = visit(company, r1, c2, T0 + timedelta(hours=1))
    c = visit(company, r2, c1, T0 + timedelta(hours=2), verified=True)
    gone = visit(company, r2, c2, T0 + timedelta(hours=3), deleted_at=T0)
    await add_visits(db, company, a, b, c, gone)

    async def ids(**query: Any) -> list[UUID]:
        async with db.unit_of_work(Scope.tenant(company)) as uow:
            return [v.id for v in await uow.visits.list(VisitQuery(**query))]

    assert await ids() == [a.id, b.id, c.id]
    assert await ids(user_ids=[r1]) == [a.id, b.id]
    assert await ids(user_ids=[]) == []
    assert await ids(contact_id=c1) == [a.id, c.id]
    assert await ids(verified=True) == [a.id, c.id]
    assert await ids(verified=False) == [b.id]
    # since is inclusive, until exclusive.
    assert await ids(since=T0 + timedelta(hours=1)) == [b.id, c.id]
    assert await ids(until=T0 + timedelta(hours=1)) == [a.id]
    assert await ids(after=a.id, limit=1) == [b.id]
    async with db.unit_of_work(Scope.tenant(company)) as uow:
        assert await uow.visits.get(gone.id) is None


async def test_previous_check_in_is_the_reps_latest_at_or_before(db: Database) -> None:
    company, (r1, r2), (c1, _) = await setup(db)
    early = visit(company, r1, c1, T0)
    late = visit(company, r1, c1, T0 + timedelta(hours=2))
    deleted = visit(company, r1, c1, T0 + timedelta(hours=3), deleted_at=T0)
    other_rep = visit(company, r2, c1, T0 + timedelta(hours=1))
    await add_visits(db, company, early, late, deleted, other_rep)
    async with db.unit_of_work(Scope.tenant(company)) as uow:
        previous = uow.visits.previous_for
        assert await previous(r1, T0 - timedelta(seconds=1)) is None
        assert (await previous(r1, T0)) == early  # "at" counts
        assert (await previous(r1, T0 + timedelta(hours=1, minutes=59))) == early
        assert (await previous(r1, T0 + timedelta(hours=5))) == late  # the deleted one skipped
        assert (await previous(r2, T0 + timedelta(hours=5))) == other_rep
    other, _, _ = await setup(db, "Other")
    async with db.unit_of_work(Scope.tenant(other)) as uow:
        assert await uow.visits.previous_for(r1, T0 + timedelta(hours=5)) is None
        assert await uow.visits.get(early.id) is None
        assert await uow.visits.list(VisitQuery()) == []


def photo(company_id: UUID, visit_id: UUID, **f: Any) -> VisitPhoto:
    photo_id = new_id()
    key = f"{company_id}/visits/{visit_id}/{photo_id}.jpg"
    return VisitPhoto(
        id=photo_id, company_id=company_id, visit_id=visit_id, key=key,
        content_type="image/jpeg", created_at=T0, **f,
    )  # fmt: skip


async def test_photos_of_a_visit_and_reuse_across_visits(db: Database) -> None:
    company, (r1, _), (c1, c2) = await setup(db)
    v1, v2 = visit(company, r1, c1, T0), visit(company, r1, c2, T0 + timedelta(hours=1))
    await add_visits(db, company, v1, v2)
    sha = "ab" * 32
    first, pending = photo(company, v1.id), photo(company, v2.id)
    async with db.unit_of_work(Scope.tenant(company)) as uow:
        await uow.photos.add(first)
        await uow.photos.add(pending)
        # No READY photo with this hash yet: a pending one does not count.
        assert not await uow.photos.used_elsewhere(sha, v2.id)
        ready = first.model_copy(update={"status": PhotoStatus.READY, "sha256": sha, "size": 2048})
        await uow.photos.save(ready)
        await uow.commit()
    async with db.unit_of_work(Scope.tenant(company)) as uow:
        assert await uow.photos.get(v1.id, first.id) == ready
        assert await uow.photos.get(v2.id, first.id) is None  # wrong visit: not found
        assert [p.id for p in await uow.photos.for_visit(v1.id)] == [first.id]
        assert await uow.photos.used_elsewhere(sha, v2.id)  # seen on v1
        assert not await uow.photos.used_elsewhere(sha, v1.id)  # its own visit
        assert not await uow.photos.used_elsewhere("cd" * 32, v2.id)
        with pytest.raises(Conflict):
            await uow.photos.add(photo(company, v2.id).model_copy(update={"key": first.key}))
    other, (r_other, _), (c_other, _) = await setup(db, "Other")
    v_other = visit(other, r_other, c_other, T0)
    await add_visits(db, other, v_other)
    async with db.unit_of_work(Scope.tenant(other)) as uow:
        assert not await uow.photos.used_elsewhere(sha, v_other.id)  # A's photo is A's
        assert await uow.photos.get(v1.id, first.id) is None
        assert await uow.photos.for_visit(v1.id) == []
