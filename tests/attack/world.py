"""Company A with one row of every resource, and company B whose tokens attack them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fieldedge.domain.access import SCOPES
from fieldedge.services.platform_admin import create_super_admin
from fixtures.identity_api import PASSWORD, Api, bearer
from fixtures.images import JPEG

PUNE = (18.5204, 73.8567)
SINK = "http://127.0.0.1:9/hook"  # a webhook receiver that is never there (refused at once)
SECRET_B = "Rival Secret Contact"  # company B's row: no response to company A may hold it

# The rows of company A that a request made with another company's token must leave alone.
TABLES = (
    "users", "contacts", "visits", "visit_photos", "products", "orders", "payments",
    "attendance_days", "expense_claims", "territories", "targets",
    "beats", "beat_stops", "plans", "route_days",
    "sites", "equipment_types", "equipment", "checklist_templates", "work_orders",
    "api_keys", "webhook_endpoints", "webhook_deliveries", "maintenance_schedules",
    "imports",
)  # fmt: skip


@dataclass
class World:
    api: Api
    company_a: str
    # admin_a, manager_a, rep_a (manager_a's), the same _b, and root (a SUPER_ADMIN)
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)  # user, contact, product, ...

    async def snapshot(self, company: str | None = None) -> dict[str, list[Any]]:
        """Every row of company A (or ``company``), to prove an attack wrote nothing."""
        company = company or self.company_a
        rows = {
            table: await self.api.sql(
                f"SELECT * FROM {table} WHERE company_id = :c ORDER BY id", c=company
            )
            for table in TABLES
        }
        rows["companies"] = await self.api.sql("SELECT * FROM companies WHERE id = :c", c=company)
        return rows


async def _ok(response: Any, status: int = 201) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json()["data"])


async def build_world(api: Api) -> World:
    a = await api.register(company="Acme Pharma")
    b = await api.register(company="Rival Pharma")
    me = (await api.me(a["accessToken"])).json()["data"]["user"]
    world = World(api=api, company_a=me["companyId"])
    world.tokens["admin_a"], world.tokens["admin_b"] = a["accessToken"], b["accessToken"]
    for company, token in (("a", a["accessToken"]), ("b", b["accessToken"])):
        manager = await api.create_user(token, "MANAGER")
        rep = await api.create_user(token, "SALES_REP", managerId=manager["id"])
        world.tokens[f"manager_{company}"] = (await api.tokens(manager["email"]))["accessToken"]
        world.tokens[f"rep_{company}"] = (await api.tokens(rep["email"]))["accessToken"]
        world.ids[f"manager_{company}" if company == "b" else "manager"] = manager["id"]
        if company == "a":
            world.ids["user"] = rep["id"]
    await create_super_admin("root@platform.example", "Root", PASSWORD, api.deps)
    world.tokens["root"] = (await api.tokens("root@platform.example"))["accessToken"]

    client, admin, rep_h = api.client, bearer(a["accessToken"]), bearer(world.tokens["rep_a"])
    contact = await _ok(
        await client.post(
            "/api/v1/contacts",
            json={"name": "Dr. Mehta", "latitude": PUNE[0], "longitude": PUNE[1]},
            headers=rep_h,
        )
    )
    product = await _ok(
        await client.post(
            "/api/v1/products",
            json={"sku": "PEN-1", "name": "Gel pen", "unitPrice": 1250},
            headers=admin,
        )
    )
    visit = await _ok(
        await client.post(
            "/api/v1/visits",
            json={
                "contactId": contact["id"],
                "latitude": PUNE[0],
                "longitude": PUNE[1],
                "accuracyM": 10,
            },
            headers=rep_h,
        )
    )
    photo = await _ok(
        await client.post(
            f"/api/v1/visits/{visit['id']}/photos",
            files={"file": ("p.jpg", JPEG, "image/jpeg")},
            headers=rep_h,
        )
    )
    order = await _ok(
        await client.post(
            "/api/v1/orders",
            json={
                "contactId": contact["id"],
                "items": [{"productId": product["id"], "quantity": 2}],
            },
            headers=rep_h,
        )
    )
    payment = await _ok(
        await client.post(
            "/api/v1/payments",
            json={"orderId": order["id"], "amount": 100, "method": "CASH"},
            headers=rep_h,
        )
    )
    day = await _ok(
        await client.post(
            "/api/v1/attendance/punch-in",
            json={"latitude": PUNE[0], "longitude": PUNE[1], "accuracyM": 10},
            headers=rep_h,
        )
    )
    await _ok(
        await client.post(
            f"/api/v1/attendance/{day['id']}/selfie",
            files={"file": ("s.jpg", JPEG, "image/jpeg")},
            headers=rep_h,
        )
    )
    claim = await _ok(
        await client.post(
            "/api/v1/expenses",
            json={
                "title": "Pune visit",
                "lines": [{"category": "FOOD", "date": day["day"], "amount": 25000}],
            },
            headers=rep_h,
        )
    )
    line_id = claim["lines"][0]["id"]
    await _ok(
        await client.post(
            f"/api/v1/expenses/{claim['id']}/lines/{line_id}/receipt",
            files={"file": ("r.jpg", JPEG, "image/jpeg")},
            headers=rep_h,
        )
    )
    territory = await _ok(
        await client.post(
            "/api/v1/territories",
            json={"name": "Pune", "kind": "area", "repIds": [world.ids["user"]]},
            headers=admin,
        )
    )
    await _ok(
        await client.post(
            "/api/v1/targets",
            json={"userId": world.ids["user"], "month": "2026-11", "orderValue": 1000,
                  "collections": 500, "visits": 20, "newContacts": 2},
            headers=bearer(world.tokens["manager_a"]),
        )
    )  # fmt: skip
    beat = await _ok(
        await client.post(
            "/api/v1/beats", json={"name": "Pune east", "contactIds": [contact["id"]]},
            headers=rep_h,
        )
    )  # fmt: skip
    plan = await _ok(
        await client.post(
            "/api/v1/plans", json={"beatId": beat["id"], "date": "2026-12-07"}, headers=rep_h
        )
    )
    site_root = await _ok(
        await client.post(
            "/api/v1/sites",
            json={"contactId": contact["id"], "name": "Plant", "latitude": PUNE[0],
                  "longitude": PUNE[1]},
            headers=admin,
        )
    )  # fmt: skip
    site = await _ok(
        await client.post(
            "/api/v1/sites",
            json={"contactId": contact["id"], "name": "Boiler room", "parentId": site_root["id"]},
            headers=admin,
        )
    )
    equipment_type = await _ok(
        await client.post(
            "/api/v1/equipment-types",
            json={"name": "Boiler", "attributes": [{"name": "hours", "kind": "number"}]},
            headers=admin,
        )
    )
    equipment = await _ok(
        await client.post(
            "/api/v1/equipment",
            json={"typeId": equipment_type["id"], "siteId": site["id"], "make": "Thermax",
                  "model": "B-200", "serial": "TX-1", "attributes": {"hours": 120}},
            headers=admin,
        )
    )  # fmt: skip
    template = await _ok(
        await client.post(
            "/api/v1/checklist-templates",
            json={"name": "Boiler check", "items": [
                {"key": "bar", "label": "Pressure", "kind": "NUMBER", "required": True}]},
            headers=admin,
        )
    )  # fmt: skip
    work_order = await _ok(
        await client.post(
            "/api/v1/work-orders",
            json={"title": "Service the boiler", "equipmentId": equipment["id"],
                  "assigneeId": world.ids["user"], "templateId": template["id"]},
            headers=admin,
        )
    )  # fmt: skip
    attachment = await _ok(
        await client.post(
            f"/api/v1/work-orders/{work_order['id']}/attachments",
            files={"file": ("a.jpg", JPEG, "image/jpeg")},
            headers=admin,
        )
    )
    world.ids |= {
        "work_order_attachment": attachment["id"],
        "checklist_template": template["id"],
        "work_order": work_order["id"],
        "site_root": site_root["id"],
        "site": site["id"],
        "equipment_type": equipment_type["id"],
        "equipment": equipment["id"],
    }
    api_key = await _ok(
        await client.post(
            "/api/v1/api-keys",
            json={"name": "Sweep ERP", "scopes": sorted(SCOPES)},
            headers=admin,
        )
    )
    world.tokens["key_a"] = api_key["secret"]  # every scope: what no scope reaches is 403
    webhook = await _ok(
        await client.post(
            "/api/v1/webhooks", json={"url": SINK, "eventTypes": ["order.created"]},
            headers=admin,
        )
    )  # fmt: skip
    ping = await _ok(
        await client.post(f"/api/v1/webhooks/{webhook['id']}/test", headers=admin), 200
    )
    upload = await _ok(
        await client.post(
            "/api/v1/imports", params={"kind": "products", "dryRun": "true"},
            content=b"sku,name,unit_price\nSWEEP-1,Sweep pen,100\n",
            headers={**admin, "Content-Type": "text/csv"},
        ), 202,
    )  # fmt: skip
    rival = await _ok(
        await client.post(
            "/api/v1/contacts", json={"name": SECRET_B}, headers=bearer(world.tokens["rep_b"])
        )
    )
    world.ids["contact_b"] = rival["id"]
    world.ids |= {
        "attendance": day["id"],
        "expense": claim["id"],
        "expense_line": line_id,
        "territory": territory["id"],
        "beat": beat["id"],
        "plan": plan["id"],
        "api_key": api_key["id"],
        "webhook": webhook["id"],
        "webhook_delivery": ping["id"],
        "import": upload["id"],
        "contact": contact["id"],
        "product": product["id"],
        "visit": visit["id"],
        "photo": photo["id"],
        "order": order["id"],
        "payment": payment["id"],
    }
    schedule = await _ok(
        await client.post(
            "/api/v1/maintenance-schedules",
            json={"name": "Quarterly boiler service", "equipmentTypeId": equipment_type["id"],
                  "every": 3, "unit": "MONTHS", "firstDueOn": "2027-01-15",
                  "templateId": template["id"]},
            headers=admin,
        )
    )  # fmt: skip
    world.ids["maintenance_schedule"] = schedule["id"]
    return world
