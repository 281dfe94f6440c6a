"""``fieldedge seed --demo`` makes a company worth clicking through: the people, 200
contacts in two cities, 40 products, a week of visits (some flagged), orders in every
status and payments, all written through the use cases; a second run adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fakes import FixedClock
from fieldedge.ports.database import Database
from fieldedge.services.demo.seed import seed_demo
from fixtures.app import make_deps
from fixtures.identity_api import Api


async def test_the_demo_company_has_a_week_of_field_work(db: Database, tmp_path: Path) -> None:
    clock = FixedClock(at=datetime(2026, 3, 9, 6, 0, tzinfo=UTC))
    deps = make_deps(tmp_path, db, clock=clock)
    api = Api(app=None, deps=deps, client=None, clock=clock)  # type: ignore[arg-type]
    try:
        created, people = await seed_demo(deps)
        again, _ = await seed_demo(deps)
    finally:
        await deps.kv.close()
        await deps.storage.close()
        await deps.mailer.close()
    assert (created, again, len(people)) == (True, False, 9)
    cities = await api.sql("SELECT city, count(*) FROM contacts GROUP BY city ORDER BY city")
    assert cities == [("Mumbai", 99), ("Pune", 101)]
    assert await api.sql("SELECT count(*) FROM products WHERE active") == [(40,)]
    visits = await api.sql("SELECT count(*), count(DISTINCT user_id) FROM visits")
    assert visits == [(210, 6)]
    verified = (await api.sql("SELECT count(*) FROM visits WHERE verified"))[0][0]
    assert 0 < verified < 210  # most verified, some flagged, none refused
    assert await api.sql("SELECT count(*) FROM visits WHERE checked_out_at IS NULL") == [(0,)]
    statuses = {row[0] for row in await api.sql("SELECT DISTINCT status FROM orders")}
    assert statuses == {"PENDING", "APPROVED", "REJECTED", "DISPATCHED", "DELIVERED", "CANCELLED"}
    numbers = [row[0] for row in await api.sql("SELECT number FROM orders ORDER BY number")]
    assert numbers == [f"ORD-{n:06d}" for n in range(1, 43)]
    paid = await api.sql(
        "SELECT count(*) FROM orders WHERE amount_paid > 0 AND amount_paid < total"
    )
    settled = await api.sql("SELECT count(*) FROM orders WHERE amount_paid = total")
    assert paid[0][0] > 0
    assert settled[0][0] > 0
    assert await api.sql("SELECT count(*) FROM payments") == [(15,)]
    days = await api.sql("SELECT count(*), count(DISTINCT user_id) FROM attendance_days")
    assert days == [(42, 6)]  # every rep, every day of the week
    forgotten = await api.sql(
        "SELECT count(*) FROM attendance_days WHERE punched_out_at IS NULL"
        " OR CAST(flags AS TEXT) LIKE '%AUTO_CLOSED%'"
    )
    assert forgotten == [(6,)]  # one a week each: still open, or closed by the next day
    worked = await api.sql(
        "SELECT min(visit_count), max(visit_count), min(worked_minutes) FROM attendance_days"
        " WHERE CAST(flags AS TEXT) NOT LIKE '%AUTO_CLOSED%' AND punched_out_at IS NOT NULL"
    )
    assert worked == [(5, 5, 540)]
    beats = await api.sql("SELECT count(*), count(DISTINCT user_id) FROM beats")
    assert beats == [(12, 6)]  # two per rep
    plans = await api.sql("SELECT count(*), min(start_date), max(end_date) FROM plans")
    assert [(n, str(lo), str(hi)) for n, lo, hi in plans] == [(12, "2026-03-02", "2026-03-16")]
    assert await api.sql("SELECT count(*) FROM beat_stops") == [(96,)]
