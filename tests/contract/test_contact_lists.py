"""The contact list's filters, as ``GET /contacts`` uses them, and the duplicate check."""

from __future__ import annotations

from uuid import UUID

from fieldedge.domain.contacts import Contact, ContactType
from fieldedge.domain.geo import BoundingBox, bounding_box
from fieldedge.domain.search import MIN_SEARCH_CHARS, SearchTerm, fold, parse_search
from fieldedge.ports.database import Database
from fieldedge.ports.fieldforce import ContactQuery

from .world import NOW, Tenant, contact, store, tenant, user


async def ids(database: Database, t: Tenant, **query: object) -> set[UUID]:
    if isinstance(query.get("q"), str):  # the port takes a parsed term (any, below the API)
        q = str(query.pop("q"))
        sized = sum(char.isalnum() for char in q) >= MIN_SEARCH_CHARS
        query["q"] = parse_search(q) if sized else SearchTerm(fold(q), None)
    async with t.uow(database) as uow:
        return {r["id"] for r in await uow.contacts.list(ContactQuery(**query))}  # type: ignore[arg-type]


async def stored(database: Database, t: Tenant, **fields: object) -> Contact:
    made = contact(t.id, **fields)
    await store(database, t.scope, made)
    return made


async def test_search_is_a_case_insensitive_substring_with_wildcards_taken_literally(
    database: Database,
) -> None:
    t = await tenant(database)  # its contact: "Dr. Mehta", city Pune
    percent = await stored(database, t, name="100% Pure Pharma")
    plain = await stored(database, t, name="100 Pure Pharma")
    under = await stored(database, t, name="Shah_Medicals")
    near = await stored(database, t, name="ShahXMedicals", city="Mumbai")
    by_phone = await stored(database, t, name="Anon", phone="+912012345678")
    assert await ids(database, t, q="PURE pharma") == {percent.id, plain.id}
    assert await ids(database, t, q="%") == {percent.id}
    assert await ids(database, t, q="0% p") == {percent.id}
    assert await ids(database, t, q="h_m") == {under.id}
    assert await ids(database, t, q="_") == {under.id}
    assert await ids(database, t, q="mumb") == {near.id}  # the city is searched too
    assert await ids(database, t, q="2012345") == {by_phone.id}  # and the phone
    assert await ids(database, t, q="pun") == {t.contact.id}
    assert await ids(database, t, q="\\") == set()
    assert await ids(database, t, q="+91 20-1234") == {by_phone.id}  # digits, any format
    assert await ids(database, t, q="MEHTA") == {t.contact.id}
    assert len(await ids(database, t)) == 6  # no term: no filter


async def test_city_is_case_insensitive_equality(database: Database) -> None:
    t = await tenant(database)
    upper = await stored(database, t, city="PUNE")
    await stored(database, t, city="Pune East")
    await stored(database, t)
    assert await ids(database, t, city="pune") == {t.contact.id, upper.id}


async def test_a_tag_matches_a_whole_normalised_tag(database: Database) -> None:
    t = await tenant(database)
    key = await stored(database, t, tags=["Key  Account", "north"])
    await stored(database, t, tags=["keyaccount", "key"])
    assert await ids(database, t, tag="  KEY account ") == {key.id}
    assert await ids(database, t, tag="north") == {key.id}
    assert await ids(database, t, tag="acc") == set()


async def test_type_and_owner_filters(database: Database) -> None:
    t = await tenant(database)
    other_rep = user(t.id)
    await store(database, t.scope, other_rep)
    doctor = await stored(database, t, type=ContactType.DOCTOR, owner_id=other_rep.id)
    shop = await stored(database, t, type=ContactType.RETAILER)
    assert await ids(database, t, type=ContactType.DOCTOR) == {doctor.id}
    assert await ids(database, t, type=ContactType.RETAILER) == {shop.id}
    assert await ids(database, t, owner_ids=[other_rep.id]) == {doctor.id}
    assert await ids(database, t, owner_ids=[t.rep.id, other_rep.id]) == {t.contact.id, doctor.id}
    assert await ids(database, t, owner_ids=[]) == set()


async def test_a_box_keeps_contacts_located_inside_it_bounds_included(database: Database) -> None:
    t = await tenant(database)
    box = BoundingBox(min_lat=18.0, max_lat=19.0, lng_ranges=((73.0, 74.0),))
    inside = await stored(database, t, latitude=18.5, longitude=73.8)
    corner = await stored(database, t, latitude=19.0, longitude=73.0)
    await stored(database, t, latitude=19.01, longitude=73.5)
    await stored(database, t, latitude=18.5, longitude=74.01)
    await stored(database, t, name="No location")
    assert await ids(database, t, box=box) == {inside.id, corner.id}


async def test_a_box_across_the_antimeridian_has_two_longitude_ranges(database: Database) -> None:
    t = await tenant(database)
    box = bounding_box(-17.7, 179.9, 50_000)  # Fiji: the box crosses 180°
    assert len(box.lng_ranges) == 2
    east = await stored(database, t, latitude=-17.7, longitude=179.8)
    west = await stored(database, t, latitude=-17.6, longitude=-179.9)
    await stored(database, t, latitude=-17.7, longitude=0.5)
    await stored(database, t, latitude=-17.7, longitude=-178.0)
    assert await ids(database, t, box=box) == {east.id, west.id}


async def test_deleted_contacts_are_left_out_and_read_only_when_asked_for(
    database: Database,
) -> None:
    t = await tenant(database)
    gone = await stored(database, t, name="Closed shop", phone="+912098765432")
    async with t.uow(database) as uow:
        found = await uow.contacts.get(gone.id)
        assert found is not None
        found.deleted_at = NOW
        await uow.contacts.save(found)
        await uow.commit()
    assert await ids(database, t) == {t.contact.id}
    assert await ids(database, t, q="closed") == set()
    async with t.uow(database) as uow:
        assert await uow.contacts.get(gone.id) is None
        tombstone = await uow.contacts.get(gone.id, include_deleted=True)
        assert await uow.contacts.find_duplicate(phone="+912098765432", email=None) is None
    assert tombstone is not None
    assert tombstone.deleted_at == NOW


async def test_pages_follow_the_id_after_the_last_one(database: Database) -> None:
    t = await tenant(database)
    for n in range(4):
        await stored(database, t, name=f"Contact {n}")
    async with t.uow(database) as uow:
        everyone = [r["id"] for r in await uow.contacts.list(ContactQuery(limit=100))]
        pages, after = [], None
        while True:
            page = await uow.contacts.list(ContactQuery(after=after, limit=2))
            if not page:
                break
            pages.append([r["id"] for r in page])
            after = page[-1]["id"]
    assert everyone == sorted(everyone)
    assert len(everyone) == 5
    assert pages == [everyone[0:2], everyone[2:4], everyone[4:5]]


async def test_list_records_are_the_stored_rows(database: Database) -> None:
    t = await tenant(database)
    async with t.uow(database) as uow:
        (record,) = await uow.contacts.list(ContactQuery())
    assert set(record) == set(Contact.model_fields)
    assert Contact.load(record) == t.contact


async def test_find_duplicate_matches_a_phone_or_an_email(database: Database) -> None:
    t = await tenant(database)
    mailed = await stored(database, t, email="Orders@Kulkarni.in")
    async with t.uow(database) as uow:
        by_phone = await uow.contacts.find_duplicate(phone=t.contact.phone, email=None)
        by_email = await uow.contacts.find_duplicate(phone=None, email=" orders@kulkarni.IN ")
        either = await uow.contacts.find_duplicate(
            phone="+910000000000", email="orders@kulkarni.in"
        )
        assert await uow.contacts.find_duplicate(phone=None, email=None) is None
        assert await uow.contacts.find_duplicate(phone="", email="") is None
        assert await uow.contacts.find_duplicate(phone="+910000000000", email=None) is None
    assert by_phone is not None
    assert by_phone.id == t.contact.id
    assert by_email is not None
    assert by_email.id == mailed.id
    assert either is not None
    assert either.id == mailed.id
