"""Statements are SQLAlchemy Core, built once per shape and compiled once per dialect.

Repositories build their statements with Core constructs and named ``bindparam``s, in
functions memoised by the statement's shape (which filters are present), so each shape
is one long-lived object. On Postgres the connection compiles it once to the text and
positional parameters asyncpg runs (see ``pg.py``); on SQLite SQLAlchemy runs it.

``any_of`` is "column in this list" spelled for each dialect: ``= ANY($1)`` with one
array parameter on Postgres (one prepared statement whatever the list's length), an
expanding ``IN (…)`` on SQLite.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from fieldedge.domain.geo import BoundingBox


class _AnyOf(FunctionElement[bool]):
    inherit_cache = True
    type = sa.Boolean()


def any_of(column: Any, name: str) -> ColumnElement[bool]:
    """``column`` equals one of the list passed as parameter ``name``."""
    return _AnyOf(column, sa.bindparam(name))


@compiles(_AnyOf, "postgresql")
def _any_of_postgres(element: _AnyOf, compiler: SQLCompiler, **kw: Any) -> str:
    column, param = list(element.clauses)
    return f"{compiler.process(column, **kw)} = ANY({compiler.process(param, **kw)})"


@compiles(_AnyOf, "sqlite")
def _any_of_sqlite(element: _AnyOf, compiler: SQLCompiler, **kw: Any) -> str:
    column, param = list(element.clauses)
    expanding = sa.bindparam(param.key, expanding=True, type_=column.type)
    return compiler.process(column.in_(expanding), **kw)


class json_array_has(FunctionElement[bool]):
    """True when a JSON array column holds ``value`` (tags): JSONB containment on
    Postgres, ``json_each`` on SQLite."""

    inherit_cache = True
    type = sa.Boolean()


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


def like_pattern(text: str) -> str:
    """``%text%`` with LIKE's own wildcards escaped (the escape character is ``\\``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains_text(name: str, *columns: Any) -> ColumnElement[bool]:
    """Case-insensitive substring over ``columns`` of the pattern bound as ``name`` (made
    by ``like_pattern``); lower() on both sides, so SQLite and Postgres fold the same."""
    pattern = sa.func.lower(sa.bindparam(name, type_=sa.String()))
    return sa.or_(*(sa.func.lower(column).like(pattern, escape="\\") for column in columns))


class typed_param(FunctionElement[Any]):
    """A bound parameter that stands alone in a select list (a row of a literal table):
    cast to its type on Postgres, which cannot infer it there; as is on SQLite, whose
    ``CAST(… AS DATE)`` would turn a date into a number."""

    inherit_cache = True

    def __init__(self, name: str, type_: Any) -> None:
        super().__init__(sa.bindparam(name, type_=type_))
        self.type = type_


@compiles(typed_param, "postgresql")
def _typed_param_pg(element: typed_param, compiler: SQLCompiler, **kw: Any) -> str:
    (param,) = list(element.clauses)
    type_sql = compiler.dialect.type_compiler_instance.process(element.type)
    return f"CAST({compiler.process(param, **kw)} AS {type_sql})"


@compiles(typed_param, "sqlite")
def _typed_param_sqlite(element: typed_param, compiler: SQLCompiler, **kw: Any) -> str:
    (param,) = list(element.clauses)
    return compiler.process(param, **kw)


def in_box(table: sa.Table, ranges: int) -> ColumnElement[bool]:
    """A ``?near=`` bounding box as index-friendly ranges over ``latitude``/``longitude``
    (``ranges`` longitude ranges: two across the antimeridian); a NULL coordinate is never
    inside. Its parameters are ``box_params``."""
    lng = [
        table.c.longitude.between(sa.bindparam(f"lng{i}_lo"), sa.bindparam(f"lng{i}_hi"))
        for i in range(ranges)
    ]
    return sa.and_(
        table.c.latitude.between(sa.bindparam("lat_lo"), sa.bindparam("lat_hi")), sa.or_(*lng)
    )


def box_params(box: BoundingBox | None) -> dict[str, Any]:
    """The bound values ``in_box`` reads (none without a box)."""
    if box is None:
        return {}
    params: dict[str, Any] = {"lat_lo": box.min_lat, "lat_hi": box.max_lat}
    for i, (lo, hi) in enumerate(box.lng_ranges):
        params[f"lng{i}_lo"], params[f"lng{i}_hi"] = lo, hi
    return params
