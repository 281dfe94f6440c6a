"""What every memory repository shares, and the list filters the SQL statements apply.

A repository reads through its transaction, which shows a tenant scope its own rows only
(``MemoryTxn.visible``, the row-level security Postgres applies) and the system scope
every row. Reads hand out fresh objects (entities, or ``Record`` copies of the rows for
lists); ``add`` queues an insert of every field and refuses a row of another tenant,
``save`` queues an update of the fields the entity says changed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any, ClassVar, Generic, TypeVar
from uuid import UUID

from fieldedge.domain.base import Entity
from fieldedge.domain.sync import next_field_versions, tracked
from fieldedge.ports.database import Scope
from fieldedge.ports.records import Record

from .store import FIELD_VERSIONED, Row, clone
from .txn import MemoryTxn

E = TypeVar("E", bound=Entity)


def page(rows: Iterable[Row], *, after: UUID | None, limit: int) -> list[Row]:
    """A keyset page by id: rows after ``after``, at most ``limit``."""
    ordered = sorted(rows, key=lambda row: row["id"])
    if after is not None:
        ordered = [row for row in ordered if row["id"] > after]
    return ordered[: max(limit, 0)]


def contains_text(q: str, *values: str | None) -> bool:
    """Case-insensitive substring; ``%`` and ``_`` are plain characters (escaped in SQL)."""
    needle = q.lower()
    return any(value is not None and needle in value.lower() for value in values)


def one_of(value: object, allowed: Collection[UUID] | None) -> bool:
    return allowed is None or value in set(allowed)


def equals(name: str, value: object) -> Callable[[Row], bool]:
    return lambda row: bool(row[name] == value)


def where(*tests: Callable[[Row], bool]) -> Callable[[Row], bool]:
    return lambda row: all(test(row) for test in tests)


class MemoryRepository(Generic[E]):
    table: ClassVar[str]
    model: ClassVar[type[Entity]]
    soft_delete: ClassVar[bool] = True

    def __init__(self, txn: MemoryTxn) -> None:
        self._txn = txn

    @property
    def _scope(self) -> Scope:
        return self._txn.scope

    def _check_owned(self, company_id: UUID | None) -> None:
        """A row written in tenant scope must belong to that tenant (as on SQL)."""
        if self._scope.company_id is not None and company_id != self._scope.company_id:
            raise RuntimeError("a tenant unit of work cannot write another tenant's row")

    def _entity(self, row: Row) -> E:
        entity: E = self.model.load(_bare(row))  # type: ignore[assignment]
        return entity

    @staticmethod
    def _record(row: Row) -> Record:
        return _bare(row)

    def _live(self, row: Row) -> bool:
        return not self.soft_delete or row["deleted_at"] is None

    async def _rows(self, test: Callable[[Row], bool] | None = None) -> list[Row]:
        rows = await self._txn.rows(self.table)
        return [row for row in rows if test is None or test(row)]

    async def _get(
        self, row_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> E | None:
        def found(row: Row | None) -> bool:
            return row is not None and (include_deleted or self._live(row))

        row = await self._txn.row(self.table, row_id)
        if lock and found(row):
            await self._txn.lock((self.table, row_id))
            row = await self._txn.row(self.table, row_id)  # its latest committed state
        return self._entity(row) if row is not None and found(row) else None

    async def _list(
        self, test: Callable[[Row], bool], *, after: UUID | None, limit: int
    ) -> list[Row]:
        return page(await self._rows(where(self._live, test)), after=after, limit=limit)

    async def _set_where(self, test: Callable[[Row], bool], values: dict[str, Any]) -> list[Row]:
        """``UPDATE … WHERE``: lock each matching row, re-check its latest state, set
        ``values``; the rows changed."""
        changed = []
        for row in await self._rows(test):
            await self._txn.lock((self.table, row["id"]))
            latest = self._txn.current(self.table, row["id"])
            if latest is not None and test(latest):
                new = await self._txn.change(self.table, row["id"], values)
                changed += [new] if new is not None else []
        return changed

    async def _delete_where(self, test: Callable[[Row], bool]) -> int:
        """``DELETE … WHERE``, locking and re-checking as ``_set_where``; the count."""
        count = 0
        for row in await self._rows(test):
            await self._txn.lock((self.table, row["id"]))
            latest = self._txn.current(self.table, row["id"])
            if latest is not None and test(latest):
                count += await self._txn.remove(self.table, row["id"])
        return count

    def _add(self, entity: E) -> None:
        values = entity.values()
        self._check_owned(values.get("company_id"))
        if self.table in FIELD_VERSIONED:
            values["field_versions"] = next_field_versions({}, 0, tracked(values))
            self._txn.field_versions[(self.table, values["id"])] = values["field_versions"]
        self._txn.insert(self.table, values, entity)
        entity.mark_clean()

    def _save(self, entity: E) -> None:
        changes = entity.changes()
        changes.pop("id", None)
        changes.pop("company_id", None)
        row_id = entity.values()["id"]
        if self.table in FIELD_VERSIONED and changes:
            changes["field_versions"] = self._txn.next_versions(self.table, row_id, changes)
        self._txn.update(self.table, row_id, changes, entity)
        entity.mark_clean()


def _bare(row: Row) -> Row:
    """A stored row without sync's bookkeeping, as an entity or a list record holds it."""
    copy = clone(row)
    copy.pop("field_versions", None)
    return copy
