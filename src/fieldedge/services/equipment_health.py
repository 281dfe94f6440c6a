"""The equipment-health report (``EQUIPMENT_HEALTH``: a MANAGER their team's work, an
ADMIN the company's), per site, per equipment type and for the whole company.

Definitions (``docs/api.md`` works an example through):

- **machines**: the live equipment, counted by status. Machines are no team's (every
  role reads every one), so their counts are the company's for a MANAGER too.
- **failure**: a live CORRECTIVE work order on a machine that is not CANCELLED (a
  shutdown opens one), at its ``created_at``.
- **MTBF** (hours): the mean gap between a machine's consecutive failures, over every
  such gap in the group: Σ(last - first failure) / Σ(failures - 1), summed over the
  group's machines with two failures or more; ``None`` when there is no gap.
- **MTTR** (hours): the mean of ``completed_at - created_at`` over the group's COMPLETED
  failures; ``None`` when none is completed.
- **overdue preventive**: live PREVENTIVE work orders due before now and neither
  COMPLETED nor CANCELLED, counted under their site and their machine's type.

For a MANAGER the work-order figures count the work orders assigned to their team
(themselves included), as the other reports read a MANAGER's team; an ADMIN's count
every work order. The sums are one SQL statement (``WorkOrderRepository.health``);
this module only divides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.ports.database import Scope
from fieldedge.ports.work_orders import HealthGroup
from fieldedge.services.deps import Deps
from fieldedge.services.visibility import work_owners

HOUR_S = 3600.0


@dataclass(frozen=True, slots=True)
class Health:
    id: UUID | None  # the site's or the type's; None for the company's total
    name: str | None
    machines: int
    by_status: dict[str, int]
    failures: int
    repairs: int
    mtbf_hours: float | None
    mttr_hours: float | None
    overdue_preventive: int


@dataclass(frozen=True, slots=True)
class HealthReport:
    generated_at: datetime
    scope: str  # COMPANY or TEAM
    total: Health
    sites: list[Health]
    types: list[Health]


def _hours(seconds: float, count: int) -> float | None:
    return round(seconds / count / HOUR_S, 2) if count else None


def figures(group: HealthGroup | None, key: UUID | None = None) -> Health:
    g = group or HealthGroup("all", key, None, machines=0, operational=0, degraded=0, down=0,
                             retired=0, failures=0, gaps=0, gap_seconds=0.0, repairs=0,
                             repair_seconds=0.0, overdue_preventive=0)  # fmt: skip
    return Health(
        id=g.key, name=g.name, machines=g.machines,
        by_status={"OPERATIONAL": g.operational, "DEGRADED": g.degraded, "DOWN": g.down,
                   "RETIRED": g.retired},
        failures=g.failures, repairs=g.repairs, mtbf_hours=_hours(g.gap_seconds, g.gaps),
        mttr_hours=_hours(g.repair_seconds, g.repairs), overdue_preventive=g.overdue_preventive,
    )  # fmt: skip


def _ordered(groups: list[HealthGroup], dimension: str) -> list[Health]:
    chosen = [g for g in groups if g.dimension == dimension]
    return [figures(g) for g in sorted(chosen, key=lambda g: (g.name or "", str(g.key)))]


async def equipment_health(principal: Principal, deps: Deps) -> HealthReport:
    require(principal, Action.EQUIPMENT_HEALTH)
    now = deps.clock.now()
    async with deps.db.unit_of_work(Scope.tenant(principal.tenant)) as uow:
        team = await work_owners(uow, principal)
        groups = list(await uow.work_orders.health(now, team))
    total = next((g for g in groups if g.dimension == "all"), None)
    return HealthReport(
        generated_at=now, scope="COMPANY" if team is None else "TEAM",
        total=figures(total), sites=_ordered(groups, "site"), types=_ordered(groups, "type"),
    )  # fmt: skip
