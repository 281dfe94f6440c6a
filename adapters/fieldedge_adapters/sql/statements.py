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

from fieldedge.domain.geo import EARTH_RADIUS_M, BoundingBox


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


class tags_have(json_array_has):
    """``json_array_has`` for contacts' tags: on Postgres over their elements as a
    ``text[]`` (``fe_tags``, migration 0020), which its GIN index serves and ``ANALYZE``
    keeps element statistics for, so a rare tag and a common one get different plans."""

    inherit_cache = True


@compiles(json_array_has, "postgresql")
def _json_array_has_pg(element: json_array_has, compiler: SQLCompiler, **kw: Any) -> str:
    column, value = (compiler.process(clause, **kw) for clause in element.clauses)
    if isinstance(element, tags_have):
        return f"(fe_tags({column}) @> ARRAY[CAST({value} AS TEXT)])"
    return f"(CAST({column} AS JSONB) @> jsonb_build_array(CAST({value} AS TEXT)))"


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


class distance_m(FunctionElement[float]):
    """Haversine metres from (``lat``, ``lng``) columns to a point given as parameters:
    spelled out on Postgres (no extension needed), the core's ``haversine_m`` on SQLite
    (installed on each connection by ``sqlite.py``). NULL for a contact without a fix."""

    inherit_cache = True
    type = sa.Float()


@compiles(distance_m, "postgresql")
def _distance_m_pg(element: distance_m, compiler: SQLCompiler, **kw: Any) -> str:
    lat2, lng2, lat1, lng1 = (compiler.process(c, **kw) for c in element.clauses)
    # The same steps as domain.geo.haversine_m, so both measure alike to the last bits.
    a = (
        f"power(sin((radians({lat2}) - radians({lat1})) / 2), 2) + cos(radians({lat1})) "
        f"* cos(radians({lat2})) * power(sin(radians({lng2} - {lng1}) / 2), 2)"
    )
    return f"(2 * {EARTH_RADIUS_M!r} * asin(sqrt(least(1.0, {a}))))"


@compiles(distance_m, "sqlite")
def _distance_m_sqlite(element: distance_m, compiler: SQLCompiler, **kw: Any) -> str:
    lat2, lng2, lat1, lng1 = (compiler.process(c, **kw) for c in element.clauses)
    return f"distance_m({lat2}, {lng2}, {lat1}, {lng1})"


class in_rows_of(FunctionElement[bool]):
    """``column`` among the rows of a one-column ``select``. On Postgres spelled
    ``= ANY(ARRAY(select))``: an array the planner can hand to an index beside an OR's
    other side (``IN (select)`` would make it walk the table by id, filtering each row);
    ``IN (select)`` on SQLite."""

    inherit_cache = True
    type = sa.Boolean()


@compiles(in_rows_of, "postgresql")
def _in_rows_of_pg(element: in_rows_of, compiler: SQLCompiler, **kw: Any) -> str:
    column, rows = list(element.clauses)
    return f"{compiler.process(column, **kw)} = ANY(ARRAY({compiler.process(rows.element, **kw)}))"


@compiles(in_rows_of, "sqlite")
def _in_rows_of_sqlite(element: in_rows_of, compiler: SQLCompiler, **kw: Any) -> str:
    column, rows = list(element.clauses)
    # The bare select: ``IN ((SELECT …))`` would be a one-value list, its first row only.
    return f"{compiler.process(column, **kw)} IN ({compiler.process(rows.element, **kw)})"


class seconds_between(FunctionElement[float]):
    """``later - earlier`` in seconds (a float): ``EXTRACT(EPOCH …)`` on Postgres,
    ``julianday`` arithmetic on SQLite (which keeps UTC times as text)."""

    inherit_cache = True
    type = sa.Float()


@compiles(seconds_between, "postgresql")
def _seconds_between_pg(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"EXTRACT(EPOCH FROM ({later} - {earlier}))::float8"


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"
