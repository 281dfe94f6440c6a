"""Contacts over HTTP on every backend: normalised writes, tombstones, who sees which
contact, search and filters, and ``?near=`` sorted by distance."""

from __future__ import annotations

import pytest

from fieldforce.conftest import PUNE, Team, build_team

CONTACTS = "/api/v1/contacts"


async def test_a_rep_creates_their_own_contact_normalised(team: Team) -> None:
    contact = await team.contact(
        "rep_a1",
        phone="098765 43210",
        email="Clinic@Example.com",
        city="Pune",
        tags=[" Key Account ", "key account", "Cardio"],
        notes="Mornings only",
    )
    assert contact["ownerId"] == team.ids["rep_a1"]
    assert contact["phone"] == "+919876543210"  # national number read in the company's country
    assert contact["email"] == "clinic@example.com"
    assert contact["tags"] == ["key account", "cardio"]
    assert (contact["latitude"], contact["longitude"]) == PUNE
    assert contact["version"] > 0
    rows = await team.api.sql("SELECT phone, owner_id, version FROM contacts")
    assert [(r[0], str(r[1]).replace("-", "")) for r in rows] == [
        ("+919876543210", team.ids["rep_a1"].replace("-", ""))
    ]
    assert "contact.created" in await team.audit_actions()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"latitude": 91, "longitude": 73.8}, "latitude"),
        ({"latitude": 18.5, "longitude": 181}, "longitude"),
        ({"latitude": 0, "longitude": 0}, "latitude"),
        ({"latitude": 18.5}, "longitude"),
        ({"type": "PHARMACY"}, "type"),
        ({"phone": "12"}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"surprise": True}, "surprise"),
    ],
)
async def test_bad_contact_input_is_refused_and_nothing_written(
    team: Team, body: dict[str, object], field: str
) -> None:
    response = await team.post("rep_a1", CONTACTS, {"name": "Bad", **body})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert field in error["details"]
    assert await team.count("contacts") == 0


async def test_edit_reassign_and_delete(team: Team) -> None:
    contact = await team.contact("rep_a1", phone="+91 98765 43210")
    path = f"{CONTACTS}/{contact['id']}"
    edited = await team.patch("rep_a1", path, {"city": "Mumbai", "phone": None, "tags": ["VIP"]})
    assert edited.status_code == 200, edited.text
    data = edited.json()["data"]
    assert (data["city"], data["phone"], data["tags"]) == ("Mumbai", None, ["vip"])
    assert data["version"] > contact["version"]
    refused = await team.patch("rep_a1", path, {"ownerId": team.ids["rep_a2"]})
    assert refused.status_code == 403
    half = await team.patch("rep_a1", path, {"latitude": None})
    assert half.status_code == 422
    moved = await team.patch("mgr_a", path, {"ownerId": team.ids["rep_a2"]})
    assert moved.json()["data"]["ownerId"] == team.ids["rep_a2"]
    assert (await team.get("rep_a1", path)).status_code == 404  # no longer theirs
    assert (await team.delete("rep_a2", path)).status_code == 403  # reps do not delete
    deleted = await team.delete("mgr_a", path)
    assert deleted.status_code == 200
    assert (await team.get("admin", path)).status_code == 404
    assert all(c["id"] != contact["id"] for c in (await team.get("admin", CONTACTS)).json()["data"])
    rows = await team.api.sql("SELECT deleted_at FROM contacts")
    assert rows[0][0] is not None  # a tombstone, kept for sync
    actions = await team.audit_actions()
    assert {"contact.updated", "contact.reassigned", "contact.deleted"} <= set(actions)


async def test_search_filters_and_pages(team: Team) -> None:
    await team.contact(
        "mgr_a", name="Apex Retail", type="RETAILER", city="Pune", ownerId=team.ids["rep_a1"]
    )
    await team.contact(
        "mgr_a", name="Zen Wholesale", type="WHOLESALER", city="Mumbai", tags=["bulk"]
    )
    await team.contact("mgr_a", name="Dr. Rao", type="DOCTOR", city="pune", phone="9812345678")

    async def names(**params: object) -> list[str]:
        response = await team.get("admin", CONTACTS, **params)
        assert response.status_code == 200, response.text
        return sorted(c["name"] for c in response.json()["data"])

    assert await names(q="zen") == ["Zen Wholesale"]
    assert await names(q="98123") == ["Dr. Rao"]
    assert await names(city="PUNE") == ["Apex Retail", "Dr. Rao"]
    assert await names(type="DOCTOR") == ["Dr. Rao"]
    assert await names(tag="Bulk") == ["Zen Wholesale"]
    assert await names(ownerId=team.ids["rep_a1"]) == ["Apex Retail"]
    bad = await team.get("admin", CONTACTS, type="PHARMACY")
    assert bad.status_code == 422
    first = await team.get("admin", CONTACTS, limit=2, fields="id,name")
    body = first.json()
    assert body["pagination"]["hasMore"] is True
    assert all(set(item) == {"id", "name"} for item in body["data"])
    rest = await team.get("admin", CONTACTS, limit=2, cursor=body["pagination"]["nextCursor"])
    assert len(rest.json()["data"]) == 1
    assert rest.json()["pagination"]["hasMore"] is False


@pytest.mark.parametrize(
    "params",
    [{"near": "91,10"}, {"near": "0,0"}, {"near": "abc"}, {"near": "18.5,73.8", "radiusKm": 0}],
)
async def test_bad_near_is_a_422(team: Team, params: dict[str, object]) -> None:
    response = await team.get("admin", CONTACTS, **params)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"


async def test_another_tenant_sees_404(team: Team) -> None:
    contact = await team.contact("rep_a1")
    other = await build_team(team.api, company="Rival Pharma")
    path = f"{CONTACTS}/{contact['id']}"
    for call in (other.get("admin", path), other.patch("admin", path, {"name": "x"})):
        response = await call
        assert response.status_code == 404
    assert (await other.delete("admin", path)).status_code == 404
    assert (await other.get("admin", CONTACTS)).json()["data"] == []
    assert (await team.get("admin", path)).json()["data"]["name"] == contact["name"]
