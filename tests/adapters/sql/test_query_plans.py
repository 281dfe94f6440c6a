"""The hot queries' plans on a tenant big enough for the planner to choose (issue 15).

A fresh Postgres database gets the scale fixture with its big company cut to 30,000
contacts, 30,000 visits and 10,000 orders (50 small tenants beside it), analysed. Each
hot statement is compiled as the adapter runs it and ``EXPLAIN``-ed with the big
tenant's values: none may read a tenant's table by a sequential scan, and where one
index is the answer (a rare search term, a folded city, a rare tag, the near box, a
rep's day, a status, what is owed, a sync pull by version) the plan must use it. A
frequent term or tag may instead read rows in id order until a page is full (cheap
precisely because matches are frequent): for those the test runs the plan
(``EXPLAIN ANALYZE``) and bounds the rows it read, a count, never a time.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fieldedge.domain.geo import bounding_box
from fieldedge_adapters.sql import contacts, idempotency, orders, sync, visits
from fieldedge_adapters.sql.migrations import upgrade
from fieldedge_adapters.sql.pg import compiled
from fieldedge_adapters.sql.scale_fixture import RARE_TAG, Shape, seed_scale
from fixtures.database import pg_fetch, run_async, with_database

pytestmark = [pytest.mark.postgres, pytest.mark.explain]

SHAPE = Shape(managers=4, reps=40, contacts=30_000, visits=30_000, orders=10_000, products=50)
PAGE_BOUND = 6_000  # rows a frequent filter's page may read: a fifth of the 30,000
TENANT_TABLES = {"contacts", "visits", "orders", "payments", "visit_photos", "users"}


@pytest.fixture(scope="module")
def fixture_url(postgres_server_url: str) -> Any:
    name = f"fieldedge_plans_{uuid.uuid4().hex[:12]}"
    run_async(lambda: pg_fetch(postgres_server_url, f'CREATE DATABASE "{name}"'))
    url = with_database(postgres_server_url, name)
    try:
        run_async(lambda: upgrade(url))
        dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
        run_async(lambda: seed_scale(dsn, shape=SHAPE))
        yield dsn
    finally:
        run_async(
            lambda: pg_fetch(postgres_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        )


class Planner:
    def __init__(self, connection: Any, company_id: uuid.UUID) -> None:
        self.connection, self.company_id = connection, company_id

    async def nodes(
        self, statement: Any, **params: Any
    ) -> list[tuple[str, str | None, str | None]]:
        done = compiled(statement)
        args = done.args({"cid": self.company_id, "limit": 21, **params})
        raw = await self.connection.fetchval(f"EXPLAIN (FORMAT JSON) {done.sql}", *args)
        found: list[tuple[str, str | None, str | None]] = []

        def walk(node: dict[str, Any]) -> None:
            found.append((node["Node Type"], node.get("Relation Name"), node.get("Index Name")))
            for child in node.get("Plans", []):
                walk(child)

        walk(json.loads(raw)[0]["Plan"])
        return found

    async def examined(self, statement: Any, **params: Any) -> int:
        """Rows the executed plan's scans read (returned plus filtered out)."""
        done = compiled(statement)
        args = done.args({"cid": self.company_id, "limit": 21, **params})
        raw = await self.connection.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {done.sql}", *args)
        total = 0

        def walk(node: dict[str, Any]) -> None:
            nonlocal total
            if "Relation Name" in node:
                loops = node.get("Actual Loops", 1)
                total += (node["Actual Rows"] + node.get("Rows Removed by Filter", 0)) * loops
            for child in node.get("Plans", []):
                walk(child)

        walk(json.loads(raw)[0]["Plan"])
        return total

    async def check(self, statement: Any, *, uses: str | None = None, **params: Any) -> None:
        nodes = await self.nodes(statement, **params)
        scans = [relation for kind, relation, _ in nodes if kind == "Seq Scan"]
        assert not set(scans) & TENANT_TABLES, nodes
        if uses is not None:
            assert uses in {index for _, _, index in nodes}, nodes


@pytest.fixture(scope="module")
def empty_url(postgres_server_url: str) -> Any:
    """Migrated, no rows, never analysed: where a soak's plans are made (its tenant
    starts empty, and a pooled connection keeps a generic plan until statistics change)."""
    name = f"fieldedge_plans_empty_{uuid.uuid4().hex[:8]}"
    run_async(lambda: pg_fetch(postgres_server_url, f'CREATE DATABASE "{name}"'))
    url = with_database(postgres_server_url, name)
    try:
        run_async(lambda: upgrade(url))
        yield url.replace("postgresql+asyncpg://", "postgresql://", 1)
    finally:
        run_async(
            lambda: pg_fetch(postgres_server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        )


@pytest.fixture
async def empty_planner(empty_url: str) -> AsyncIterator[Planner]:
    import asyncpg

    connection = await asyncpg.connect(empty_url)
    try:
        yield Planner(connection, uuid.uuid4())
    finally:
        await connection.close()


@pytest.fixture
async def planner(fixture_url: str) -> AsyncIterator[Planner]:
    import asyncpg

    connection = await asyncpg.connect(fixture_url)
    try:
        big = await connection.fetchval(
            "SELECT id FROM companies WHERE name = 'Scale Distributors'"
        )
        yield Planner(connection, big)
    finally:
        await connection.close()


FLAGS = ("after", "owners", "kind", "city", "tag", "q", "digits", "ranges", "territory", "tenant")


def contact_list(**present: Any) -> Any:
    shape = {name: False for name in FLAGS} | {"ranges": 0, "tenant": True} | present
    return tuple(shape[name] for name in FLAGS)


async def a_rep(planner: Planner) -> uuid.UUID:
    rep: uuid.UUID = await planner.connection.fetchval(
        "SELECT id FROM users WHERE company_id = $1 AND role = 'SALES_REP' ORDER BY id LIMIT 1",
        planner.company_id,
    )
    return rep


async def test_contact_list_by_owner(planner: Planner) -> None:
    rep = await a_rep(planner)
    one = contacts._list(*contact_list(owners=contacts.ONE))  # a rep's own
    await planner.check(one, uses="ix_contacts_company_id_owner_id_id", owner=rep)
    team = await planner.connection.fetch(
        "SELECT id FROM users WHERE company_id = $1 AND role = 'SALES_REP' LIMIT 10",
        planner.company_id,
    )
    several = contacts._list(*contact_list(owners=2))  # a manager's team
    await planner.check(several, owners=[row["id"] for row in team])


async def test_search_by_name_city_and_phone_digits(planner: Planner) -> None:
    q = contacts._list(*contact_list(q=True))
    await planner.check(q, uses="ix_contacts_name_trgm", q="%zzqx%")  # a miss: no walk
    for term in ("%mehta%", "%kulkarni chem%"):  # 1 in 19, 1 in 190: either plan is cheap
        await planner.check(q, q=term)
        assert await planner.examined(q, q=term) < PAGE_BOUND
    phone = await planner.connection.fetchval(
        "SELECT phone FROM contacts WHERE company_id = $1 LIMIT 1", planner.company_id
    )
    digits = f"%{phone[4:11]}%"
    by_phone = contacts._list(*contact_list(q=True, digits=True))
    await planner.check(by_phone, uses="ix_contacts_phone_digits_trgm", q=digits, digits=digits)


async def test_city_is_served_folded(planner: Planner) -> None:
    city = contacts._list(*contact_list(city=True))
    await planner.check(city, uses="ix_contacts_company_id_city_folded", city="NASHIK")


async def test_a_rare_tag_is_served_by_its_gin_index(planner: Planner) -> None:
    tag = contacts._list(*contact_list(tag=True))
    await planner.check(tag, uses="ix_contacts_tag_elements", tag=RARE_TAG)
    assert await planner.examined(tag, tag="cardio") < PAGE_BOUND


async def test_near_reads_the_box_through_the_position_index(planner: Planner) -> None:
    box = bounding_box(18.5204, 73.8567, 2000)
    (lo, hi), = box.lng_ranges  # fmt: skip
    near = contacts._nearest(False, *contact_list(ranges=1))
    await planner.check(
        near, uses="ix_contacts_company_id_latitude_longitude", lat=18.5204, lng=73.8567,
        within=2000.0, lat_lo=box.min_lat, lat_hi=box.max_lat, lng0_lo=lo, lng0_hi=hi,
    )  # fmt: skip


async def test_a_reps_visits_of_a_day(planner: Planner) -> None:
    rep = await a_rep(planner)
    day = datetime(2026, 6, 1, tzinfo=UTC)
    statement = visits._list(False, True, False, False, False, True, True, True)
    await planner.check(statement, uses="ix_visits_company_id_user_id_checked_in_at_id",
                        users=[rep], since=day, until=day + timedelta(days=1))  # fmt: skip


async def test_orders_of_a_rep_by_status_and_what_is_owed(planner: Planner) -> None:
    rep = await a_rep(planner)
    theirs = orders._list(False, orders.ONE, False, False, None, True)  # a rep's own orders
    await planner.check(theirs, uses="ix_orders_company_id_user_id_id", user=rep)
    assert await planner.examined(theirs, user=rep) <= 21
    by_status = orders._list(False, False, False, True, None, True)
    await planner.check(by_status, uses="ix_orders_company_id_status_id", status="REJECTED")
    owing = orders._list(False, False, False, False, True, True)
    await planner.check(owing, uses="ix_orders_owing")


@pytest.mark.parametrize("kind", ["contacts", "visits", "orders", "payments", "photos"])
async def test_sync_pull_by_version(planner: Planner, kind: str) -> None:
    until = await planner.connection.fetchval(
        "SELECT change_counter FROM companies WHERE id = $1", planner.company_id
    )
    everyone = (False, False, False, False)
    changed = sync._changed(kind, everyone, False)
    table = sync.TABLES[kind].name
    await planner.check(changed, uses=f"ix_{table}_company_id_version", after=until - 500,
                        until=until)  # fmt: skip
    await planner.check(sync._snapshot(kind, everyone, False, False), until=until)


async def test_a_reps_sync_snapshot_reads_their_visits_not_the_companys(planner: Planner) -> None:
    # A null cursor pulls a snapshot by id; a rep's visits are theirs or at their
    # contacts. Both sides by index: the rows read follow the rep's visits (the soak's
    # slowdown was this walking every visit of the company by id, filtering each).
    rep = await a_rep(planner)
    until = await planner.connection.fetchval(
        "SELECT change_counter FROM companies WHERE id = $1", planner.company_id
    )
    snapshot = sync._snapshot("visits", (True, True, True, True), False, False)
    params = {"until": until, "owners": [rep], "contacts_of": rep, "limit": 200}
    await planner.check(snapshot, uses="ix_visits_company_id_contact_id", **params)
    theirs = await planner.connection.fetchval(
        "SELECT count(*) FROM visits WHERE company_id = $1 AND user_id = $2",
        planner.company_id,
        rep,
    )
    assert await planner.examined(snapshot, **params) <= 3 * theirs + 500


SORTS = {"Sort", "Incremental Sort"}


async def test_a_reps_previous_check_in_is_the_index_s_last_entry(
    planner: Planner, empty_planner: Planner
) -> None:
    # Every check-in reads it. With a sort the plan hung on statistics: on tables never
    # analysed it sorted every visit of the company (the soak's check-ins slowed as its
    # rep's visits grew). The index holds the whole order: no sort, on either database.
    rep = await a_rep(planner)
    previous = visits._previous(True)
    at = datetime(2026, 6, 1, tzinfo=UTC)
    for each, user in ((planner, rep), (empty_planner, uuid.uuid4())):
        nodes = await each.nodes(previous, user=user, before=at)
        assert not {kind for kind, _, _ in nodes} & SORTS, nodes
        assert "ix_visits_company_id_user_id_checked_in_at_id" in {i for _, _, i in nodes}
    assert await planner.examined(previous, user=rep, before=at) <= 1


async def test_an_idempotency_key_is_found_by_its_whole_key(empty_planner: Planner) -> None:
    # On empty tables the planner cost a company-only index the same as the unique
    # (user_id, key) and took it: every replayable write then read all of the company's
    # keys. Whichever index it picks now holds the key.
    nodes = await empty_planner.nodes(
        idempotency._find(True), user=uuid.uuid4(), key="k", now=datetime.now(UTC)
    )
    used = {index for _, _, index in nodes} - {None}
    assert used, nodes
    assert used <= {"uq_idempotency_keys_user_key", "ix_idempotency_keys_company_id_user_id_key"}
