"""``/api/v1/company`` (settings), ``/api/v1/audit`` (the log), ``/api/v1/admin/companies``."""

from __future__ import annotations

from uuid import UUID

from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.http.body import read_json, read_query
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.fields import Time
from fieldedge.http.guard import principal_of
from fieldedge.http.lists import ListQuery, page_response
from fieldedge.http.paths import path_id
from fieldedge.http.routes.identity_schemas import (
    AuditEntryOut,
    CompanyOut,
    CompanyStatusBody,
    UpdateCompanyBody,
)
from fieldedge.http.schemas import ResponseModel
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services.company.audit_log import AuditFilter, list_audit
from fieldedge.services.company.platform import list_companies, set_company_status
from fieldedge.services.company.settings import UpdateCompany, get_company, update_company
from fieldedge.services.export_event import request_export


class AuditQuery(ListQuery):
    action: str | None = None
    actor_id: UUID | None = None
    entity: str | None = None
    entity_id: UUID | None = None
    since: Time | None = None
    until: Time | None = None


class ExportQueuedOut(ResponseModel):
    """The outbox event that will build the export and mail its link."""

    event_id: UUID
    status: str = "queued"


async def get_route(request: Request) -> Response:
    company = await get_company(principal_of(request), deps_of(request))
    return ok(request, render(CompanyOut, company))


async def update_route(request: Request) -> Response:
    body = await read_json(request, UpdateCompanyBody)
    company = await update_company(
        principal_of(request), UpdateCompany(**body.model_dump()), deps_of(request)
    )
    return ok(request, render(CompanyOut, company))


async def export_route(request: Request) -> Response:
    event = await request_export(principal_of(request), deps_of(request))
    return ok(request, ExportQueuedOut(event_id=event.id), status=202)


async def audit_route(request: Request) -> Response:
    query = read_query(request, AuditQuery)
    filters = AuditFilter(
        action=query.action,
        actor_id=query.actor_id,
        entity=query.entity,
        entity_id=query.entity_id,
        since=query.since,
        until=query.until,
    )
    page = await list_audit(
        principal_of(request), filters, query.cursor, query.limit, deps_of(request)
    )
    return page_response(request, page, AuditEntryOut, query.fields)


async def admin_list_route(request: Request) -> Response:
    query = read_query(request, ListQuery)
    page = await list_companies(principal_of(request), query.cursor, query.limit, deps_of(request))
    return page_response(request, page, CompanyOut, query.fields)


async def admin_update_route(request: Request) -> Response:
    body = await read_json(request, CompanyStatusBody)
    company = await set_company_status(
        principal_of(request), path_id(request), body.status, deps_of(request)
    )
    return ok(request, render(CompanyOut, company))


_FORBIDDEN = (e.Forbidden,)

routes = [
    Resource(
        "/api/v1/company",
        {
            "GET": Operation(
                get_route,
                "The company's settings (every member)",
                ("company",),
                response=CompanyOut,
                rate_class="read",
                errors=_FORBIDDEN,  # a platform SUPER_ADMIN is no member
            ),
            "PATCH": Operation(
                update_route,
                "Change the company's settings (ADMIN)",
                ("company",),
                body=UpdateCompanyBody,
                response=CompanyOut,
                rate_class="write",
                errors=_FORBIDDEN,
            ),
        },
    ),
    Resource(
        "/api/v1/company/export",
        {
            "POST": Operation(
                export_route,
                "Export every table of the company; the link is emailed to the caller (ADMIN)",
                ("company",),
                response=ExportQueuedOut,
                status=202,
                rate_class="write",
                errors=_FORBIDDEN,
            ),
        },
    ),
    Resource(
        "/api/v1/audit",
        {
            "GET": Operation(
                audit_route,
                "The company's audit log, newest first (ADMIN)",
                ("company",),
                query=AuditQuery,
                response=AuditEntryOut,
                many=True,
                rate_class="read",
                errors=_FORBIDDEN,
            ),
        },
    ),
    Resource(
        "/api/v1/admin/companies",
        {
            "GET": Operation(
                admin_list_route,
                "Every company (SUPER_ADMIN)",
                ("platform",),
                query=ListQuery,
                response=CompanyOut,
                many=True,
                rate_class="read",
                errors=_FORBIDDEN,
            ),
        },
    ),
    Resource(
        "/api/v1/admin/companies/{id}",
        {
            "PATCH": Operation(
                admin_update_route,
                "Suspend or reactivate a company (SUPER_ADMIN)",
                ("platform",),
                body=CompanyStatusBody,
                response=CompanyOut,
                rate_class="write",
                errors=(e.Forbidden, e.NotFound),
            ),
        },
    ),
]
