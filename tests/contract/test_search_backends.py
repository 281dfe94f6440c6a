"""``?q=``, ``?city=`` and ``?tag=`` find the same contacts on every backend: a property
test over generated names (accented, Cyrillic, Greek, Devanagari, CJK, LIKE's own
wildcards), phones typed in several formats and tags, each backend checked against one
reference written here from the contract (docs/api.md item 44), so SQLite, Postgres and
the fakes agree with it and with each other."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakes import MemoryDatabase
from fieldedge.domain.search import MIN_SEARCH_CHARS, fold, parse_search
from fieldedge.ports.database import Database
from fieldedge.ports.fieldforce import ContactQuery
from fieldedge.services.contact_search import ContactFilter
from fieldedge_adapters.sql import database_from_url
from fixtures.database import POOL

from .world import contact, store, tenant

# Letters whose folding differs between naive implementations (İ, final Σ, ß, Ǆ), with
# accents, other scripts, digits and the characters LIKE treats specially.
ALPHABET = "aAbBzZéÉñÑçÇİıßǄǅǆΣσςΔδЖжЯяनमस्तेक漢字かな0129 %_\\-.'"  # noqa: RUF001
names = st.text(ALPHABET, min_size=1, max_size=12).map(str.strip).filter(bool)
cities = st.none() | st.sampled_from(["Pune", "PUNE", "Mumbaï", "Ärhus", "Σάμος", "Москва"])
phones = st.none() | st.from_regex(r"\+91[6-9][0-9]{9}", fullmatch=True)
tags = st.lists(st.sampled_from(["vip", "key account", "cardio", "ñandú"]), max_size=2)
rows = st.lists(st.tuples(names, cities, phones, tags), min_size=1, max_size=8)


def _formats(digits: str) -> list[str]:
    """The ways a person types part of a phone number."""
    return [digits, f"+{digits}", f"{digits[:3]} {digits[3:]}", f"({digits[:3]}) {digits[3:]}",
            "-".join([digits[:2], digits[2:]])]  # fmt: skip


@st.composite
def searches(draw: st.DrawFn, made: list[tuple[Any, ...]]) -> list[ContactFilter]:
    """Terms cut from the generated rows (with their case flipped) and a few others."""
    found: list[ContactFilter] = []
    for name, city, phone, tag_list in made:
        start = draw(st.integers(0, max(len(name) - 1, 0)))
        piece = name[start : start + draw(st.integers(1, 8))]
        found.append(
            ContactFilter(q=draw(st.sampled_from([piece, piece.upper(), piece.swapcase()])))
        )
        if city:
            found.append(
                ContactFilter(city=draw(st.sampled_from([city, city.upper(), city.lower()])))
            )
        if phone:
            cut = draw(st.integers(3, 12))
            found.append(ContactFilter(q=draw(st.sampled_from(_formats(phone[-cut:])))))
        if tag_list:
            found.append(ContactFilter(tag=draw(st.sampled_from(tag_list)).upper()))
    found.append(ContactFilter(q=draw(st.text(ALPHABET, min_size=3, max_size=6))))
    return [
        f for f in found if f.q is None or sum(c.isalnum() for c in f.q.strip()) >= MIN_SEARCH_CHARS
    ]


def _reference(made: list[tuple[Any, ...]], wanted: ContactFilter) -> set[int]:
    """The contract, over the rows as generated (index in ``made``)."""
    hits = set()
    for index, (name, city, phone, tag_list) in enumerate(made):
        ok = True
        if wanted.q is not None:
            term = wanted.q.strip()
            ok = fold(term) in fold(name) or (city is not None and fold(term) in fold(city))
            punctuation = set(" +-().")
            digits = "".join(c for c in term if c.isdigit())
            phone_like = all(c.isdigit() or c in punctuation for c in term) and digits.isascii()
            if phone_like and len(digits) >= MIN_SEARCH_CHARS and phone is not None:
                ok = ok or digits in phone[1:]
        if wanted.city is not None:
            ok = ok and city is not None and fold(city) == fold(wanted.city)
        if wanted.tag is not None:
            ok = ok and wanted.tag.lower() in tag_list
        if ok:
            hits.add(index)
    return hits


def _as_the_service_asks(search: ContactFilter) -> ContactQuery:
    tag = search.tag.strip().lower() if search.tag else None
    q = parse_search(search.q) if search.q else None
    return ContactQuery(q=q, city=search.city, tag=tag, limit=100)


def _open(target: str) -> Database:
    return MemoryDatabase() if target == "memory" else database_from_url(target, **POOL)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), made=rows)
def test_search_finds_what_the_contract_says_on_every_backend(
    database_target: str, data: st.DataObject, made: list[tuple[Any, ...]]
) -> None:
    wanted = data.draw(searches(made))

    async def scenario() -> None:
        database = _open(database_target)
        try:
            t = await tenant(database)  # its own contact is left out below
            stored = [
                contact(t.id, name=name, city=city, phone=phone, tags=list(tag_list))
                for name, city, phone, tag_list in made
            ]
            await store(database, t.scope, *stored)
            index_of = {c.id: i for i, c in enumerate(stored)}
            for search in wanted:
                async with t.uow(database) as uow:
                    found = await uow.contacts.list(_as_the_service_asks(search))
                got = {index_of[r["id"]] for r in found if r["id"] in index_of}
                assert got == _reference(made, search), (search, made)
        finally:
            await database.close()

    asyncio.run(scenario())
