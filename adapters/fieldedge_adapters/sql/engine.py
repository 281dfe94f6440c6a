"""What an engine builder hands the database: the engine plus per-transaction setup.

``TransactionSetup`` is the seam for transaction-scoped state: each runs on the
connection right after a unit of work's transaction begins (``SET LOCAL …``), so it
holds on a transaction pooler where session state would leak between clients. The
pooled Postgres builder uses it for ``statement_timeout``; on Postgres every unit of
work adds its scope (``set_config('app.company_id', …, true)``, see ``scoping.py``) for
row-level security the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

TransactionSetup = Callable[[Connection], None]


@dataclass(frozen=True, slots=True)
class EngineOptions:
    pool_size: int = 5
    max_overflow: int = 5
    pool_timeout_s: float = 5.0
    connect_timeout_s: float = 5.0
    statement_timeout_ms: int = 15_000
    # Migrations: no statement timeout, and on SQLite no foreign-key enforcement while
    # batch mode copies tables (the pragma cannot change inside a transaction).
    for_migrations: bool = False


@dataclass(frozen=True, slots=True)
class EngineSpec:
    engine: AsyncEngine
    name: str
    transaction_setup: tuple[TransactionSetup, ...] = ()
