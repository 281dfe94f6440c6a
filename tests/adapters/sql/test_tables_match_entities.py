"""Each entity of the core has its table in the SQL adapter, column for field.

The tables are declared apart from the entities (the core imports no ORM), so this holds
them together: every field has a column, a field that may be None has a nullable
column and one that may not has a NOT NULL one, and the only columns without a field
are the adapter's own bookkeeping, named here.
"""

from __future__ import annotations

import types
import typing
from typing import Any

import pytest

from fieldedge.domain.api_keys import ApiKey
from fieldedge.domain.attendance import AttendanceDay
from fieldedge.domain.audit import AuditEntry
from fieldedge.domain.base import Entity
from fieldedge.domain.company import Company
from fieldedge.domain.contacts import Contact
from fieldedge.domain.equipment import Equipment, EquipmentType
from fieldedge.domain.expenses import ExpenseClaim
from fieldedge.domain.idempotency import IdempotencyRecord
from fieldedge.domain.identity import PasswordResetToken, RefreshToken, User
from fieldedge.domain.imports import Import
from fieldedge.domain.maintenance import MaintenanceSchedule
from fieldedge.domain.orders import Order
from fieldedge.domain.outbox import OutboxEvent
from fieldedge.domain.payments import Payment
from fieldedge.domain.photos import VisitPhoto
from fieldedge.domain.products import Product
from fieldedge.domain.sites import Site
from fieldedge.domain.territories import Territory
from fieldedge.domain.visits import Visit
from fieldedge.domain.work_orders import ChecklistTemplate, WorkOrder
from fieldedge_adapters.sql import tables as t
from fieldedge_adapters.sql import tables_expenses as ex
from fieldedge_adapters.sql import tables_fieldforce as ff
from fieldedge_adapters.sql import tables_imports as tim
from fieldedge_adapters.sql import tables_integrations as ti
from fieldedge_adapters.sql import tables_service as sv
from fieldedge_adapters.sql import tables_territories as tt

PAIRS: list[tuple[type[Entity], Any, set[str]]] = [
    (Company, t.CompanyRow, {"change_counter", "order_seq", "audit_seq", "audit_head"}),
    (User, t.UserRow, set()),
    (RefreshToken, t.RefreshTokenRow, set()),
    (PasswordResetToken, t.PasswordResetTokenRow, set()),
    (AuditEntry, t.AuditRow, set()),
    (OutboxEvent, t.OutboxRow, set()),
    (IdempotencyRecord, t.IdempotencyRow, {"status"}),
    (Contact, ff.ContactRow, {"field_versions"}),
    (Visit, ff.VisitRow, {"field_versions"}),
    (VisitPhoto, ff.VisitPhotoRow, set()),
    (Product, ff.ProductRow, set()),
    (Order, ff.OrderRow, {"field_versions"}),
    (Payment, ff.PaymentRow, set()),
    (AttendanceDay, ff.AttendanceRow, {"field_versions"}),
    (ExpenseClaim, ex.ExpenseClaimRow, {"field_versions"}),
    (Territory, tt.TerritoryRow, {"field_versions"}),
    (Site, sv.SiteRow, {"field_versions"}),
    (EquipmentType, sv.EquipmentTypeRow, {"field_versions"}),
    (Equipment, sv.EquipmentRow, {"field_versions"}),
    (ChecklistTemplate, sv.ChecklistTemplateRow, {"field_versions"}),
    (WorkOrder, sv.WorkOrderRow, {"field_versions"}),
    (MaintenanceSchedule, sv.MaintenanceScheduleRow, {"field_versions"}),
    (ApiKey, ti.ApiKeyRow, set()),
    (Import, tim.ImportRow, set()),
]
# Stored NULL-able for the adapter's own reasons though the field never is None.
LOOSER = {("idempotency_keys", "response_status"), ("idempotency_keys", "response_body")}


def optional(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return optional(typing.get_args(annotation)[0])
    return origin in (typing.Union, types.UnionType) and type(None) in typing.get_args(annotation)


@pytest.mark.parametrize(("entity", "row", "own"), PAIRS, ids=[e.__name__ for e, _, _ in PAIRS])
def test_every_field_has_its_column(entity: type[Entity], row: Any, own: set[str]) -> None:
    table = row.__table__
    fields = entity.model_fields
    assert set(fields) <= set(table.c.keys()), set(fields) - set(table.c.keys())
    assert set(table.c.keys()) - set(fields) == own
    for name, info in fields.items():
        if (table.name, name) in LOOSER:
            continue
        assert table.c[name].nullable == optional(info.annotation), f"{table.name}.{name}"
