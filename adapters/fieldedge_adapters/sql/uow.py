"""The unit of work: one transaction, its repositories, one ``commit``.

Nothing is sent until the first statement needs it (see ``conn``). ``commit`` writes what
is queued and stamps it (``Txn.finish``), then commits. A unit of work opened inside a
request transaction (``request_tx``) joins it: its ``commit`` stamps and writes but
leaves committing to the request; leaving one without committing after it wrote marks
the request transaction to roll back.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any, Self

from fieldedge.domain.idempotency import IdempotencyRecord
from fieldedge.ports.database import Scope
from fieldedge_adapters.sql.api_keys import SqlApiKeyRepository
from fieldedge_adapters.sql.attendance import SqlAttendanceRepository
from fieldedge_adapters.sql.audit import SqlAuditRepository
from fieldedge_adapters.sql.beats import SqlBeatRepository, SqlPlanRepository, SqlRouteRepository
from fieldedge_adapters.sql.companies import SqlCompanyRepository
from fieldedge_adapters.sql.contacts import SqlContactRepository
from fieldedge_adapters.sql.equipment import SqlEquipmentRepository, SqlEquipmentTypeRepository
from fieldedge_adapters.sql.expenses import SqlExpenseRepository
from fieldedge_adapters.sql.idempotency import SqlIdempotencyRepository
from fieldedge_adapters.sql.imports import SqlImportRepository
from fieldedge_adapters.sql.maintenance import SqlMaintenanceScheduleRepository
from fieldedge_adapters.sql.orders import SqlOrderRepository
from fieldedge_adapters.sql.outbox import SqlOutboxRepository
from fieldedge_adapters.sql.payments import SqlPaymentRepository
from fieldedge_adapters.sql.photos import SqlPhotoRepository
from fieldedge_adapters.sql.products import SqlProductRepository
from fieldedge_adapters.sql.reports import SqlReportRepository
from fieldedge_adapters.sql.sites import SqlSiteRepository
from fieldedge_adapters.sql.sync import SqlSyncRepository
from fieldedge_adapters.sql.targets import SqlTargetRepository
from fieldedge_adapters.sql.territories import SqlTerritoryRepository
from fieldedge_adapters.sql.tokens import SqlRefreshTokenRepository, SqlResetTokenRepository
from fieldedge_adapters.sql.txn import Txn
from fieldedge_adapters.sql.users import SqlUserRepository
from fieldedge_adapters.sql.visits import SqlVisitRepository
from fieldedge_adapters.sql.webhooks import SqlWebhookRepository
from fieldedge_adapters.sql.work_orders import (
    SqlChecklistTemplateRepository,
    SqlWorkOrderRepository,
)


class SqlUnitOfWork:
    def __init__(self, txn: Txn, *, joined: Txn | None = None) -> None:
        self._txn = txn
        self._joined = joined  # the request transaction's own state, when joining one
        self._repos: dict[type[Any], Any] = {}
        self._committed = False
        self._writes_before = txn.writes

    @property
    def scope(self) -> Scope:
        return self._txn.scope

    @property
    def txn(self) -> Txn:
        """For this adapter's own tools (the audit linker, tests of the stamping)."""
        return self._txn

    def _repo(self, kind: type[Any]) -> Any:
        repo = self._repos.get(kind)
        if repo is None:
            repo = self._repos[kind] = kind(self._txn, self._txn.scope)
        return repo

    @property
    def companies(self) -> SqlCompanyRepository:
        return self._repo(SqlCompanyRepository)  # type: ignore[no-any-return]

    @property
    def users(self) -> SqlUserRepository:
        return self._repo(SqlUserRepository)  # type: ignore[no-any-return]

    @property
    def refresh_tokens(self) -> SqlRefreshTokenRepository:
        return self._repo(SqlRefreshTokenRepository)  # type: ignore[no-any-return]

    @property
    def reset_tokens(self) -> SqlResetTokenRepository:
        return self._repo(SqlResetTokenRepository)  # type: ignore[no-any-return]

    @property
    def audit(self) -> SqlAuditRepository:
        return self._repo(SqlAuditRepository)  # type: ignore[no-any-return]

    @property
    def outbox(self) -> SqlOutboxRepository:
        return self._repo(SqlOutboxRepository)  # type: ignore[no-any-return]

    @property
    def idempotency(self) -> SqlIdempotencyRepository:
        return self._repo(SqlIdempotencyRepository)  # type: ignore[no-any-return]

    @property
    def contacts(self) -> SqlContactRepository:
        return self._repo(SqlContactRepository)  # type: ignore[no-any-return]

    @property
    def visits(self) -> SqlVisitRepository:
        return self._repo(SqlVisitRepository)  # type: ignore[no-any-return]

    @property
    def photos(self) -> SqlPhotoRepository:
        return self._repo(SqlPhotoRepository)  # type: ignore[no-any-return]

    @property
    def products(self) -> SqlProductRepository:
        return self._repo(SqlProductRepository)  # type: ignore[no-any-return]

    @property
    def orders(self) -> SqlOrderRepository:
        return self._repo(SqlOrderRepository)  # type: ignore[no-any-return]

    @property
    def payments(self) -> SqlPaymentRepository:
        return self._repo(SqlPaymentRepository)  # type: ignore[no-any-return]

    @property
    def attendance(self) -> SqlAttendanceRepository:
        return self._repo(SqlAttendanceRepository)  # type: ignore[no-any-return]

    @property
    def expenses(self) -> SqlExpenseRepository:
        return self._repo(SqlExpenseRepository)  # type: ignore[no-any-return]

    @property
    def territories(self) -> SqlTerritoryRepository:
        return self._repo(SqlTerritoryRepository)  # type: ignore[no-any-return]

    @property
    def targets(self) -> SqlTargetRepository:
        return self._repo(SqlTargetRepository)  # type: ignore[no-any-return]

    @property
    def beats(self) -> SqlBeatRepository:
        return self._repo(SqlBeatRepository)  # type: ignore[no-any-return]

    @property
    def plans(self) -> SqlPlanRepository:
        return self._repo(SqlPlanRepository)  # type: ignore[no-any-return]

    @property
    def routes(self) -> SqlRouteRepository:
        return self._repo(SqlRouteRepository)  # type: ignore[no-any-return]

    @property
    def api_keys(self) -> SqlApiKeyRepository:
        return self._repo(SqlApiKeyRepository)  # type: ignore[no-any-return]

    @property
    def webhooks(self) -> SqlWebhookRepository:
        return self._repo(SqlWebhookRepository)  # type: ignore[no-any-return]

    @property
    def sync(self) -> SqlSyncRepository:
        return self._repo(SqlSyncRepository)  # type: ignore[no-any-return]

    @property
    def sites(self) -> SqlSiteRepository:
        return self._repo(SqlSiteRepository)  # type: ignore[no-any-return]

    @property
    def equipment_types(self) -> SqlEquipmentTypeRepository:
        return self._repo(SqlEquipmentTypeRepository)  # type: ignore[no-any-return]

    @property
    def equipment(self) -> SqlEquipmentRepository:
        return self._repo(SqlEquipmentRepository)  # type: ignore[no-any-return]

    @property
    def checklist_templates(self) -> SqlChecklistTemplateRepository:
        return self._repo(SqlChecklistTemplateRepository)  # type: ignore[no-any-return]

    @property
    def work_orders(self) -> SqlWorkOrderRepository:
        return self._repo(SqlWorkOrderRepository)  # type: ignore[no-any-return]

    @property
    def maintenance_schedules(self) -> SqlMaintenanceScheduleRepository:
        return self._repo(SqlMaintenanceScheduleRepository)  # type: ignore[no-any-return]

    @property
    def imports(self) -> SqlImportRepository:
        return self._repo(SqlImportRepository)  # type: ignore[no-any-return]

    @property
    def reports(self) -> SqlReportRepository:
        return self._repo(SqlReportRepository)  # type: ignore[no-any-return]

    def savepoint(self) -> AbstractAsyncContextManager[None]:
        return self._txn.savepoint()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._joined is not None:
            wrote = self._txn.pending or self._txn.writes != self._writes_before
            if not self._committed and wrote:
                self._joined.poisoned = True
            return
        try:
            await self._txn.tx.close()  # rolls back unless committed; a no-op after commit
        except Exception:
            # Leaving on an error already: that error is the one to report, and a
            # failed rollback on a broken connection discards the transaction anyway.
            if exc[0] is None:
                raise

    async def commit(self) -> None:
        if self._txn.poisoned:
            raise RuntimeError("a unit of work joined to this transaction left unfinished")
        await self._txn.finish()
        if self._joined is None:
            await self._txn.tx.commit()
        self._committed = True

    async def commit_recording(self, record: IdempotencyRecord) -> bool:
        if self._joined is not None or self._txn.dialect != "postgresql":
            if not await self.idempotency.record(record):
                return False
            await self.commit()
            return True
        if self._txn.poisoned:
            raise RuntimeError("a unit of work joined to this transaction left unfinished")
        await self._txn.finish()  # every other write sent: the record goes last, with COMMIT
        self._committed = await self.idempotency.commit_recording(record)
        return self._committed
