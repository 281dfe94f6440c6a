"""The daily jobs over real data: payment reminders per rep and the managers' visit
digest, run by name through the jobs registry, leave their emails in the outbox."""

from __future__ import annotations

from fieldedge_handlers.jobs import run_job
from fieldforce.order_world import Shop, build_shop, shop_api_fixture, shop_fixture

__all__ = ["shop_api_fixture", "shop_fixture"]  # fixtures this module uses
TOTAL = 8549
DAY = 86_400


async def test_payment_reminders_list_each_reps_old_balances(shop: Shop) -> None:
    part_paid = await shop.order("rep_a1")
    delivered = await shop.order("rep_a1")
    pending = await shop.order("rep_a2")
    settled = await shop.order("rep_b1")
    for order in (part_paid, delivered):
        assert (await shop.move("mgr_a", order["id"], "APPROVED")).status_code == 200
    await shop.move("admin", delivered["id"], "DISPATCHED")
    await shop.move("admin", delivered["id"], "DELIVERED")
    await shop.move("mgr_b", settled["id"], "APPROVED")
    paid = {"orderId": part_paid["id"], "amount": 1000, "method": "CASH"}
    assert (await shop.post("rep_a1", "/api/v1/payments", paid)).status_code == 201
    full = {"orderId": settled["id"], "amount": TOTAL, "method": "UPI"}
    assert (await shop.post("rep_b1", "/api/v1/payments", full)).status_code == 201
    shop.api.clock.advance(8 * DAY)
    await shop.relogin()
    recent = await shop.order("rep_b1")  # approved today: not yet worth a reminder
    await shop.move("mgr_b", recent["id"], "APPROVED")
    assert pending["status"] == "PENDING"

    report = await run_job("payment-reminders", shop.api.deps)

    assert report == {"job": "payment-reminders", "companies": 1, "emails": 1}
    (mail,) = await shop.api.outbox("payment_reminder")
    assert mail["to"] == [shop.emails["rep_a1"]]
    context = mail["context"]
    assert context["orderNumber"] == "ORD-000001, ORD-000002"
    assert context["balanceDueMinor"] == 2 * TOTAL - 1000
    assert context["balanceDue"] == "INR 160.98"
    assert [o["balanceDue"] for o in context["orders"]] == [TOTAL - 1000, TOTAL]


async def test_payment_reminders_reach_every_company(shop: Shop) -> None:
    other = await build_shop(shop.api, company="Other Co")
    for s in (shop, other):
        order = await s.order("rep_b1")
        await s.move("mgr_b", order["id"], "APPROVED")
    shop.api.clock.advance(8 * DAY)
    report = await run_job("payment-reminders", shop.api.deps)
    assert (report["companies"], report["emails"]) == (2, 2)
    mails = await shop.api.outbox("payment_reminder")
    assert sorted(m["to"][0] for m in mails) == sorted(
        [shop.emails["rep_b1"], other.emails["rep_b1"]]
    )


async def _check_in(shop: Shop, rep: str, *, lat: float, lng: float) -> None:
    body = {"contactId": shop.contacts[rep], "latitude": lat, "longitude": lng, "accuracyM": 12}
    response = await shop.post(rep, "/api/v1/visits", body)
    assert response.status_code == 201, response.text


async def test_visit_digest_goes_to_each_manager_with_yesterdays_team_visits(shop: Shop) -> None:
    located = shop.contacts["rep_a1"]
    await shop.api.sql(
        "UPDATE contacts SET latitude = 18.5204, longitude = 73.8567 WHERE id = :id RETURNING id",
        id=located if shop.api.deps.db.name == "postgresql" else located.replace("-", ""),
    )
    await _check_in(shop, "rep_a1", lat=18.5205, lng=73.8567)  # at the contact: verified
    await _check_in(shop, "rep_a2", lat=18.6, lng=73.9)  # contact never pinned: flagged
    shop.api.clock.advance(DAY)
    await shop.relogin()
    await _check_in(shop, "rep_b1", lat=19.07, lng=72.87)  # today: tomorrow's digest

    report = await run_job("visit-digest", shop.api.deps)

    assert report == {"job": "visit-digest", "companies": 1, "emails": 1}
    (mail,) = await shop.api.outbox("visit_digest")
    assert mail["to"] == [shop.emails["mgr_a"]]
    context = mail["context"]
    assert (context["visitCount"], context["verifiedCount"], context["flaggedCount"]) == (2, 1, 1)
    assert [v["contact"] for v in context["visits"]] == [
        f"Shop of {shop.names['rep_a1']}",
        f"Shop of {shop.names['rep_a2']}",
    ]
    assert [v["verified"] for v in context["visits"]] == [True, False]
    assert context["visits"][1]["flags"] == ["NO_CONTACT_LOCATION"]
