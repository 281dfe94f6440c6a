"""``payment-reminders``: one ``payment_reminder`` email per rep listing the orders of
theirs that still owe money.

Policy (kept simple on purpose): an order is outstanding when it is APPROVED, DISPATCHED
or DELIVERED, has a balance due, and was approved more than ``REMIND_AFTER`` ago. The
job is meant to run once a day, so every outstanding balance is reminded once per run;
it records nothing per order, and a second run the same day sends the same reminders.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any
from uuid import UUID

from fieldedge.domain.company import Company
from fieldedge.domain.orders import Order, OrderStatus
from fieldedge.ports.database import Scope, UnitOfWork
from fieldedge.ports.fieldforce import OrderQuery
from fieldedge.services.common import queue_email
from fieldedge.services.deps import Deps
from fieldedge.services.jobs.companies import email_every_company
from fieldedge.services.orders import format_money

REMIND_AFTER = timedelta(days=7)
PAYABLE = frozenset({OrderStatus.APPROVED, OrderStatus.DISPATCHED, OrderStatus.DELIVERED})
PAGE = 500


async def _outstanding(uow: UnitOfWork, deps: Deps) -> dict[UUID, list[Order]]:
    cutoff = deps.clock.now() - REMIND_AFTER
    by_rep: dict[UUID, list[Order]] = defaultdict(list)
    after: UUID | None = None
    while True:
        page = await uow.orders.list(OrderQuery(after=after, limit=PAGE, with_balance=True))
        for order in (Order.load(row) for row in page):
            taken = order.approved_at or order.created_at
            if OrderStatus(order.status) in PAYABLE and order.balance_due > 0 and taken < cutoff:
                by_rep[order.user_id].append(order)
        if len(page) < PAGE:
            return by_rep
        after = page[-1]["id"]


async def _remind_company(deps: Deps, company: Company) -> int:
    sent = 0
    base = deps.settings.app_base_url.rstrip("/")
    async with deps.db.unit_of_work(Scope.tenant(company.id)) as uow:
        for rep_id, orders in (await _outstanding(uow, deps)).items():
            rep = await uow.users.get(rep_id)
            if rep is None or not rep.active:
                continue  # a manager chases a departed rep's orders from the list
            due = sum(order.balance_due for order in orders)
            context: dict[str, Any] = {
                "name": rep.name,
                "orderNumber": ", ".join(order.number or "" for order in orders),
                "balanceDue": format_money(due, company.currency),
                "balanceDueMinor": due,
                "currency": company.currency,
                "orderCount": len(orders),
                "orders": [
                    {"number": o.number, "balanceDue": o.balance_due, "id": str(o.id)}
                    for o in orders
                ],
                "link": f"{base}/orders?userId={rep.id}&withBalance=true",
            }
            await queue_email(
                uow,
                deps,
                company_id=company.id,
                template="payment_reminder",
                to=[rep.email],
                context=context,
            )
            sent += 1
        await uow.commit()
    return sent


async def payment_reminders(deps: Deps) -> dict[str, Any]:
    return await email_every_company(deps, _remind_company)
