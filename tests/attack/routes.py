"""Every (path, method) of the app, read from its ``Resource``s, and how to fill them in."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette

from fieldedge.http.spec import Operation, Resource

from .world import JPEG, SINK, World

PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")

# Routes only a SUPER_ADMIN may call: a company ADMIN is refused by role (403) before any
# tenant question arises, so the tenancy and parsing sweeps leave them out.
PLATFORM = "/api/v1/admin/"

# A body each JSON operation accepts, so an attack differs from it in one thing only.
# A new JSON route without an entry here fails the sweep until it is given one.
VALID: dict[tuple[str, str], dict[str, Any]] = {
    ("/api/v1/auth/register", "POST"): {
        "companyName": "X Co",
        "name": "X",
        "email": "x-sweep@example.com",
        "password": "a-long-enough-passphrase",
    },
    ("/api/v1/auth/login", "POST"): {"email": "x@example.com", "password": "whatever-pass"},
    ("/api/v1/auth/refresh", "POST"): {"refreshToken": "not-a-token"},
    ("/api/v1/auth/logout", "POST"): {"refreshToken": "not-a-token"},
    ("/api/v1/auth/password-reset/request", "POST"): {"email": "x@example.com"},
    ("/api/v1/auth/password-reset/confirm", "POST"): {
        "token": "not-a-token",
        "password": "a-long-enough-passphrase",
    },
    ("/api/v1/auth/change-password", "POST"): {
        "currentPassword": "wrong-password-here",
        "newPassword": "another-long-passphrase",
    },
    ("/api/v1/users", "POST"): {
        "name": "New",
        "email": "new-sweep@example.com",
        "role": "SALES_REP",
    },
    ("/api/v1/users/{id}", "PATCH"): {"name": "Hijacked"},
    ("/api/v1/company", "PATCH"): {"timezone": "Asia/Kolkata"},
    ("/api/v1/admin/companies/{id}", "PATCH"): {"status": "SUSPENDED"},
    ("/api/v1/contacts", "POST"): {"name": "Another"},
    ("/api/v1/contacts/{id}", "PATCH"): {"name": "Hijacked"},
    ("/api/v1/products", "POST"): {"sku": "SWEEP-1", "name": "Sweep", "unitPrice": 10},
    ("/api/v1/products/{id}", "PATCH"): {"name": "Hijacked"},
    ("/api/v1/visits", "POST"): {
        "contactId": "{contact}",
        "latitude": 1,
        "longitude": 1,
        "accuracyM": 5,
    },
    ("/api/v1/visits/{id}/check-out", "POST"): {},
    ("/api/v1/visits/{id}/photos/upload-url", "POST"): {"contentType": "image/jpeg"},
    ("/api/v1/orders", "POST"): {
        "contactId": "{contact}",
        "items": [{"productId": "{product}", "quantity": 1}],
    },
    ("/api/v1/orders/{id}", "PATCH"): {"status": "CANCELLED"},
    ("/api/v1/payments", "POST"): {"orderId": "{order}", "amount": 1, "method": "CASH"},
    ("/api/v1/territories", "POST"): {"name": "West", "parentId": "{territory}"},
    ("/api/v1/territories/{id}", "PATCH"): {"name": "Hijacked", "repIds": ["{user}"]},
    ("/api/v1/attendance/punch-in", "POST"): {"latitude": 1, "longitude": 1, "accuracyM": 5},
    ("/api/v1/attendance/punch-out", "POST"): {"latitude": 1, "longitude": 1, "accuracyM": 5},
    ("/api/v1/expenses", "POST"): {
        "title": "Sweep trip",
        "lines": [{"category": "FOOD", "date": "2026-01-05", "amount": 100, "note": "Tea"}],
    },
    ("/api/v1/expenses/{id}", "PATCH"): {"title": "Hijacked"},
    ("/api/v1/expenses/{id}/lines", "POST"): {
        "category": "OTHER",
        "date": "2026-01-05",
        "amount": 5,
    },  # no note: the answer is the claim, whose own ``note`` would not echo it
    ("/api/v1/expenses/{id}/lines/{line_id}", "PATCH"): {"amount": 7},
    ("/api/v1/expenses/{id}/submit", "POST"): {},
    ("/api/v1/expenses/{id}/approve", "POST"): {},
    ("/api/v1/expenses/{id}/reject", "POST"): {"reason": "No receipt"},
    ("/api/v1/expenses/{id}/reimburse", "POST"): {"reference": "NEFT-1"},
    ("/api/v1/targets", "POST"): {
        "userId": "{user}",
        "month": "2026-12",
        "orderValue": 500000,
        "collections": 300000,
        "visits": 60,
        "newContacts": 5,
    },
    ("/api/v1/beats", "POST"): {"name": "Sweep", "contactIds": ["{contact}"]},
    ("/api/v1/beats/{id}", "PATCH"): {"name": "Hijacked"},
    ("/api/v1/plans", "POST"): {"beatId": "{beat}", "date": "2026-12-07"},
    ("/api/v1/plans/{id}", "PATCH"): {"date": "2026-12-08"},
    ("/api/v1/plans/today/order", "PUT"): {"contactIds": []},
    ("/api/v1/sites", "POST"): {"contactId": "{contact}", "name": "Annex", "parentId": "{site}"},
    ("/api/v1/sites/{id}", "PATCH"): {"name": "Hijacked", "parentId": "{site_root}"},
    ("/api/v1/equipment-types", "POST"): {
        "name": "Compressor",
        "attributes": [{"name": "hours", "kind": "number", "required": True}],
    },
    ("/api/v1/equipment-types/{id}", "PATCH"): {"name": "Hijacked"},
    ("/api/v1/equipment", "POST"): {
        "typeId": "{equipment_type}",
        "siteId": "{site}",
        "make": "Atlas",
        "model": "GA30",
        "serial": "SWEEP-SERIAL",
        "attributes": {"hours": 10},
    },
    ("/api/v1/equipment/{id}", "PATCH"): {"model": "Hijacked", "siteId": "{site_root}"},
    ("/api/v1/equipment/{id}/shutdown", "POST"): {"reason": "Tripped"},
    ("/api/v1/checklist-templates", "POST"): {
        "name": "Sweep check",
        "items": [{"key": "bar", "label": "Pressure", "kind": "NUMBER", "min": 1, "max": 9}],
    },
    ("/api/v1/checklist-templates/{id}", "PATCH"): {"name": "Hijacked"},
    ("/api/v1/work-orders", "POST"): {
        "title": "Sweep job",
        "equipmentId": "{equipment}",
        "assigneeId": "{user}",
        "templateId": "{checklist_template}",
    },
    ("/api/v1/work-orders/{id}", "PATCH"): {"title": "Hijacked", "assigneeId": "{user}"},
    ("/api/v1/work-orders/{id}/comments", "POST"): {"text": "On my way"},
    # A mutation naming company A's contact: rejected in its own result (tests/attack).
    ("/api/v1/sync/push", "POST"): {
        "clientId": "{fresh}",  # a new replica per call
        "mutations": [
            {
                "id": 1,
                "entity": "contact",
                "op": "update",
                "entityId": "{contact}",
                "baseVersion": 1,
                "data": {"name": "Hijacked"},
            }
        ],
    },
    ("/api/v1/sync/pull", "POST"): {"cursor": None, "limit": 10},
    ("/api/v1/api-keys", "POST"): {"name": "Sweep key", "scopes": ["orders:read"]},
    ("/api/v1/api-keys/{id}/rotate", "POST"): {"graceHours": 1},
    # Loopback is allowed in the sweep's app (conftest); port 9 refuses at once.
    ("/api/v1/webhooks", "POST"): {"url": SINK, "eventTypes": ["contact.created"]},
    ("/api/v1/webhooks/{id}", "PATCH"): {"description": "Hijacked"},
    ("/api/v1/webhooks/{id}/rotate-secret", "POST"): {"overlapHours": 1},
    ("/api/v1/maintenance-schedules", "POST"): {
        "name": "Sweep service",
        "equipmentId": "{equipment}",
        "every": 250,
        "unit": "METER",
        "meter": "hours",
        "templateId": "{checklist_template}",
    },
    ("/api/v1/maintenance-schedules/{id}", "PATCH"): {
        "name": "Hijacked",
        "equipmentId": "{equipment}",
    },
}

# Which of company A's rows each path names.
OWNER = {
    "users": "user",
    "contacts": "contact",
    "products": "product",
    "visits": "visit",
    "orders": "order",
    "payments": "payment",
    "attendance": "attendance",
    "expenses": "expense",
    "lines": "expense_line",
    "territories": "territory",
    "beats": "beat",
    "plans": "plan",
    "companies": "company",
    "sites": "site",
    "equipment-types": "equipment_type",
    "equipment": "equipment",
    "checklist-templates": "checklist_template",
    "work-orders": "work_order",
    "api-keys": "api_key",
    "webhooks": "webhook",
    "deliveries": "webhook_delivery",
    "maintenance-schedules": "maintenance_schedule",
    "attachments": "work_order_attachment",
    "imports": "import",
}


@dataclass(frozen=True)
class Route:
    path: str
    method: str
    op: Operation

    @property
    def params(self) -> list[str]:
        return PARAM.findall(self.path)

    def url(self, world: World, **replace: str) -> str:
        """The path with company A's ids, some replaced (``id``, ``photo_id``)."""

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in replace:
                return replace[name]
            if name == "photo_id":
                return world.ids["photo"]
            if name == "key":  # a stored object's key, unsigned: no grant to read or write
                return "photos/none.jpg"
            owner = OWNER[match.string[: match.start()].rstrip("/").rsplit("/", 1)[-1]]
            return world.company_a if owner == "company" else world.ids[owner]

        return PARAM.sub(fill, self.path)

    def token(self, world: World) -> str:
        """Company A's caller who may use this route (visits, attendance and expense
        claims are the rep's own work; a claim's review is a manager's or an ADMIN's)."""
        own = ("/visits", "/attendance", "/expenses")  # the rep's own work
        review = ("/approve", "/reject", "/reimburse")
        if self.path.startswith(PLATFORM) and "root" in world.tokens:
            return world.tokens["root"]
        mine = self.path.startswith(tuple(f"/api/v1{p}" for p in own))
        return world.tokens["rep_a" if mine and not self.path.endswith(review) else "admin_a"]

    def request(self, world: World, body: Any = None) -> dict[str, Any]:
        """httpx keyword arguments for a well-formed request (``body`` replaces the JSON)."""
        if self.op.file_field is not None:  # a photo upload (visit, receipt, selfie)
            return {"files": {"file": ("p.jpg", JPEG, "image/jpeg")}}
        if self.op.body is None:
            return {}
        return {"json": body if body is not None else valid_body(self, world)}


def valid_body(route: Route, world: World) -> dict[str, Any]:
    body = VALID[(route.path, route.method)]
    return {k: _resolve(v, world) for k, v in body.items()}


def _resolve(value: Any, world: World) -> Any:
    if value == "{fresh}":
        return str(uuid.uuid4())
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return world.ids[value[1:-1]]
    if isinstance(value, list):
        return [_resolve(v, world) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v, world) for k, v in value.items()}
    return value


def every_route(app: Starlette) -> Iterator[Route]:
    def walk(routes: list[Any], prefix: str) -> Iterator[Route]:
        for route in routes:
            if isinstance(route, Resource):
                for method, op in route.operations.items():
                    yield Route(prefix + route.path, method, op)
            elif hasattr(route, "routes"):
                yield from walk(route.routes, prefix + getattr(route, "path", ""))

    return walk(app.routes, "")
