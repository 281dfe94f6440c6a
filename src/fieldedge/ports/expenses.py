"""The expense-claim repository. Tenant-bound like every repository; ``user_ids``
narrows to what the caller may see (``None``: all of the tenant's)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from fieldedge.domain.expenses import ExpenseClaim, ExpenseStatus
from fieldedge.ports.records import Record


@dataclass(frozen=True, slots=True)
class ExpenseQuery:
    after: UUID | None = None
    limit: int = 20
    user_ids: Collection[UUID] | None = None
    status: ExpenseStatus | None = None


class ExpenseRepository(Protocol):
    async def get(
        self, claim_id: UUID, *, include_deleted: bool = False, lock: bool = False
    ) -> ExpenseClaim | None: ...

    async def add(self, claim: ExpenseClaim) -> None: ...

    async def save(self, claim: ExpenseClaim) -> None: ...

    async def list(self, query: ExpenseQuery) -> Sequence[Record]: ...
