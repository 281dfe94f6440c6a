"""``maintenance``: every active company's preventive maintenance schedules make the work
orders due (``services.maintenance_run``). Hourly, because companies' days start at
different UTC hours; safe to run twice or on two machines at once (each occurrence's
work order is inserted if absent under a unique key). A run that met more missed
occurrences than ``MAINTENANCE_CATCHUP_CAP`` says so: ``capped`` lists each schedule and
machine with how many it skipped."""

from __future__ import annotations

from typing import Any

from fieldedge.services.deps import Deps
from fieldedge.services.jobs.companies import active_companies
from fieldedge.services.maintenance_run import RunReport, run_company

MAX_LISTED = 50  # capped (schedule, machine) pairs the report lists; ``skipped`` counts all


async def maintenance(deps: Deps) -> dict[str, Any]:
    cap = deps.settings.maintenance_catchup_cap
    companies = 0
    total = RunReport()
    async for company in active_companies(deps):
        companies += 1
        total.add(await run_company(deps, company, cap))
    return {
        "companies": companies, "schedules": total.schedules, "created": total.created,
        "existing": total.existing, "skipped": total.skipped, "cap": cap,
        "capped": total.capped[:MAX_LISTED],
    }  # fmt: skip
