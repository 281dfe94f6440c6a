"""``attendance-close``: every working day left open past its company's end of day is
closed for its rep (``AUTO_CLOSED``). Hourly, because companies' days end at different
UTC hours; a second run finds nothing left to close."""

from __future__ import annotations

from typing import Any

from fieldedge.services.attendance import close_overdue
from fieldedge.services.deps import Deps
from fieldedge.services.jobs.companies import active_companies


async def attendance_close(deps: Deps) -> dict[str, Any]:
    companies = closed = 0
    async for company in active_companies(deps):
        companies += 1
        closed += await close_overdue(deps, company)
    return {"companies": companies, "closed": closed}
