"""The orders report's world (issue 14, Speed): a company on Asia/Kolkata with a manager
and 20 reps, 2,000 contacts in four territories and 200,000 orders of one to three lines
spread over the last 365 local days (every status, so the report's filter has work).

People are made through the API (a throwaway server, as ``bench/plan_world.py`` does);
the orders are copied straight into Postgres.
"""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from bench.plan_world import PASSWORD, Company, _copy

REPS, CONTACTS, ORDERS, DAYS = 20, 2_000, 200_000, 365
ZONE = ZoneInfo("Asia/Kolkata")
STATUSES = ["PENDING", "APPROVED", "DISPATCHED", "DELIVERED", "REJECTED", "CANCELLED"]


def seed_reports(base: str, database_url: str) -> dict[str, Any]:
    """The people through the API, then the rows; the manager's token and the range."""
    firm = Company.register(base, "Reports")
    manager = firm.person("MANAGER", "reports-manager", password=PASSWORD)
    reps = [firm.person("SALES_REP", f"reports-rep-{i}", managerId=manager) for i in range(REPS)]
    token, company = firm.token("reports-manager"), firm.id()
    firm.client.close()
    today = datetime.now(ZONE).date()
    first = today - timedelta(days=DAYS - 1)
    url = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    asyncio.run(_rows(url, uuid.UUID(company), [uuid.UUID(r) for r in reps]))
    return {"manager": token, "from": first.isoformat(), "to": today.isoformat()}


async def _rows(url: str, company: uuid.UUID, reps: list[uuid.UUID]) -> None:
    rng = random.Random(14)
    now = datetime.now(UTC)
    stamp = {"company_id": company, "version": 1, "created_at": now, "updated_at": now}
    territories = [{"id": uuid.uuid4(), "name": f"Area {i}", "kind": "area", "rep_ids": "[]",
                    "field_versions": "{}", **stamp} for i in range(4)]  # fmt: skip
    contacts = [{"id": uuid.uuid4(), "type": "RETAILER", "owner_id": reps[i % REPS],
                 "territory_id": territories[i % 4]["id"], "name": f"Shop {i}", "tags": "[]",
                 "field_versions": "{}", **stamp} for i in range(CONTACTS)]  # fmt: skip
    products = [(uuid.uuid4(), f"SKU-{i}", f"Product {i}", 500 + 250 * i) for i in range(12)]
    orders = []
    for n in range(ORDERS):
        at = now - timedelta(seconds=rng.randrange(DAYS * 86_400 - 3600) + 60)
        lines = []
        for pid, sku, name, price in rng.sample(products, rng.randint(1, 3)):
            q = rng.randint(1, 9)
            tax = price * q * 18 // 100
            lines.append({"product_id": str(pid), "sku": sku, "name": name, "quantity": q,
                          "unit_price": price, "tax_rate_bp": 1800, "line_subtotal": price * q,
                          "line_tax": tax, "line_total": price * q + tax})  # fmt: skip
        subtotal = sum(x["line_subtotal"] for x in lines)
        tax = sum(x["line_tax"] for x in lines)
        contact = contacts[rng.randrange(CONTACTS)]
        orders.append({"id": uuid.uuid4(), "number": f"ORD-{n + 1:06d}",
                       "contact_id": contact["id"], "user_id": contact["owner_id"],
                       "status": rng.choice(STATUSES), "items": json.dumps(lines),
                       "currency": "INR", "subtotal": subtotal, "tax": tax,
                       "total": subtotal + tax, "amount_paid": 0, "field_versions": "{}",
                       **{**stamp, "created_at": at, "updated_at": at}})  # fmt: skip
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            for table, rows in (("territories", territories), ("contacts", contacts),
                                ("orders", orders)):  # fmt: skip
                await _copy(conn, table, rows)
            await conn.execute("UPDATE companies SET order_seq = $1 WHERE id = $2", ORDERS,
                               company)  # fmt: skip
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
