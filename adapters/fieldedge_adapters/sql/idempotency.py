"""Idempotency records in SQL: looked up first, written once (completed) at the end.

The record is an ``INSERT … ON CONFLICT DO NOTHING`` in the request's transaction, after
the write it guards. On Postgres an insert that meets a concurrent duplicate's
uncommitted record waits for that transaction (within the request's ``lock_timeout``):
if it commits, this insert does nothing and the caller rolls its own work back and
replays the first response; if it rolls back, this one goes ahead. On SQLite the
request transaction holds the write lock from its first statement, so a duplicate
runs after the first has committed and finds its record up front.

On Postgres the record usually travels with the ``COMMIT`` instead (``commit_recording``):
the same insert as text, sent in one round trip with the commit, so a write that took the
company's counter lock (its stamping statement) holds it one round trip less than with a
separate insert. A held key makes that insert fail on purpose (a division by zero over the
rows it wrote), which skips the ``COMMIT``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
import sqlalchemy as sa

from fieldedge.domain.idempotency import IdempotencyRecord
from fieldedge.errors import IdempotencyInProgress
from fieldedge_adapters.sql.errors import LOCK_NOT_AVAILABLE, sqlstate
from fieldedge_adapters.sql.repo import Repository, shape, table_of, tenant_filter
from fieldedge_adapters.sql.tables import IdempotencyRow

T = table_of(IdempotencyRow)
_FIELDS = tuple(IdempotencyRecord.model_fields)


@shape
def _find(tenant: bool) -> Any:
    return sa.select(*(T.c[name] for name in _FIELDS)).where(
        T.c.user_id == sa.bindparam("user"),
        T.c.key == sa.bindparam("key"),
        T.c.expires_at > sa.bindparam("now"),
        *tenant_filter(T, tenant),
    )


@shape
def _insert(dialect: str) -> Any:
    from sqlalchemy.dialects import postgresql, sqlite

    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {name: sa.bindparam(f"v_{name}", type_=T.c[name].type) for name in _FIELDS}
    statement = insert(T).values(status="completed", **values)
    # A live record of the key wins (nothing written, nothing returned); an expired one
    # is no replay any more and is replaced in the same statement.
    replace = {name: statement.excluded[name] for name in _FIELDS if name != "id"}
    return statement.on_conflict_do_update(
        index_elements=["user_id", "key"],
        set_={**replace, "id": statement.excluded.id},
        where=T.c.expires_at <= statement.excluded.created_at,
    ).returning(T.c.id)


# What the insert sent with the COMMIT raises when the key is held (nothing inserted).
KEY_HELD = "22012"  # division_by_zero
_TIME = re.compile(r"[0-9T:.+-]+")


def _text(value: str) -> str:
    # Hex digits only reach the statement: no quoting to get wrong, whatever the key holds.
    return f"convert_from(decode('{value.encode().hex()}', 'hex'), 'UTF8')"


def _time(value: datetime) -> str:
    text = value.isoformat()
    if value.tzinfo is None or not _TIME.fullmatch(text):
        raise ValueError(f"not an aware time: {text!r}")
    return f"'{text}'::timestamptz"


def committing_sql(record: IdempotencyRecord) -> str:
    """``_insert``'s statement for Postgres, its values written in as literals."""
    values = {
        # The entity holds UUIDs (validated on every change): their text is hex and dashes.
        "id": f"'{record.id}'::uuid",
        "company_id": f"'{record.company_id}'::uuid",
        "user_id": f"'{record.user_id}'::uuid",
        "key": _text(record.key),
        "fingerprint": _text(record.fingerprint),
        "response_status": str(int(record.response_status)),
        "response_headers": f"{_text(orjson.dumps(record.response_headers).decode())}::json",
        "response_body": f"decode('{bytes(record.response_body).hex()}', 'hex')",
        "created_at": _time(record.created_at),
        "expires_at": _time(record.expires_at),
        "status": "'completed'",
    }
    replaced = ", ".join(f"{name} = EXCLUDED.{name}" for name in values if name != "id")
    # Text built from literals made above only (uuids, ints, hex): nothing to inject.
    return (
        f"WITH written AS (INSERT INTO {T.name} ({', '.join(values)})"  # noqa: S608
        f" VALUES ({', '.join(values.values())})"
        f" ON CONFLICT (user_id, key) DO UPDATE SET {replaced}, id = EXCLUDED.id"
        f" WHERE {T.name}.expires_at <= EXCLUDED.created_at RETURNING 1)"
        " SELECT 1 / (SELECT count(*)::int FROM written)"
    )


@shape
def _sweep(tenant: bool) -> Any:
    return sa.delete(T).where(T.c.expires_at < sa.bindparam("before"), *tenant_filter(T, tenant))


class SqlIdempotencyRepository(Repository[IdempotencyRecord]):
    table, model, soft_delete = T, IdempotencyRecord, False

    async def find(self, user_id: UUID, key: str, *, now: datetime) -> IdempotencyRecord | None:
        return await self._one(_find(self._tenant), user=user_id, key=key, now=now)

    async def record(self, record: IdempotencyRecord) -> bool:
        self._check_owned(record.company_id)
        values = {f"v_{name}": value for name, value in record.values().items()}
        try:
            rows = await self._rows(_insert(self._txn.dialect), **values)
        except Exception as exc:
            if sqlstate(exc) == LOCK_NOT_AVAILABLE:  # the first one is taking too long
                raise IdempotencyInProgress() from exc
            raise
        return bool(rows)

    async def commit_recording(self, record: IdempotencyRecord) -> bool:
        """Postgres: write ``record`` and commit in one round trip; False, with nothing
        committed (the transaction aborted, for the unit of work to roll back), when the
        user's key is held. Call it with every other write of the transaction sent."""
        from fieldedge_adapters.sql.pg import PgTx

        self._check_owned(record.company_id)
        tx = self._txn.tx
        assert isinstance(tx, PgTx)
        try:
            await tx.commit_after(committing_sql(record))
        except Exception as exc:
            state = sqlstate(exc)
            if state == KEY_HELD:
                return False
            if state == LOCK_NOT_AVAILABLE:  # the first one is taking too long
                raise IdempotencyInProgress() from exc
            raise
        return True

    async def sweep(self, before: datetime) -> int:
        return await self._run(_sweep(self._tenant), before=before)
