"""Order numbers are sequential per company with no gap or duplicate, even when twenty
orders are taken at once (Postgres directly and through PgBouncer), and a refused order
gives its number back."""

from __future__ import annotations

import asyncio

from fieldforce.order_world import Shop, build_shop, shop_api_fixture, shop_fixture

__all__ = ["shop_api_fixture", "shop_fixture"]  # fixtures this module uses
CONCURRENT = 20


def _body(shop: Shop, rep: str) -> dict[str, object]:
    return {
        "contactId": shop.contacts[rep],
        "items": [{"productId": shop.products["INK"], "quantity": 3}],
    }


async def test_twenty_orders_at_once_get_twenty_numbers(shop: Shop) -> None:
    reps = ("rep_a1", "rep_a2", "rep_b1")
    responses = await asyncio.gather(
        *(
            shop.post(reps[i % 3], "/api/v1/orders", _body(shop, reps[i % 3]))
            for i in range(CONCURRENT)
        )
    )
    assert [r.status_code for r in responses] == [201] * CONCURRENT, [
        r.text for r in responses if r.status_code != 201
    ]
    numbers = sorted(r.json()["data"]["number"] for r in responses)
    assert numbers == [f"ORD-{n:06d}" for n in range(1, CONCURRENT + 1)]
    rows = await shop.api.sql("SELECT number, version FROM orders")
    assert sorted(row[0] for row in rows) == numbers
    assert len({row[1] for row in rows}) == CONCURRENT  # every write its own version


async def test_a_refused_order_leaves_no_gap(shop: Shop) -> None:
    first = await shop.order()
    refused = await shop.post("rep_a1", "/api/v1/orders", {**_body(shop, "rep_a1"), "total": 1})
    assert refused.status_code == 422
    second = await shop.order()
    assert (first["number"], second["number"]) == ("ORD-000001", "ORD-000002")


async def test_each_company_counts_from_one(shop: Shop) -> None:
    await shop.order()
    await shop.order()
    other = await build_shop(shop.api, company="Other Co")
    assert (await other.order())["number"] == "ORD-000001"
