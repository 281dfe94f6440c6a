"""The equipment-health report as one statement: per machine the sums of its failures
(live CORRECTIVE work orders not CANCELLED) and repairs (the COMPLETED ones), beside the
overdue PREVENTIVE work per site and type, then summed per site, per type and for the
company (``UNION ALL`` of three ``GROUP BY``s: SQLite has no ``GROUPING SETS``).

A machine's failures are one group of the partial index ``ix_work_orders_failures``
(migration 0017: ``(company_id, equipment_id, created_at)`` over live CORRECTIVE rows);
the overdue preventive work is a range of ``ix_work_orders_company_id_kind_status_due_at``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from fieldedge.domain.equipment import EquipmentStatus
from fieldedge.domain.work_orders import FINAL, WorkOrderKind, WorkOrderStatus
from fieldedge.ports.work_orders import HealthGroup
from fieldedge_adapters.sql.repo import shape, table_of, tenant_filter
from fieldedge_adapters.sql.statements import any_of, seconds_between
from fieldedge_adapters.sql.tables_service import (
    EquipmentRow,
    EquipmentTypeRow,
    SiteRow,
    WorkOrderRow,
)

E, W = table_of(EquipmentRow), table_of(WorkOrderRow)
SITES, TYPES = table_of(SiteRow), table_of(EquipmentTypeRow)
_STATUSES = (
    EquipmentStatus.OPERATIONAL,
    EquipmentStatus.DEGRADED,
    EquipmentStatus.DOWN,
    EquipmentStatus.RETIRED,
)
# Inlined as SQL literals: the statement is compiled once per shape, with no expanding
# parameter (the statuses are the code's, never the caller's).
OPEN_STATUSES: list[Any] = [
    sa.literal_column(f"'{s.value}'") for s in WorkOrderStatus if s not in FINAL
]
_SUMS = ("failures", "gaps", "gap_seconds", "repairs", "repair_seconds", "overdue")


def _literal(value: str) -> Any:
    return sa.literal_column(f"'{value}'")  # the code's enums, never the caller's


@shape
def health_statement(team: bool, tenant: bool) -> Any:
    mine = [any_of(W.c.assignee_id, "team")] if team else []
    completed = W.c.status == _literal(WorkOrderStatus.COMPLETED)
    failures = (
        sa.select(
            W.c.equipment_id,
            sa.func.count().label("n"),
            seconds_between(sa.func.max(W.c.created_at), sa.func.min(W.c.created_at)).label("span"),
            sa.func.count(sa.case((completed, 1))).label("repairs"),
            sa.func.sum(
                sa.case((completed, seconds_between(W.c.completed_at, W.c.created_at)))
            ).label("repair_seconds"),
        )
        .where(
            *tenant_filter(W, tenant),
            W.c.deleted_at.is_(None),
            W.c.kind == _literal(WorkOrderKind.CORRECTIVE),
            W.c.equipment_id.is_not(None),
            W.c.status != _literal(WorkOrderStatus.CANCELLED),
            *mine,
        )
        .group_by(W.c.equipment_id)
        .cte("failures")
    )
    f = failures.c
    several = f.n > 1
    machines = (
        sa.select(
            E.c.site_id,
            E.c.type_id,
            E.c.status,
            sa.func.coalesce(f.n, 0).label("failures"),
            sa.case((several, f.n - 1), else_=0).label("gaps"),
            sa.case((several, f.span), else_=0.0).label("gap_seconds"),
            sa.func.coalesce(f.repairs, 0).label("repairs"),
            sa.func.coalesce(f.repair_seconds, 0.0).label("repair_seconds"),
            sa.literal(0).label("overdue"),
        )
        .select_from(E.outerjoin(failures, f.equipment_id == E.c.id))
        .where(*tenant_filter(E, tenant), E.c.deleted_at.is_(None))
    )
    machine_of = sa.and_(
        E.c.id == W.c.equipment_id, E.c.deleted_at.is_(None), *tenant_filter(E, tenant)
    )
    overdue = (
        sa.select(
            W.c.site_id,
            E.c.type_id,
            sa.cast(sa.null(), E.c.status.type),
            sa.literal(0),
            sa.literal(0),
            sa.literal(0.0),
            sa.literal(0),
            sa.literal(0.0),
            sa.func.count(),
        )
        .select_from(W.outerjoin(E, machine_of))
        .where(
            *tenant_filter(W, tenant),
            W.c.deleted_at.is_(None),
            W.c.kind == _literal(WorkOrderKind.PREVENTIVE),
            W.c.status.in_(OPEN_STATUSES),
            W.c.due_at < sa.bindparam("now", type_=W.c.due_at.type),
            *mine,
        )
        .group_by(W.c.site_id, E.c.type_id)
    )
    units = sa.union_all(machines, overdue).cte("units")
    u = units.c

    def figures(dimension: str, key: Any, name: Any) -> list[Any]:
        counts = [
            sa.func.sum(sa.case((u.status == _literal(s), 1), else_=0)).label(s.lower())
            for s in _STATUSES
        ]
        sums = [sa.func.sum(u[name_]).label(name_) for name_ in _SUMS]
        return [_literal(dimension).label("dimension"), key.label("key"), name.label("name"),
                sa.func.count(u.status).label("machines"), *counts, *sums]  # fmt: skip

    by_site = (
        sa.select(*figures("site", u.site_id, SITES.c.name))
        .select_from(
            units.join(SITES, sa.and_(SITES.c.id == u.site_id, *tenant_filter(SITES, tenant)))
        )
        .group_by(u.site_id, SITES.c.name)
    )
    by_type = (
        sa.select(*figures("type", u.type_id, TYPES.c.name))
        .select_from(
            units.join(TYPES, sa.and_(TYPES.c.id == u.type_id, *tenant_filter(TYPES, tenant)))
        )
        .group_by(u.type_id, TYPES.c.name)
    )
    everything = sa.select(
        *figures("all", sa.cast(sa.null(), u.site_id.type), sa.cast(sa.null(), SITES.c.name.type))
    ).select_from(units)
    return sa.union_all(by_site, by_type, everything)


def health_group(row: Any) -> HealthGroup:
    def number(name: str) -> int:
        return int(row[name] or 0)

    return HealthGroup(
        dimension=str(row["dimension"]),
        key=row["key"],
        name=row["name"],
        machines=number("machines"),
        operational=number("operational"),
        degraded=number("degraded"),
        down=number("down"),
        retired=number("retired"),
        failures=number("failures"),
        gaps=number("gaps"),
        gap_seconds=float(row["gap_seconds"] or 0.0),
        repairs=number("repairs"),
        repair_seconds=float(row["repair_seconds"] or 0.0),
        overdue_preventive=number("overdue"),
    )
