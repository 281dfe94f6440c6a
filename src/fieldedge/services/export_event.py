"""``POST /api/v1/company/export``: queued as an outbox event, built by the dispatcher.

The request only records an event of kind ``export`` (with the requesting admin) in the
same transaction as its audit entry, and answers 202 with the event's id. The dispatcher
(inline after the request, ``fieldedge outbox run``, or the scheduled Lambda) then runs
``run_export_event``: it builds the zip and queues an ``export_ready`` email with the
signed link to the admin, in a transaction of its own. A failure anywhere raises, and the
event is retried with the outbox's backoff; an export that ran but whose mark was lost
(a crash, a lease that ran out) runs again, so an admin may on rare days get two links.
"""

from __future__ import annotations

from uuid import UUID

from fieldedge.domain.access import Action, Principal, require
from fieldedge.domain.outbox import OutboxEvent
from fieldedge.errors import NotFound
from fieldedge.ports.database import Scope
from fieldedge.services.common import audit, queue_email, queue_task
from fieldedge.services.deps import Deps
from fieldedge.services.outbox.templates import TemplateError

KIND = "export"
# Mail can wait for retries, so the emailed link outlives the CLI's hour. (On S3 with
# temporary credentials, such as a Lambda role's, a link also ends with the session.)
EMAIL_LINK_TTL_S = 24 * 3600


async def request_export(principal: Principal, deps: Deps) -> OutboxEvent:
    """Queue an export of the caller's company; ADMIN only."""
    require(principal, Action.COMPANY_EXPORT)
    company_id = principal.tenant
    async with deps.db.unit_of_work(Scope.tenant(company_id)) as uow:
        event = await queue_task(
            uow,
            deps,
            company_id=company_id,
            kind=KIND,
            payload={"companyId": str(company_id), "requestedBy": str(principal.user_id)},
        )
        await audit(
            uow,
            deps,
            "company.export_requested",
            actor=principal,
            entity="company",
            entity_id=company_id,
            detail={"eventId": str(event.id)},
        )
        await uow.commit()
    return event


def _ids(event: OutboxEvent) -> tuple[UUID, UUID]:
    try:
        return UUID(str(event.payload["companyId"])), UUID(str(event.payload["requestedBy"]))
    except (KeyError, ValueError):
        raise TemplateError("an export event needs 'companyId' and 'requestedBy'") from None


async def run_export_event(event: OutboxEvent, deps: Deps) -> None:
    """The dispatcher's task for kind ``export``: build it, then mail the link."""
    from fieldedge.services.export import export_company  # zipfile et al.: not at cold start

    company_id, user_id = _ids(event)
    scope = Scope.tenant(company_id)
    async with deps.db.unit_of_work(scope) as uow:
        user = await uow.users.get(user_id)
        company = await uow.companies.get(company_id)
    if user is None or company is None or not user.active:
        raise TemplateError("the export's company or requesting user is gone")
    try:
        result = await export_company(
            company_id, deps, actor_id=user_id, link_ttl_s=EMAIL_LINK_TTL_S
        )
    except NotFound:
        raise TemplateError("the export's company is gone") from None
    async with deps.db.unit_of_work(scope) as uow:
        await queue_email(
            uow,
            deps,
            company_id=company_id,
            template="export_ready",
            to=[user.email],
            context={
                "name": user.name,
                "company": company.name,
                "link": result.url,
                "expiresInHours": EMAIL_LINK_TTL_S // 3600,
                "rowCount": sum(result.counts.values()),
            },
        )
        await uow.commit()
