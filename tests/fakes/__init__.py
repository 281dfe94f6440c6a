"""Test-only fakes of our ports.

``MemoryDatabase`` is the whole ``Database`` port in memory (its contract tests in
``tests/contract`` run it beside SQLite and Postgres, so it cannot drift); ``FakeDatabase``
only answers health questions; ``Switch`` turns a dependency off; ``FixedClock`` is a
clock that moves when told.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .database import MemoryDatabase, MemoryUnitOfWork
from .doubles import FakeDatabase, FixedClock, Switch

if TYPE_CHECKING:
    from fieldedge.ports.database import Database, UnitOfWork

    def _is_a_database(database: MemoryDatabase) -> Database:
        return database  # mypy checks the fake against the port

    def _is_a_unit_of_work(uow: MemoryUnitOfWork) -> UnitOfWork:
        return uow


__all__ = ["FakeDatabase", "FixedClock", "MemoryDatabase", "MemoryUnitOfWork", "Switch"]
