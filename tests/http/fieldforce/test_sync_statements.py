"""What a push and a pull cost the database, counted (these numbers may only go down),
and where a push takes the company's write lock: its stamping statement, last before
``COMMIT``, so a 500-mutation push does not hold up the company's other writes."""

from __future__ import annotations

from uuid import uuid4

import pytest

from fieldedge.ports.database import Database

from .conftest import Team
from .test_statements import counted, kinds, quiet

__all__ = ["quiet"]
POSTGRES = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
# Per created contact: its savepoint, the id looked up (sync's, then the create's own
# check), the row, the savepoint released, the stored result.
PER_CREATE = ["SAVEPOINT", "SELECT", "SELECT", "INSERT", "RELEASE", "INSERT"]


def creates(n: int, start: int = 1) -> list[dict[str, object]]:
    return [{"id": start + i, "entity": "contact", "op": "create", "entityId": str(uuid4()),
             "data": {"name": f"Shop {i}"}} for i in range(n)]  # fmt: skip


@POSTGRES
async def test_a_push_costs_the_same_per_mutation_and_locks_once_at_the_end(
    quiet: Team, db: Database
) -> None:
    client = str(uuid4())

    async def push(mutations: list[dict[str, object]]) -> list[str]:
        body = {"clientId": client, "mutations": mutations}
        return kinds(await counted(db, lambda: quiet.post("rep_a1", "/api/v1/sync/push", body)))

    await push(creates(1))  # the client record exists from here on
    ten = await push(creates(10, start=2))
    # scope and the client record (locked); each mutation (no webhook endpoint read:
    # the KV knows the company has none); the client's last id; the stamp.
    assert ten == ["BEGIN", "SELECT", *PER_CREATE * 10, "UPDATE", "WITH", "COMMIT"], ten


@POSTGRES
async def test_a_pull_page_reads_the_counter_then_each_kind_once(quiet: Team, db: Database) -> None:
    await quiet.contact("rep_a1")
    body = {"cursor": None, "limit": 100}
    sent = kinds(await counted(db, lambda: quiet.post("rep_a1", "/api/v1/sync/pull", body)))
    # scope; the counter; users, contacts, visits, photos, products, orders, payments,
    # attendance, expenses, territories, targets, beats, plans, routes; sites, equipment
    # types, equipment, checklist templates, work orders, maintenance schedules.
    assert sent == ["BEGIN", "SELECT", *["SELECT"] * 20, "ROLLBACK"], sent
