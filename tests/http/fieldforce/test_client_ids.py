"""Client-made ids on the REST creates and on photo uploads, on every backend: a taken
id is 409, a nil or malformed one 422, another tenant's id 422 saying no more, and a
photo taken offline and uploaded twice is one photo."""

from __future__ import annotations

from uuid import UUID, uuid4

import httpx

from fieldforce.conftest import Team, build_team
from fixtures.identity_api import bearer
from fixtures.images import image_bytes

PNG = image_bytes("PNG")


async def test_creates_keep_the_clients_id(team: Team) -> None:
    product = await team.product()
    contact_id, visit_id, order_id, payment_id = (str(uuid4()) for _ in range(4))
    contact = await team.contact("rep_a1", id=contact_id)
    assert contact["id"] == contact_id
    visit = await team.check_in("rep_a1", contact_id, id=visit_id)
    assert visit["id"] == visit_id
    order = await team.post(
        "rep_a1",
        "/api/v1/orders",
        {
            "id": order_id,
            "contactId": contact_id,
            "items": [{"productId": product["id"], "quantity": 1}],
        },
    )
    assert order.status_code == 201
    assert order.json()["data"]["id"] == order_id
    payment = await team.post(
        "rep_a1",
        "/api/v1/payments",
        {"id": payment_id, "orderId": order_id, "amount": 100, "method": "CASH"},
    )
    assert payment.status_code == 201
    assert payment.json()["data"]["id"] == payment_id


async def test_a_taken_id_is_409_and_a_bad_one_422(team: Team) -> None:
    contact = await team.contact("rep_a1")
    taken = await team.post("rep_a1", "/api/v1/contacts", {"id": contact["id"], "name": "Twin"})
    assert taken.status_code == 409
    assert taken.json()["error"]["code"] == "CONFLICT"
    for bad in (str(UUID(int=0)), "not-a-uuid", 5, "01234567-89ab-cdef-0123-456789abcdeg"):
        response = await team.post("rep_a1", "/api/v1/contacts", {"id": bad, "name": "Bad"})
        assert response.status_code == 422, (bad, response.text)
        assert "id" in response.json()["error"]["details"]
    assert await team.count("contacts") == 1


async def test_another_tenants_id_is_422_and_tells_nothing(team: Team) -> None:
    other = await build_team(team.api, company="Rival Traders")
    theirs = await other.contact("rep_a1")
    response = await team.post("rep_a1", "/api/v1/contacts", {"id": theirs["id"], "name": "Mine"})
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {
        "id": ["This id cannot be used; make a new UUID."]
    }
    assert (await other.get("rep_a1", f"/api/v1/contacts/{theirs['id']}")).json()["data"][
        "name"
    ] == theirs["name"]


async def _upload(team: Team, visit_id: str, data: bytes, **fields: str) -> httpx.Response:
    return await team.client.post(
        f"/api/v1/visits/{visit_id}/photos",
        files={"file": ("photo.png", data, "image/png")},
        data=fields,
        headers=bearer(team.tokens["rep_a1"]),
    )


async def test_an_offline_photo_uploaded_twice_is_one_photo(team: Team) -> None:
    contact = await team.contact("rep_a1")
    visit = await team.check_in("rep_a1", contact["id"])
    photo_id, taken = str(uuid4()), "2026-01-03T06:15:00Z"
    first = await _upload(team, visit["id"], PNG, photoId=photo_id, capturedAt=taken)
    assert first.status_code == 201, first.text
    assert (first.json()["data"]["id"], first.json()["data"]["capturedAt"]) == (photo_id, taken)
    again = await _upload(team, visit["id"], PNG, photoId=photo_id, capturedAt=taken)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["data"] == first.json()["data"]
    assert await team.count("visit_photos") == 1
    read = (await team.get("rep_a1", f"/api/v1/visits/{visit['id']}")).json()["data"]
    assert "REUSED_PHOTO" not in read["flags"]
    other = await _upload(team, visit["id"], image_bytes("PNG", color=200), photoId=photo_id)
    assert other.status_code == 409
    for bad in ({"photoId": "nope"}, {"capturedAt": "2026-01-03"}, {"photoId": str(UUID(int=0))}):
        response = await _upload(team, visit["id"], PNG, **bad)
        assert response.status_code == 422, (bad, response.text)
    assert await team.count("visit_photos") == 1


async def test_a_presigned_upload_asked_again_is_the_same_photo(team: Team) -> None:
    contact = await team.contact("rep_a1")
    visit = await team.check_in("rep_a1", contact["id"])
    photo_id = str(uuid4())
    path = f"/api/v1/visits/{visit['id']}/photos/upload-url"
    body = {"contentType": "image/png", "photoId": photo_id}
    first = await team.post("rep_a1", path, body)
    second = await team.post("rep_a1", path, body)
    assert first.status_code == second.status_code == 201, second.text
    assert first.json()["data"]["photoId"] == second.json()["data"]["photoId"] == photo_id
    assert await team.count("visit_photos") == 1
