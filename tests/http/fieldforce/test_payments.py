"""Payments over HTTP on every backend: partial and full, refusals that write nothing,
``amountPaid``/``balanceDue`` on the order, and who sees which payment."""

from __future__ import annotations

from datetime import timedelta, timezone

import httpx
import pytest

from fieldforce.order_world import Shop, build_shop, shop_api_fixture, shop_fixture

__all__ = ["shop_api_fixture", "shop_fixture"]  # fixtures this module uses
TOTAL = 8549  # the standard order of order_world


async def pay(
    shop: Shop, who: str, order_id: str, amount: object, **body: object
) -> httpx.Response:
    payload = {"orderId": order_id, "amount": amount, "method": "UPI", **body}
    return await shop.post(who, "/api/v1/payments", payload)


async def test_partial_then_full_payment_updates_the_order(shop: Shop) -> None:
    order = await shop.order()
    await shop.move("mgr_a", order["id"], "APPROVED")
    first = await pay(shop, "rep_a1", order["id"], 5000, reference="UPI-123", notes="Advance")
    assert first.status_code == 201, first.text
    payment = first.json()["data"]
    assert (payment["amount"], payment["method"], payment["reference"]) == (5000, "UPI", "UPI-123")
    assert payment["userId"] == shop.ids["rep_a1"]
    assert payment["receivedAt"] == shop.api.clock.now().isoformat().replace("+00:00", "Z")
    read = (await shop.get("rep_a1", f"/api/v1/orders/{order['id']}")).json()["data"]
    assert (read["amountPaid"], read["balanceDue"]) == (5000, TOTAL - 5000)
    assert read["version"] == payment["version"]  # stamped in the same transaction
    second = await pay(shop, "mgr_a", order["id"], TOTAL - 5000, method="CASH")
    assert second.status_code == 201
    read = (await shop.get("rep_a1", f"/api/v1/orders/{order['id']}")).json()["data"]
    assert (read["amountPaid"], read["balanceDue"]) == (TOTAL, 0)
    audit = await shop.api.sql("SELECT count(*) FROM audit_log WHERE action = 'payment.recorded'")
    assert audit == [(2,)]
    settled = await shop.get("admin", "/api/v1/orders", withBalance="true")
    assert settled.json()["data"] == []


async def test_a_pending_order_takes_an_advance(shop: Shop) -> None:
    order = await shop.order()
    earlier = (shop.api.clock.now() - timedelta(days=2)).replace(hour=9, minute=30)
    sent = earlier.astimezone(timezone(timedelta(hours=5, minutes=30))).isoformat()
    response = await pay(shop, "rep_a1", order["id"], 100, receivedAt=sent)
    assert response.status_code == 201
    assert response.json()["data"]["receivedAt"] == earlier.isoformat().replace("+00:00", "Z")


async def _refused(shop: Shop, response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert await shop.count("payments") == 0
    assert (await shop.api.sql("SELECT amount_paid FROM orders"))[0] == (0,)


async def test_overpayment_is_422(shop: Shop) -> None:
    order = await shop.order()
    response = await pay(shop, "rep_a1", order["id"], TOTAL + 1)
    await _refused(shop, response, 422, "VALIDATION_ERROR")
    assert "amount" in response.json()["error"]["details"]


@pytest.mark.parametrize("status", ["CANCELLED", "REJECTED"])
async def test_no_payment_on_a_dead_order(shop: Shop, status: str) -> None:
    order = await shop.order()
    await shop.move("admin", order["id"], status)
    await _refused(shop, await pay(shop, "rep_a1", order["id"], 100), 409, "CONFLICT")


BAD_BODIES = {
    "zero": {"amount": 0},
    "negative": {"amount": -5},
    "decimal": {"amount": 10.5},
    "string amount": {"amount": "100"},
    "unknown method": {"method": "BITCOIN"},
    "naive time": {"receivedAt": "2026-01-02T09:30:00"},
    "a date only": {"receivedAt": "2026-01-02"},
    "unix seconds": {"receivedAt": 1767434400},
    "unix seconds as text": {"receivedAt": "1767434400"},
    "year 1, no UTC form": {"receivedAt": "0001-01-01T00:00:00+05:00"},
    "year 1": {"receivedAt": "0001-01-01T00:00:00Z"},
    "years ahead": {"receivedAt": "9999-12-31T23:59:59Z"},
    "NUL in the reference": {"reference": "UPI\u0000123"},
    "unknown field": {"currency": "INR"},
}


@pytest.mark.parametrize("case", BAD_BODIES, ids=list(BAD_BODIES))
async def test_bad_payment_bodies_are_422(shop: Shop, case: str) -> None:
    order = await shop.order()
    body = {"amount": 100, **BAD_BODIES[case]}
    amount = body.pop("amount")
    response = await pay(shop, "rep_a1", order["id"], amount, **body)
    await _refused(shop, response, 422, "VALIDATION_ERROR")


async def test_a_receipt_dated_days_ahead_is_422(shop: Shop) -> None:
    order = await shop.order()
    ahead = (shop.api.clock.now() + timedelta(days=3)).isoformat()
    response = await pay(shop, "rep_a1", order["id"], 100, receivedAt=ahead)
    await _refused(shop, response, 422, "VALIDATION_ERROR")


async def test_another_reps_or_companys_order_is_404(shop: Shop) -> None:
    order = await shop.order("rep_a1")
    for who in ("rep_a2", "mgr_b"):
        await _refused(shop, await pay(shop, who, order["id"], 100), 404, "NOT_FOUND")
    other = await build_shop(shop.api, company="Other Co")
    response = await pay(other, "admin", order["id"], 100)
    await _refused(shop, response, 404, "NOT_FOUND")


async def test_who_sees_which_payment_and_filters(shop: Shop) -> None:
    a1 = await shop.order("rep_a1")
    b1 = await shop.order("rep_b1")
    p_a1 = (await pay(shop, "rep_a1", a1["id"], 100)).json()["data"]
    p_b1 = (await pay(shop, "rep_b1", b1["id"], 200, method="CASH")).json()["data"]

    async def listed(who: str, **params: object) -> list[str]:
        response = await shop.get(who, "/api/v1/payments", **params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["data"]]

    assert await listed("rep_a1") == [p_a1["id"]]
    assert await listed("mgr_a") == [p_a1["id"]]
    assert await listed("mgr_b") == [p_b1["id"]]
    assert await listed("admin") == [p_a1["id"], p_b1["id"]]
    assert await listed("admin", method="CASH") == [p_b1["id"]]
    assert await listed("admin", orderId=a1["id"]) == [p_a1["id"]]
    assert await listed("admin", userId=shop.ids["rep_b1"]) == [p_b1["id"]]
    assert await listed("mgr_a", userId=shop.ids["rep_b1"]) == []
    assert (await shop.get("admin", "/api/v1/payments", method="BITCOIN")).status_code == 422
    own = await shop.get("rep_a1", f"/api/v1/payments/{p_a1['id']}")
    assert own.json()["data"]["amount"] == 100
    for who in ("rep_a1", "mgr_a"):
        hidden = await shop.get(who, f"/api/v1/payments/{p_b1['id']}")
        assert hidden.status_code == 404
    assert (await shop.get("admin", "/api/v1/payments/not-a-uuid")).status_code == 404
