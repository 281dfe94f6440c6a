"""Where the migrations live, and the head and current revision read without Alembic.

Startup checks the schema on every cold start (a Lambda's included), and importing
Alembic (with Mako) costs more than a hundred milliseconds, so the head is read from the
revision files' ``revision``/``down_revision`` assignments with ``ast`` and the current
revision straight from ``alembic_version``. A test holds this equal to Alembic's answer.
"""

from __future__ import annotations

import ast
import importlib.util
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from fieldedge.errors import ConfigError
from fieldedge.ports.database import Scope
from fieldedge_adapters.sql.conn import Source

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

VERSION_TABLE = "alembic_version"


def script_location() -> Path:
    """``migrations/`` of a source checkout, else the copy the wheel ships."""
    candidates = [Path(__file__).resolve().parents[3] / "migrations"]
    spec = importlib.util.find_spec("fieldedge_handlers")  # finds, does not import
    if spec is not None and spec.submodule_search_locations:
        candidates += [Path(p) / "migrations" for p in spec.submodule_search_locations]
    for candidate in candidates:
        if (candidate / "env.py").is_file():
            return candidate
    raise ConfigError(f"migrations not found (looked in {', '.join(map(str, candidates))})")


def _assignments(path: Path) -> dict[str, object]:
    found: dict[str, object] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        target = value = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
            found[target.id] = ast.literal_eval(value)  # type: ignore[arg-type]
    return found


@cache
def script_head(location: Path | None = None) -> str:
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted((location or script_location()).joinpath("versions").glob("*.py")):
        names = _assignments(path)
        if isinstance(names.get("revision"), str):
            revisions.add(str(names["revision"]))
            down = names.get("down_revision")
            parents.update([down] if isinstance(down, str) else list(down or ()))  # type: ignore[call-overload]
    heads = revisions - parents
    if len(heads) != 1:
        raise ConfigError(f"migrations: expected one head, found {sorted(heads) or 'none'}")
    return heads.pop()


async def current_revision_of(source: Source) -> str | None:
    """The revision ``alembic_version`` holds, through the app's own connections (a
    cold start must not load Alembic or an SQLAlchemy engine to ask)."""
    tx = source.transaction(Scope.system(), lock_timeout_ms=None, read_only=True)
    try:
        if source.dialect == "postgresql":
            found = await tx.raw("SELECT to_regclass('alembic_version') IS NOT NULL AS t")
        else:
            found = await tx.raw(
                "SELECT count(*) > 0 AS t FROM sqlite_master WHERE name = 'alembic_version'"
            )
        if not found or not found[0]["t"]:
            return None
        rows = await tx.raw("SELECT version_num FROM alembic_version")
        return str(rows[0]["version_num"]) if rows else None
    finally:
        await tx.close()


def current_revision(connection: Connection) -> str | None:
    from sqlalchemy import inspect, text

    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
