"""``/api/v1/analytics``: the equipment-health report (``services/equipment_health``)."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from pydantic import Field
from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.guard import principal_of
from fieldedge.http.schemas import ResponseModel
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services.equipment_health import equipment_health

TAGS = ("analytics",)


class HealthOut(ResponseModel):
    id: UUID | None = Field(description="The site's or type's id; null for the total.")
    name: str | None
    machines: int = Field(description="Live equipment.")
    by_status: dict[str, int] = Field(description="OPERATIONAL, DEGRADED, DOWN, RETIRED.")
    failures: int = Field(description="Live CORRECTIVE work orders on machines, not CANCELLED.")
    repairs: int = Field(description="Those COMPLETED.")
    mtbf_hours: float | None = Field(
        description="Mean gap between a machine's consecutive failures (2 decimals)."
    )
    mttr_hours: float | None = Field(description="Mean completedAt - createdAt of repairs.")
    overdue_preventive: int = Field(description="PREVENTIVE, due before now, still open.")


class EquipmentHealthOut(ResponseModel):
    generated_at: dt.datetime
    scope: str = Field(description="COMPANY (an ADMIN) or TEAM (a MANAGER's team's work).")
    total: HealthOut
    sites: list[HealthOut]
    types: list[HealthOut]


async def equipment_health_route(request: Request) -> Response:
    report = await equipment_health(principal_of(request), deps_of(request))
    return ok(request, render(EquipmentHealthOut, report))


routes = [
    Resource(
        "/api/v1/analytics/equipment-health",
        {
            "GET": Operation(
                equipment_health_route,
                "Equipment health per site and type: status counts, MTBF, MTTR, overdue PM",
                response=EquipmentHealthOut,
                errors=(e.Forbidden,),
                tags=TAGS,
                rate_class="read",
            ),
        },
    ),
]
