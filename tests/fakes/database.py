"""``MemoryDatabase``: the whole ``Database`` port in memory, for use cases tested as use
cases. The contract suite (``tests/contract``) runs it beside SQLite and Postgres.

A unit of work is one ``MemoryTxn``; a unit of work of the same scope opened inside a
``request_transaction`` (in the same task) joins the request's transaction: its
``commit`` stamps and writes into it but publishes nothing, and leaving it without
committing after it wrote anything makes the request's ``commit`` refuse, so nothing of
the request is kept.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Self

from fieldedge.domain.idempotency import IdempotencyRecord
from fieldedge.ports.database import SchemaState, Scope

from .api_keys import MemoryApiKeyRepository
from .audit import MemoryAuditRepository
from .beats import MemoryBeatRepository, MemoryPlanRepository, MemoryRouteRepository
from .doubles import FakeDatabase, Switch
from .expenses import MemoryExpenseRepository
from .fieldday import MemoryAttendanceRepository
from .fieldforce import (
    MemoryContactRepository,
    MemoryOrderRepository,
    MemoryPaymentRepository,
    MemoryPhotoRepository,
    MemoryProductRepository,
    MemoryVisitRepository,
)
from .identity import (
    MemoryCompanyRepository,
    MemoryRefreshTokenRepository,
    MemoryResetTokenRepository,
    MemoryUserRepository,
)
from .imports import MemoryImportRepository
from .outbox import MemoryIdempotencyRepository, MemoryOutboxRepository
from .reports import MemoryReportRepository
from .service import (
    MemoryChecklistTemplateRepository,
    MemoryEquipmentRepository,
    MemoryEquipmentTypeRepository,
    MemoryMaintenanceScheduleRepository,
    MemorySiteRepository,
    MemoryWorkOrderRepository,
)
from .store import Store
from .sync import MemorySyncRepository
from .targets import MemoryTargetRepository
from .territories import MemoryTerritoryRepository
from .txn import MemoryTxn
from .webhooks import MemoryWebhookRepository


class MemoryUnitOfWork:
    def __init__(self, txn: MemoryTxn, *, joined: bool = False) -> None:
        self.txn = txn
        self._joined = joined
        self._repos: dict[type[Any], Any] = {}
        self._committed = False
        self._writes = txn.writes

    @property
    def scope(self) -> Scope:
        return self.txn.scope

    def _repo(self, kind: type[Any]) -> Any:
        repo = self._repos.get(kind)
        if repo is None:
            repo = self._repos[kind] = kind(self.txn)
        return repo

    @property
    def companies(self) -> MemoryCompanyRepository:
        return self._repo(MemoryCompanyRepository)  # type: ignore[no-any-return]

    @property
    def users(self) -> MemoryUserRepository:
        return self._repo(MemoryUserRepository)  # type: ignore[no-any-return]

    @property
    def refresh_tokens(self) -> MemoryRefreshTokenRepository:
        return self._repo(MemoryRefreshTokenRepository)  # type: ignore[no-any-return]

    @property
    def reset_tokens(self) -> MemoryResetTokenRepository:
        return self._repo(MemoryResetTokenRepository)  # type: ignore[no-any-return]

    @property
    def audit(self) -> MemoryAuditRepository:
        return self._repo(MemoryAuditRepository)  # type: ignore[no-any-return]

    @property
    def outbox(self) -> MemoryOutboxRepository:
        return self._repo(MemoryOutboxRepository)  # type: ignore[no-any-return]

    @property
    def idempotency(self) -> MemoryIdempotencyRepository:
        return self._repo(MemoryIdempotencyRepository)  # type: ignore[no-any-return]

    @property
    def contacts(self) -> MemoryContactRepository:
        return self._repo(MemoryContactRepository)  # type: ignore[no-any-return]

    @property
    def visits(self) -> MemoryVisitRepository:
        return self._repo(MemoryVisitRepository)  # type: ignore[no-any-return]

    @property
    def photos(self) -> MemoryPhotoRepository:
        return self._repo(MemoryPhotoRepository)  # type: ignore[no-any-return]

    @property
    def products(self) -> MemoryProductRepository:
        return self._repo(MemoryProductRepository)  # type: ignore[no-any-return]

    @property
    def orders(self) -> MemoryOrderRepository:
        return self._repo(MemoryOrderRepository)  # type: ignore[no-any-return]

    @property
    def payments(self) -> MemoryPaymentRepository:
        return self._repo(MemoryPaymentRepository)  # type: ignore[no-any-return]

    @property
    def attendance(self) -> MemoryAttendanceRepository:
        return self._repo(MemoryAttendanceRepository)  # type: ignore[no-any-return]

    @property
    def expenses(self) -> MemoryExpenseRepository:
        return self._repo(MemoryExpenseRepository)  # type: ignore[no-any-return]

    @property
    def territories(self) -> MemoryTerritoryRepository:
        return self._repo(MemoryTerritoryRepository)  # type: ignore[no-any-return]

    @property
    def targets(self) -> MemoryTargetRepository:
        return self._repo(MemoryTargetRepository)  # type: ignore[no-any-return]

    @property
    def beats(self) -> MemoryBeatRepository:
        return self._repo(MemoryBeatRepository)  # type: ignore[no-any-return]

    @property
    def plans(self) -> MemoryPlanRepository:
        return self._repo(MemoryPlanRepository)  # type: ignore[no-any-return]

    @property
    def routes(self) -> MemoryRouteRepository:
        return self._repo(MemoryRouteRepository)  # type: ignore[no-any-return]

    @property
    def api_keys(self) -> MemoryApiKeyRepository:
        return self._repo(MemoryApiKeyRepository)  # type: ignore[no-any-return]

    @property
    def webhooks(self) -> MemoryWebhookRepository:
        return self._repo(MemoryWebhookRepository)  # type: ignore[no-any-return]

    @property
    def sync(self) -> MemorySyncRepository:
        return self._repo(MemorySyncRepository)  # type: ignore[no-any-return]

    @property
    def sites(self) -> MemorySiteRepository:
        return self._repo(MemorySiteRepository)  # type: ignore[no-any-return]

    @property
    def equipment_types(self) -> MemoryEquipmentTypeRepository:
        return self._repo(MemoryEquipmentTypeRepository)  # type: ignore[no-any-return]

    @property
    def equipment(self) -> MemoryEquipmentRepository:
        return self._repo(MemoryEquipmentRepository)  # type: ignore[no-any-return]

    @property
    def checklist_templates(self) -> MemoryChecklistTemplateRepository:
        return self._repo(MemoryChecklistTemplateRepository)  # type: ignore[no-any-return]

    @property
    def work_orders(self) -> MemoryWorkOrderRepository:
        return self._repo(MemoryWorkOrderRepository)  # type: ignore[no-any-return]

    @property
    def maintenance_schedules(self) -> MemoryMaintenanceScheduleRepository:
        return self._repo(MemoryMaintenanceScheduleRepository)  # type: ignore[no-any-return]

    @property
    def imports(self) -> MemoryImportRepository:
        return self._repo(MemoryImportRepository)  # type: ignore[no-any-return]

    @property
    def reports(self) -> MemoryReportRepository:
        return self._repo(MemoryReportRepository)  # type: ignore[no-any-return]

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        return self.txn.savepoint()

    async def __aenter__(self) -> Self:
        self._writes = self.txn.writes
        return self

    async def __aexit__(self, *exc: object) -> None:
        if not self._joined:
            self.txn.end()  # rolls back unless committed; a no-op after commit
        elif not self._committed and self.txn.writes != self._writes:
            self.txn.poisoned = True

    async def commit(self) -> None:
        if not self._joined:
            await self.txn.commit()
        elif self.txn.poisoned:
            raise RuntimeError("a unit of work joined to this transaction left unfinished")
        else:
            await self.txn.finish()
            self._writes = self.txn.writes
        self._committed = True

    async def commit_recording(self, record: IdempotencyRecord) -> bool:
        if not await self.idempotency.record(record):
            return False
        await self.commit()
        return True


@dataclass
class _Ambient:
    database: MemoryDatabase
    txn: MemoryTxn
    open: bool = True


_current: ContextVar[_Ambient | None] = ContextVar("fakes_request_transaction", default=None)


class MemoryDatabase:
    """Every repository of the port over dicts. Health answers come from ``health`` (a
    ``FakeDatabase``): ``database.switch.down = True`` makes every call unavailable."""

    name = "memory"

    def __init__(
        self, *, lock_timeout_s: float = 5.0, current: str | None = "head", head: str = "head"
    ) -> None:
        self.store = Store(lock_timeout_s=lock_timeout_s)
        self.health = FakeDatabase(name=self.name, current=current, head=head)

    @property
    def switch(self) -> Switch:
        return self.health.switch

    def _txn(self, scope: Scope) -> MemoryTxn:
        return MemoryTxn(self.store, scope, self.switch)

    def unit_of_work(self, scope: Scope) -> MemoryUnitOfWork:
        ambient = _current.get()
        if ambient and ambient.open and ambient.database is self and ambient.txn.scope == scope:
            return MemoryUnitOfWork(ambient.txn, joined=True)
        return MemoryUnitOfWork(self._txn(scope))

    @asynccontextmanager
    async def request_transaction(self, scope: Scope) -> AsyncIterator[MemoryUnitOfWork]:
        async with MemoryUnitOfWork(self._txn(scope)) as uow:
            ambient = _Ambient(self, uow.txn)
            token = _current.set(ambient)
            try:
                yield uow
            finally:
                ambient.open = False  # a task spawned during the request must not join later
                _current.reset(token)

    async def ping(self) -> None:
        await self.health.ping()

    async def schema_state(self) -> SchemaState:
        return await self.health.schema_state()

    async def close(self) -> None:
        await self.health.close()
