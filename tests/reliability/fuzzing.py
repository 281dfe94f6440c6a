"""What both fuzz phases share: the budget, the checks, the operations whose rules the
document states in words, a case made into what a client sends, and a role's token."""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
from schemathesis.checks import not_a_server_error
from schemathesis.python.asgi import _get_portal  # the loop every ASGI call runs on
from schemathesis.specs.openapi import checks
from starlette.applications import Starlette

from fieldedge.domain.search import MIN_SEARCH_CHARS
from fieldedge.services.platform_admin import create_super_admin
from fixtures.identity_api import PASSWORD

EXAMPLES = int(os.environ.get("FIELDEDGE_FUZZ_EXAMPLES", "25"))
ROLES = ("ADMIN", "MANAGER", "SALES_REP", "SUPER_ADMIN")
LIMITS = {
    f"rate_{name}": 1_000_000
    for name in ("auth_email_per_min", "auth_ip_per_min", "read_per_min", "write_per_min")
} | {"rate_upload_per_day": 1_000_000, "webhook_timeout_s": 1.0}

CHECKS = [
    not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
    checks.positive_data_acceptance,
    checks.ignored_auth,
    checks.use_after_free,
    checks.ensure_resource_availability,
]

# A body (or query) naming a row that does not exist (a contactId of no contact, a wrong reset
# token) is a 422 by the contract (docs/api.md items 3 and 15), so a schema-valid body
# that names a random id is rightly refused: for these operations alone the one check
# that expects such a body to pass, positive_data_acceptance, is off. Every other check,
# and that one everywhere else, stays on.
NAMES_A_ROW = {
    "POST /api/v1/auth/password-reset/confirm",  # token
    "POST /api/v1/users",  # managerId
    "PATCH /api/v1/users/{id}",  # managerId
    "POST /api/v1/contacts",  # ownerId
    "PATCH /api/v1/contacts/{id}",  # ownerId
    "POST /api/v1/visits",  # contactId
    "POST /api/v1/visits/{id}/photos/upload-url",  # photoId
    "POST /api/v1/orders",  # contactId, productId
    "POST /api/v1/payments",  # orderId
    "POST /api/v1/sync/push",  # entityId
    "POST /api/v1/auth/change-password",  # currentPassword: the user's own, not generated
    # lines[].fromAttendance: the rep's attendance day on that date
    "POST /api/v1/expenses",
    "PATCH /api/v1/expenses/{id}",
    "POST /api/v1/expenses/{id}/lines",
    "PATCH /api/v1/expenses/{id}/lines/{line_id}",
    "POST /api/v1/territories",  # parentId, repIds
    "PATCH /api/v1/territories/{id}",  # parentId, repIds
    "POST /api/v1/targets",  # userId
    "POST /api/v1/beats",  # contactIds, userId
    "PATCH /api/v1/beats/{id}",  # contactIds
    "POST /api/v1/plans",  # beatId
    "PATCH /api/v1/plans/{id}",  # beatId
    "PUT /api/v1/plans/today/order",  # contactIds: today's planned outlets
    # Queries whose rule JSON Schema cannot state: userId someone in the caller's scope;
    # a span with ``to`` not before ``from`` and at most 92 days.
    "GET /api/v1/plans/today",
    "GET /api/v1/plans/compliance",
    "GET /api/v1/reports/orders",  # from..to: to not before from, at most 366 days
    "POST /api/v1/sites",  # contactId, parentId
    "PATCH /api/v1/sites/{id}",  # parentId
    "POST /api/v1/equipment",  # typeId, siteId; attributes as the type declares
    "PATCH /api/v1/equipment/{id}",  # typeId, siteId, attributes
    "POST /api/v1/work-orders",  # siteId or equipmentId, assigneeId, templateId
    "PATCH /api/v1/work-orders/{id}",  # assigneeId; answers by the checklist's keys
    # Rules JSON Schema cannot state: an expiresAt in the future; a webhook URL whose
    # host resolves, and only to public addresses.
    "POST /api/v1/api-keys",
    "POST /api/v1/webhooks",
    "PATCH /api/v1/webhooks/{id}",
    # equipmentId or equipmentTypeId, templateId; a meter its type declares; exactly one
    # target, and a calendar or a METER schedule's own fields (rules across fields).
    "POST /api/v1/maintenance-schedules",
    "PATCH /api/v1/maintenance-schedules/{id}",
    # A checklist item's min / max: on NUMBER items only, min not above max.
    "POST /api/v1/checklist-templates",
    "PATCH /api/v1/checklist-templates/{id}",
    # A client's time at most 30 days ahead (docs/api.md), which JSON Schema cannot
    # state; and rules on the state an earlier call made (the stateful phase reaches
    # them): a punch-out not before the day's punch-in, a claim submitted with a line.
    "POST /api/v1/attendance/punch-in",
    "POST /api/v1/attendance/punch-out",
    "POST /api/v1/expenses/{id}/submit",
}
CHECKS_NAMING_A_ROW = [check for check in CHECKS if check is not checks.positive_data_acceptance]


def checks_for(case: Any) -> list[Any]:
    """Every check, but positive data acceptance where a valid case may rightly be
    refused: a body or query naming a row (above), or an uploaded file, which must be a
    JPEG, PNG or WebP image (415 otherwise) where JSON Schema can only say "binary"."""
    named = case.operation.label in NAMES_A_ROW or case.media_type == "multipart/form-data"
    return CHECKS_NAMING_A_ROW if named else CHECKS


def as_a_client_sends(case: Any) -> None:
    """A schema-valid case made into what a client can send, for rules the document
    states in words because JSON Schema cannot: a cursor is opaque (only a ``nextCursor``
    the server handed out is sent back; a made-up one is 422), ``radiusKm`` needs
    ``near``, a search ``q`` needs 3 letters or digits, and an ``Idempotency-Key`` is
    new for each logical write (one reused for another body is 422). The role's bearer
    token is the credential (a generated ``X-API-Key`` beside it is the 401 of sending
    both). Negative cases keep all of these, so their refusal stays tested."""
    if case.meta is None or case.meta.generation.mode.is_negative:
        return
    if case.headers:
        case.headers.pop("X-API-Key", None)
    if case.headers and "Idempotency-Key" in case.headers:
        case.headers["Idempotency-Key"] = f"fuzz-{uuid.uuid4()}"
    if isinstance(case.body, dict) and isinstance(case.body.get("cursor"), str):
        case.body["cursor"] = None  # sync pull: null starts a snapshot
    query = case.query or {}
    query.pop("cursor", None)
    if "near" not in query:
        query.pop("radiusKm", None)
    q = query.get("q")
    if isinstance(q, str) and sum(c.isalnum() for c in q) < MIN_SEARCH_CHARS:
        query.pop("q")


def token_of(client: Any, role: str, app: Starlette, deps: Any) -> str:
    register = {
        "companyName": "Fuzz Co",
        "name": "Fuzz Admin",
        "email": "fuzz-admin@example.com",
        "password": PASSWORD,
    }
    response = client.post("/api/v1/auth/register", json=register)
    assert response.status_code == 201, response.text
    admin = response.json()["data"]["accessToken"]
    if role == "ADMIN":
        return str(admin)
    email = f"fuzz-{role.lower().replace('_', '-')}@example.com"
    if role == "SUPER_ADMIN":
        _get_portal().call(create_super_admin, email, "Root", PASSWORD, deps)
    else:
        body = {"name": role.title(), "email": email, "role": role, "password": PASSWORD}
        created = client.post(
            "/api/v1/users", json=body, headers={"Authorization": f"Bearer {admin}"}
        )
        assert created.status_code == 201, created.text
    login = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return str(login.json()["data"]["accessToken"])


def record_cases(request: pytest.FixtureRequest, cases: int) -> None:
    request.node.user_properties.append(("fuzz_cases", cases))
