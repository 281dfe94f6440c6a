"""The database: units of work over repositories, plus what health and startup ask of it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Self
from uuid import UUID

from fieldedge.domain.company import Company


@dataclass(frozen=True, slots=True)
class SchemaState:
    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


class CompanyRepository(Protocol):
    async def get(self, company_id: UUID) -> Company | None: ...

    async def add(self, company: Company) -> None: ...

    async def bump_change_counter(self, company_id: UUID) -> int:
        """Lock the tenant's row, add one to its change counter and return the new value.

        Every write transaction calls this once, so commit order is version order.
        """
        ...


class UnitOfWork(Protocol):
    """One transaction. Leaving the block without ``commit()`` rolls back."""

    @property
    def companies(self) -> CompanyRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc: object) -> None: ...

    async def commit(self) -> None: ...


class Database(Protocol):
    @property
    def name(self) -> str:
        """``sqlite`` or ``postgresql``."""
        ...

    def unit_of_work(self) -> UnitOfWork: ...

    async def ping(self) -> None: ...

    async def schema_state(self) -> SchemaState: ...

    async def close(self) -> None: ...
