"""Contacts in SQL on every backend: what is written reads back as it was, each list
filter keeps exactly the rows it names, deleted contacts are gone unless asked for, and
another tenant's unit of work sees none of it (on SQLite too, where no RLS helps)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
import uuid_utils

from fieldedge.domain.contacts import Contact, ContactType
from fieldedge.domain.geo import bounding_box
from fieldedge.errors import NotFound
from fieldedge.ports.database import Database, Scope
from fieldedge.ports.fieldforce import ContactQuery
from fixtures.database import add_company, add_user


def new_id() -> UUID:
    return UUID(bytes=uuid_utils.uuid7().bytes)


def contact(company_id: UUID, name: str, **fields: Any) -> Contact:
    now = datetime.now(UTC)
    return Contact(
        id=new_id(), company_id=company_id, name=name, created_at=now, updated_at=now, **fields
    )


async def add_all(db: Database, company_id: UUID, *contacts: Contact) -> None:
    async with db.unit_of_work(Scope.tenant(company_id)) as uow:
        for c in contacts:
            await uow.contacts.add(c)
        await uow.commit()


async def names(db: Database, company_id: UUID, **query: Any) -> list[str]:
    async with db.unit_of_work(Scope.tenant(company_id)) as uow:
        return [c.name for c in await uow.contacts.list(ContactQuery(**query))]


async def test_a_contact_reads_back_as_written_and_a_tombstone_hides_it(db: Database) -> None:
    company = await add_company(db)
    rep = await add_user(db, company.id, "rep@acme.example")
    written = contact(
        company.id,
        "Dr. Anita Rao",
        type=ContactType.DOCTOR,
        owner_id=rep.id,
        phone="+919876543210",
        city="Pune",
        latitude=18.5204,
        longitude=73.8567,
        tags=["vip", "cardio"],
    )
    await add_all(db, company.id, written)
    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        assert await uow.contacts.get(written.id) == written
        changed = written.model_copy(update={"name": "Dr. A. Rao", "tags": ["vip"], "version": 7})
        await uow.contacts.save(changed)
        await uow.commit()
    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        assert await uow.contacts.get(written.id) == changed
        await uow.contacts.save(changed.model_copy(update={"deleted_at": datetime.now(UTC)}))
        await uow.commit()
    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        assert await uow.contacts.get(written.id) is None
        kept = await uow.contacts.get(written.id, include_deleted=True)
        assert kept is not None
        assert (kept.name, kept.deleted_at is not None) == ("Dr. A. Rao", True)
        assert await uow.contacts.list(ContactQuery()) == []


async def test_each_filter_keeps_exactly_what_it_names(db: Database) -> None:
    company = await add_company(db)
    r1 = await add_user(db, company.id, "r1@acme.example")
    r2 = await add_user(db, company.id, "r2@acme.example")
    await add_all(
        db,
        company.id,
        contact(
            company.id,
            "Dr. Anil 100%",
            type=ContactType.DOCTOR,
            owner_id=r1.id,
            phone="+919876543210",
            city="Pune",
            latitude=18.52,
            longitude=73.85,
            tags=["vip", "cardio"],
        ),
        contact(
            company.id,
            "Shah Stores",
            type=ContactType.RETAILER,
            owner_id=r2.id,
            city="pune",
            tags=["vip_x"],
        ),
        contact(
            company.id,
            "Metro Wholesale",
            type=ContactType.WHOLESALER,
            city="Mumbai",
            latitude=19.07,
            longitude=72.87,
            tags=['say "hi"', "über"],
        ),
        contact(company.id, "Gone Dr", city="Pune", tags=["vip"], deleted_at=datetime.now(UTC)),
    )
    dr, shop, metro = "Dr. Anil 100%", "Shah Stores", "Metro Wholesale"
    assert await names(db, company.id) == [dr, shop, metro]
    assert await names(db, company.id, owner_ids=[r1.id]) == [dr]
    assert await names(db, company.id, owner_ids=[r1.id, r2.id]) == [dr, shop]
    assert await names(db, company.id, owner_ids=[]) == []
    assert await names(db, company.id, type=ContactType.RETAILER) == [shop]
    assert await names(db, company.id, city="PUNE") == [dr, shop]
    # Tag membership is exact: "vip" is not "vip_x", and quotes match themselves.
    assert await names(db, company.id, tag="vip") == [dr]
    assert await names(db, company.id, tag="  VIP ") == [dr]
    assert await names(db, company.id, tag='say "hi"') == [metro]
    assert await names(db, company.id, tag="über") == [metro]
    assert await names(db, company.id, tag="vi") == []
    # Search: name, phone, city; LIKE's wildcards in the text are literal.
    assert await names(db, company.id, q="100%") == [dr]
    assert await names(db, company.id, q="1%0") == []
    assert await names(db, company.id, q="_") == []
    assert await names(db, company.id, q="98765") == [dr]
    assert await names(db, company.id, q="PUN") == [dr, shop]
    assert await names(db, company.id, q="shah") == [shop]
    box = bounding_box(18.5, 73.8, 20_000)
    assert await names(db, company.id, box=box) == [dr]
    assert await names(db, company.id, box=box, type=ContactType.RETAILER) == []


async def test_keyset_pages_walk_every_row_once(db: Database) -> None:
    company = await add_company(db)
    written = [contact(company.id, f"C{i:02d}") for i in range(7)]
    await add_all(db, company.id, *written)
    seen: list[str] = []
    after: UUID | None = None
    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        for _ in range(5):  # bounded: 7 rows in pages of 3 take three reads
            page = await uow.contacts.list(ContactQuery(after=after, limit=3))
            seen += [c.name for c in page]
            if len(page) < 3:
                break
            after = page[-1].id
    assert seen == [c.name for c in sorted(written, key=lambda c: c.id)]


async def test_a_box_across_the_antimeridian_finds_both_sides(db: Database) -> None:
    company = await add_company(db)
    await add_all(
        db,
        company.id,
        contact(company.id, "East", latitude=-17.0, longitude=179.9),
        contact(company.id, "West", latitude=-17.0, longitude=-179.9),
        contact(company.id, "Far", latitude=-17.0, longitude=170.0),
    )
    box = bounding_box(-17.0, 179.99, 50_000)
    assert len(box.lng_ranges) == 2
    assert sorted(await names(db, company.id, box=box)) == ["East", "West"]


async def test_find_duplicate_by_phone_or_email_among_live_contacts(db: Database) -> None:
    company = await add_company(db)
    await add_all(
        db,
        company.id,
        contact(company.id, "Live", phone="+919876543210", email="Clinic@Example.com"),
        contact(company.id, "Dead", phone="+919800000000", deleted_at=datetime.now(UTC)),
    )
    async with db.unit_of_work(Scope.tenant(company.id)) as uow:
        by_phone = await uow.contacts.find_duplicate(phone="+919876543210", email=None)
        by_email = await uow.contacts.find_duplicate(phone=None, email="clinic@example.COM")
        either = await uow.contacts.find_duplicate(
            phone="+910000000000", email="clinic@example.com"
        )
        assert [c.name for c in (by_phone, by_email, either) if c] == ["Live", "Live", "Live"]
        assert await uow.contacts.find_duplicate(phone="+919800000000", email=None) is None
        assert await uow.contacts.find_duplicate(phone=None, email=None) is None


async def test_another_tenant_sees_and_touches_nothing(db: Database) -> None:
    a, b = await add_company(db, "A"), await add_company(db, "B")
    mine = contact(a.id, "A's doctor", phone="+919876543210", city="Pune", tags=["vip"])
    await add_all(db, a.id, mine)
    async with db.unit_of_work(Scope.tenant(b.id)) as uow:
        assert await uow.contacts.get(mine.id, include_deleted=True) is None
        assert await uow.contacts.list(ContactQuery(q="doctor", city="Pune", tag="vip")) == []
        assert await uow.contacts.find_duplicate(phone=mine.phone, email=None) is None
        with pytest.raises(NotFound):
            await uow.contacts.save(mine.model_copy(update={"name": "stolen"}))
        with pytest.raises(RuntimeError):
            await uow.contacts.add(contact(a.id, "planted"))
    async with db.unit_of_work(Scope.tenant(a.id)) as uow:
        assert await uow.contacts.get(mine.id) == mine
        assert [c.name for c in await uow.contacts.list(ContactQuery())] == ["A's doctor"]
