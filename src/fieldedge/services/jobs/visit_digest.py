"""``visit-digest``: every manager gets yesterday's team visits (in the company's time
zone) in one ``visit_digest`` email, with how many were verified and how many flagged.

A manager whose team made no visits gets no email (an empty digest is noise). Meant to
run once a day shortly after midnight in the companies' time zones; a second run sends
the same digest again.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from fieldedge.domain.company import Company
from fieldedge.domain.identity import Role, User
from fieldedge.domain.visits import Visit
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.ports.fieldforce import VisitQuery
from fieldedge.services.common import queue_email
from fieldedge.services.deps import Deps
from fieldedge.services.jobs.companies import email_every_company

PAGE = 500


def yesterday(now: datetime, zone: ZoneInfo) -> tuple[str, datetime, datetime]:
    """(local date, start, end) of yesterday in ``zone``, the bounds in UTC."""
    day = now.astimezone(zone).date() - timedelta(days=1)
    start = datetime.combine(day, time(0), tzinfo=zone)
    return day.isoformat(), start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


async def _visits(
    uow: UnitOfWork, team: frozenset[UUID], since: datetime, until: datetime
) -> list[Visit]:
    found: list[Visit] = []
    after: UUID | None = None
    while True:
        query = VisitQuery(after=after, limit=PAGE, user_ids=team, since=since, until=until)
        page = await uow.visits.list(query)
        found.extend(Visit.load(row) for row in page)
        if len(page) < PAGE:
            return sorted(found, key=lambda visit: visit.checked_in_at)
        after = found[-1].id


async def _names(uow: UnitOfWork, visits: list[Visit]) -> dict[UUID, str]:
    """Rep and contact names for the digest's lines, each looked up once."""
    names: dict[UUID, str] = {}
    for visit in visits:
        if visit.user_id not in names:
            user = await uow.users.get(visit.user_id)
            names[visit.user_id] = user.name if user else "?"
        if visit.contact_id not in names:
            contact = await uow.contacts.get(visit.contact_id, include_deleted=True)
            names[visit.contact_id] = contact.name if contact else "?"
    return names


async def _managers(uow: UnitOfWork) -> list[User]:
    return list(await uow.users.list(after=None, limit=PAGE, role=Role.MANAGER, active=True))


async def _digest_company(deps: Deps, company: Company) -> int:
    zone = ZoneInfo(company.timezone)
    date, since, until = yesterday(deps.clock.now(), zone)
    sent = 0
    async with deps.db.unit_of_work(Scope.tenant(company.id)) as uow:
        for manager in await _managers(uow):
            visits = await _visits(uow, await uow.users.team(manager.id), since, until)
            if not visits:
                continue
            names = await _names(uow, visits)
            verified = sum(1 for visit in visits if visit.verified)
            context: dict[str, Any] = {
                "name": manager.name,
                "date": date,
                "visitCount": len(visits),
                "verifiedCount": verified,
                "flaggedCount": len(visits) - verified,
                "visits": [
                    {
                        "at": f"{v.checked_in_at.astimezone(zone):%H:%M} {names[v.user_id]}",
                        "contact": names[v.contact_id],
                        "verified": v.verified,
                        "flags": [flag.value for flag in v.flags],
                    }
                    for v in visits
                ],
            }
            await queue_email(
                uow,
                deps,
                company_id=company.id,
                template="visit_digest",
                to=[manager.email],
                context=context,
            )
            sent += 1
        await uow.commit()
    return sent


async def visit_digest(deps: Deps) -> dict[str, Any]:
    return await email_every_company(deps, _digest_company)
