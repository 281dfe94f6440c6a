"""Orders over HTTP on every backend: server pricing, refusals that write nothing, who
sees which order, and the status machine with its approval emails."""

from __future__ import annotations

import uuid

import pytest

from fieldforce.order_world import Shop, build_shop, shop_api_fixture, shop_fixture

__all__ = ["shop_api_fixture", "shop_fixture"]  # fixtures this module uses

PEN, PAD = "PEN", "PAD"
# 2 x 1250 at 18 % = 2500 + 450; 1 x 4999 at 12 % = 4999 + 599.88 -> 600 (half-up per line)
SUBTOTAL, TAX, TOTAL = 7499, 1050, 8549


async def test_the_server_prices_numbers_and_snapshots_an_order(shop: Shop) -> None:
    order = await shop.order(notes="Deliver before noon", total=TOTAL)
    assert order["number"] == "ORD-000001"
    assert order["status"] == "PENDING"
    assert order["userId"] == shop.ids["rep_a1"]
    assert (order["subtotal"], order["tax"], order["total"]) == (SUBTOTAL, TAX, TOTAL)
    assert (order["amountPaid"], order["balanceDue"], order["currency"]) == (0, TOTAL, "INR")
    pen, pad = order["items"]
    assert (pen["sku"], pen["unitPrice"], pen["taxRateBp"], pen["lineTotal"]) == (
        "PEN",
        1250,
        1800,
        2950,
    )
    assert (pad["lineSubtotal"], pad["lineTax"], pad["lineTotal"]) == (4999, 600, 5599)
    assert order["version"] > 0
    assert order["notes"] == "Deliver before noon"
    again = await shop.order()
    assert again["number"] == "ORD-000002"
    rows = await shop.api.sql("SELECT number, total, version FROM orders ORDER BY number")
    assert [(r[0], r[1]) for r in rows] == [("ORD-000001", TOTAL), ("ORD-000002", TOTAL)]
    assert rows[1][2] > rows[0][2]  # each write took the next tenant version
    audit = await shop.api.sql("SELECT count(*) FROM audit_log WHERE action = 'order.created'")
    assert audit == [(2,)]


async def test_a_price_change_leaves_a_taken_order_alone(shop: Shop) -> None:
    order = await shop.order()
    await shop.api.sql("UPDATE products SET unit_price = 99999 WHERE sku = 'PEN' RETURNING id")
    read = await shop.get("rep_a1", f"/api/v1/orders/{order['id']}")
    assert read.json()["data"]["items"][0]["unitPrice"] == 1250
    assert read.json()["data"]["total"] == TOTAL


def _body(shop: Shop, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "contactId": shop.contacts["rep_a1"],
        "items": [{"productId": shop.products[PEN], "quantity": 1}],
    }
    return body | changes


BAD_ORDERS = {
    "total disagrees": (lambda s: _body(s, total=1), "total"),
    "unknown product": (
        lambda s: _body(s, items=[{"productId": str(uuid.uuid4()), "quantity": 1}]),
        "items.0.productId",
    ),
    "inactive product": (
        lambda s: _body(s, items=[{"productId": s.products["OLD"], "quantity": 1}]),
        "items.0.productId",
    ),
    "quantity 0": (
        lambda s: _body(s, items=[{"productId": s.products[PEN], "quantity": 0}]),
        "items.0.quantity",
    ),
    "quantity over 100000": (
        lambda s: _body(s, items=[{"productId": s.products[PEN], "quantity": 100_001}]),
        "items.0.quantity",
    ),
    "fractional quantity": (
        lambda s: _body(s, items=[{"productId": s.products[PEN], "quantity": 1.5}]),
        "items.0.quantity",
    ),
    "decimal total": (lambda s: _body(s, total=29.5), "total"),
    "no items": (lambda s: _body(s, items=[]), "items"),
    "unknown contact": (lambda s: _body(s, contactId=str(uuid.uuid4())), "contactId"),
    "another rep's contact": (lambda s: _body(s, contactId=s.contacts["rep_a2"]), "contactId"),
    "unknown field": (lambda s: _body(s, discount=10), "discount"),
}


@pytest.mark.parametrize("case", BAD_ORDERS, ids=list(BAD_ORDERS))
async def test_a_bad_order_is_refused_and_nothing_is_written(shop: Shop, case: str) -> None:
    make, field = BAD_ORDERS[case]
    versions = await shop.api.sql("SELECT change_counter FROM companies")
    response = await shop.post("rep_a1", "/api/v1/orders", make(shop))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert field in error["details"], error
    assert await shop.count("orders") == 0
    assert await shop.api.sql("SELECT change_counter FROM companies") == versions
    assert await shop.api.sql("SELECT count(*) FROM audit_log WHERE entity = 'order'") == [(0,)]


async def test_a_rep_sees_own_orders_a_manager_the_team_an_admin_all(shop: Shop) -> None:
    a1 = await shop.order("rep_a1")
    a2 = await shop.order("rep_a2")
    b1 = await shop.order("rep_b1")

    async def listed(who: str, **params: object) -> list[str]:
        response = await shop.get(who, "/api/v1/orders", **params)
        assert response.status_code == 200, response.text
        return [item["number"] for item in response.json()["data"]]

    assert await listed("rep_a1") == [a1["number"]]
    assert await listed("mgr_a") == [a1["number"], a2["number"]]
    assert await listed("mgr_b") == [b1["number"]]
    assert await listed("admin") == [a1["number"], a2["number"], b1["number"]]
    assert await listed("mgr_a", userId=shop.ids["rep_a2"]) == [a2["number"]]
    assert await listed("mgr_a", userId=shop.ids["rep_b1"]) == []  # outside the team
    assert await listed("admin", contactId=shop.contacts["rep_b1"]) == [b1["number"]]
    for who, order in (("rep_a2", a1), ("mgr_b", a1), ("rep_a1", b1)):
        got = await shop.get(who, f"/api/v1/orders/{order['id']}")
        moved = await shop.move(who, order["id"], "CANCELLED")
        assert (got.status_code, moved.status_code) == (404, 404)
        assert got.json()["error"]["code"] == "NOT_FOUND"
    assert (await shop.get("mgr_a", f"/api/v1/orders/{a2['id']}")).status_code == 200


async def test_list_filters_pages_and_trims(shop: Shop) -> None:
    first = await shop.order()
    await shop.order()
    await shop.order()
    assert (await shop.move("mgr_a", first["id"], "APPROVED")).status_code == 200
    approved = await shop.get("admin", "/api/v1/orders", status="APPROVED")
    assert [o["id"] for o in approved.json()["data"]] == [first["id"]]
    page = await shop.get("admin", "/api/v1/orders", limit=2, fields="number,balanceDue")
    body = page.json()
    assert body["data"] == [
        {"number": "ORD-000001", "balanceDue": TOTAL},
        {"number": "ORD-000002", "balanceDue": TOTAL},
    ]
    assert body["pagination"]["hasMore"] is True
    rest = await shop.get("admin", "/api/v1/orders", cursor=body["pagination"]["nextCursor"])
    assert [o["number"] for o in rest.json()["data"]] == ["ORD-000003"]
    bad = await shop.get("admin", "/api/v1/orders", status="SHIPPED")
    assert bad.status_code == 422
    assert "status" in bad.json()["error"]["details"]


async def test_another_company_sees_no_order(shop: Shop) -> None:
    order = await shop.order()
    other = await build_shop(shop.api, company="Other Co")
    for who in ("admin", "rep_a1"):
        got = await other.get(who, f"/api/v1/orders/{order['id']}")
        assert got.status_code == 404
        assert (await other.move(who, order["id"], "CANCELLED")).status_code == 404
    listed = await other.get("admin", "/api/v1/orders")
    assert listed.json()["data"] == []


async def test_the_full_happy_path_of_an_order(shop: Shop) -> None:
    order = await shop.order()
    approved = await shop.move("mgr_a", order["id"], "APPROVED")
    assert approved.status_code == 200, approved.text
    data = approved.json()["data"]
    assert (data["status"], data["approvedBy"]) == ("APPROVED", shop.ids["mgr_a"])
    assert data["approvedAt"].endswith("Z")
    assert data["version"] > order["version"]
    dispatched = await shop.move("admin", order["id"], "DISPATCHED")
    assert dispatched.json()["data"]["dispatchedAt"] is not None
    delivered = await shop.move("mgr_a", order["id"], "DELIVERED")
    assert delivered.json()["data"]["status"] == "DELIVERED"
    actions = await shop.api.sql("SELECT action FROM audit_log WHERE entity = 'order' ORDER BY seq")
    assert [row[0] for row in actions] == [
        "order.created",
        "order.approved",
        "order.dispatched",
        "order.delivered",
    ]


async def test_reject_and_cancel_keep_who_and_why(shop: Shop) -> None:
    rejected = await shop.move("admin", (await shop.order())["id"], "REJECTED", reason="Dup")
    assert rejected.status_code == 200
    data = rejected.json()["data"]
    assert (data["status"], data["rejectedBy"], data["rejectionReason"]) == (
        "REJECTED",
        shop.ids["admin"],
        "Dup",
    )
    own = await shop.move("rep_a1", (await shop.order())["id"], "CANCELLED", reason="Typo")
    assert (own.json()["data"]["status"], own.json()["data"]["cancelReason"]) == (
        "CANCELLED",
        "Typo",
    )
    approved = (await shop.order())["id"]
    await shop.move("mgr_a", approved, "APPROVED")
    by_manager = await shop.move("mgr_a", approved, "CANCELLED")
    assert by_manager.json()["data"]["cancelledBy"] == shop.ids["mgr_a"]


FORBIDDEN_MOVES = [  # who, status -> 403 on a fresh PENDING order of rep_a1
    ("rep_a1", "APPROVED"),
    ("rep_a1", "REJECTED"),
    ("rep_a1", "DISPATCHED"),
]


@pytest.mark.parametrize(("who", "status"), FORBIDDEN_MOVES)
async def test_a_rep_may_not_decide_or_fulfil(shop: Shop, who: str, status: str) -> None:
    order = await shop.order()
    response = await shop.move(who, order["id"], status)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN"
    row = await shop.api.sql("SELECT status, version FROM orders")
    assert row == [("PENDING", order["version"])]


async def test_only_the_reps_own_manager_approves(shop: Shop) -> None:
    own = await shop.order("mgr_a", contactId=shop.contacts["rep_b1"])  # a manager's own order
    response = await shop.move("mgr_a", own["id"], "APPROVED")
    assert response.status_code == 403
    assert (await shop.move("admin", own["id"], "APPROVED")).status_code == 200


INVALID_MOVES = [  # path to reach, then the refused move
    ([], "DISPATCHED"),
    ([], "DELIVERED"),
    ([], "PENDING"),
    (["APPROVED"], "APPROVED"),
    (["APPROVED"], "REJECTED"),
    (["REJECTED"], "APPROVED"),
    (["CANCELLED"], "APPROVED"),
    (["APPROVED", "DISPATCHED"], "CANCELLED"),
    (["APPROVED", "DISPATCHED", "DELIVERED"], "CANCELLED"),
]


@pytest.mark.parametrize(("path", "target"), INVALID_MOVES)
async def test_moves_the_machine_does_not_have(shop: Shop, path: list[str], target: str) -> None:
    order = await shop.order()
    for status in path:
        assert (await shop.move("admin", order["id"], status)).status_code == 200
    before = await shop.api.sql("SELECT status, version FROM orders")
    response = await shop.move("admin", order["id"], target)
    assert response.status_code == 409, response.text
    assert response.json()["error"]["code"] == "INVALID_STATE_TRANSITION"
    assert await shop.api.sql("SELECT status, version FROM orders") == before


async def test_bad_patch_bodies(shop: Shop) -> None:
    order = await shop.order()
    path = f"/api/v1/orders/{order['id']}"
    for body in ({}, {"status": "SHIPPED"}, {"status": "APPROVED", "reason": "x"}, {"total": 1}):
        response = await shop.patch("admin", path, body)
        assert response.status_code == 422, (body, response.text)


async def test_notes_change_only_while_pending_and_only_by_the_rep(shop: Shop) -> None:
    order = await shop.order()
    path = f"/api/v1/orders/{order['id']}"
    edited = await shop.patch("rep_a1", path, {"notes": "Ring the bell"})
    assert edited.status_code == 200
    assert edited.json()["data"]["notes"] == "Ring the bell"
    assert (await shop.patch("mgr_a", path, {"notes": "x"})).status_code == 403
    await shop.move("mgr_a", order["id"], "APPROVED")
    locked = await shop.patch("rep_a1", path, {"notes": "Too late"})
    assert locked.status_code == 409
    assert (await shop.api.sql("SELECT notes FROM orders")) == [("Ring the bell",)]


async def test_approval_emails_the_rep_and_the_contact(shop: Shop) -> None:
    with_email = await shop.order("rep_a1")
    without = await shop.order("rep_a2")
    await shop.move("mgr_a", with_email["id"], "APPROVED")
    await shop.move("mgr_a", without["id"], "APPROVED")
    mails = await shop.api.outbox("order_approved")
    assert [mail["to"] for mail in mails] == [
        [shop.emails["rep_a1"]],
        ["buyer@shop.example.com"],
        [shop.emails["rep_a2"]],
    ]
    context = mails[0]["context"]
    assert context["orderNumber"] == "ORD-000001"
    assert (context["total"], context["totalMinor"], context["currency"]) == (
        "INR 85.49",
        TOTAL,
        "INR",
    )
    assert context["repName"] == shop.names["rep_a1"] == context["name"]
    assert context["contactName"] == f"Shop of {shop.names['rep_a1']}"
    assert context["link"].endswith(f"/orders/{with_email['id']}")
    assert mails[1]["context"]["name"] == context["contactName"]
    rejected = await shop.order("rep_a1")
    await shop.move("mgr_a", rejected["id"], "REJECTED")
    assert len(await shop.api.outbox("order_approved")) == 3
