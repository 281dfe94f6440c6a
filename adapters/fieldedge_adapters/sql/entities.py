"""What the field-force repositories share: get, add, save and the keyset page of one
tenant's entities, plus the two filters SQL dialects spell differently.

Every entity has ``id``, ``company_id`` and (except photos) ``deleted_at``; a repository
names its domain model and row class and inherits the rest. Reads hand back detached
domain copies; ``save`` writes every field but the id and the tenant with one UPDATE.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, ClassVar, Generic, TypeVar
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import SQLModel, col, select
from sqlmodel.sql.expression import SelectOfScalar

from fieldedge.domain.geo import BoundingBox
from fieldedge.errors import Conflict, NotFound
from fieldedge_adapters.sql.errors import translated
from fieldedge_adapters.sql.scoped import ScopedRepository, detached
from fieldedge_adapters.sql.users import like_pattern

E = TypeVar("E", bound=SQLModel)
R = TypeVar("R", bound=SQLModel)


class EntityRepository(ScopedRepository, Generic[E, R]):
    model: ClassVar[type[Any]]
    row: ClassVar[type[Any]]
    noun: ClassVar[str]  # for NotFound: "Contact not found."
    soft_delete: ClassVar[bool] = True

    def c(self, name: str) -> Any:
        return col(getattr(self.row, name))

    def _where(self, *, include_deleted: bool = False) -> list[ColumnElement[bool]]:
        """The tenant filter, and the tombstone filter unless deleted rows are wanted."""
        where = self._tenant(self.row.company_id)
        if self.soft_delete and not include_deleted:
            where.append(self.c("deleted_at").is_(None))
        return where

    async def _get(self, entity_id: UUID, *, include_deleted: bool = False) -> E | None:
        statement = select(self.row).where(
            self.c("id") == entity_id, *self._where(include_deleted=include_deleted)
        )
        found = await self._first(statement)
        return None if found is None else self._out(found)

    async def _add(self, entity: E) -> E:
        self._check_owned(getattr(entity, "company_id", None))
        await self._insert(self.row.model_validate(entity.model_dump()))
        return entity

    async def _save(self, entity: E) -> E:
        # Python-mode dump: enums, datetimes and JSON lists as the columns take them.
        values = entity.model_dump()
        entity_id, _ = values.pop("id"), values.pop("company_id")
        statement = (
            sa.update(self.row)
            .where(self.c("id") == entity_id, *self._tenant(self.row.company_id))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        with translated():
            result = await self._session.exec(statement)
        if result.rowcount != 1:
            raise NotFound(f"{self.noun} not found.")
        return entity

    def _page(self, after: UUID | None, limit: int) -> SelectOfScalar[Any]:
        """Live rows of the tenant, keyset by id; the caller adds its filters."""
        statement = select(self.row).where(*self._where())
        if after is not None:
            statement = statement.where(self.c("id") > after)
        return statement.order_by(self.c("id")).limit(limit)

    async def _many(self, statement: SelectOfScalar[Any]) -> list[E]:
        return [self._out(found) for found in await self._all(statement)]

    def _out(self, found: SQLModel) -> E:
        out: E = detached(self.model, found)
        return out


@contextmanager
def conflict_as(message: str) -> Any:
    """A unique violation in this block is a Conflict saying which value clashed."""
    try:
        yield
    except Conflict as exc:
        raise Conflict(message) from exc


def contains_text(q: str, *columns: Any) -> ColumnElement[bool]:
    """Case-insensitive substring over ``columns``, LIKE wildcards in ``q`` taken literally
    (lower() on both sides in SQL, so SQLite and Postgres fold the same way)."""
    pattern = sa.func.lower(like_pattern(q))
    return sa.or_(*(sa.func.lower(column).like(pattern, escape="\\") for column in columns))


def inside(box: BoundingBox, latitude: Any, longitude: Any) -> ColumnElement[bool]:
    """The box as index-friendly ranges; two longitude ranges across the antimeridian.
    A NULL coordinate is never inside."""
    return sa.and_(
        latitude.between(box.min_lat, box.max_lat),
        sa.or_(*(longitude.between(lo, hi) for lo, hi in box.lng_ranges)),
    )


class json_array_has(FunctionElement[bool]):
    """``value`` is an element of the JSON array in ``column``: exact, per dialect, so a
    tag holding a quote or a LIKE wildcard matches itself and nothing else."""

    type = sa.Boolean()
    inherit_cache = True
    name = "json_array_has"


@compiles(json_array_has, "postgresql")
def _json_array_has_pg(element: json_array_has, compiler: SQLCompiler, **kw: Any) -> str:
    column, value = list(element.clauses)
    return (
        f"(CAST({compiler.process(column, **kw)} AS JSONB) "
        f"@> jsonb_build_array(CAST({compiler.process(value, **kw)} AS TEXT)))"
    )


@compiles(json_array_has, "sqlite")
def _json_array_has_sqlite(element: json_array_has, compiler: SQLCompiler, **kw: Any) -> str:
    column, value = list(element.clauses)
    return (
        # Both parts are compiled SQL (a column and a bound parameter), never user text.
        f"EXISTS (SELECT 1 FROM json_each({compiler.process(column, **kw)}) "  # noqa: S608
        f"WHERE json_each.value = {compiler.process(value, **kw)})"
    )
