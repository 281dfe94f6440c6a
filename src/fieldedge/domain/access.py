"""Who may do what: one table of role x action, enforced by the use cases.

Scope (which rows) is a second question the use cases answer: a MANAGER may read users,
but only their own team; across tenants every id is simply not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from fieldedge.domain.identity import Role
from fieldedge.errors import Forbidden


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller, as its (unrevoked) token says it is."""

    user_id: UUID
    company_id: UUID | None
    role: Role
    ip: str | None = None
    session_id: UUID | None = None  # the refresh-token family the token was minted for
    # An integration's API key (``domain.api_keys``): the company-wide principal it acts
    # as is an ADMIN limited to ``scopes``; ``user_id`` is the ADMIN who made the key.
    api_key_id: UUID | None = None
    scopes: frozenset[str] = frozenset()

    @property
    def tenant(self) -> UUID:
        if self.company_id is None:
            raise Forbidden("This action belongs to a company's users.")
        return self.company_id


class Action(StrEnum):
    USER_LIST = "user.list"
    USER_READ = "user.read"
    USER_CREATE = "user.create"
    USER_UPDATE = "user.update"
    USER_DEACTIVATE = "user.deactivate"
    COMPANY_READ = "company.read"
    COMPANY_UPDATE = "company.update"
    COMPANY_EXPORT = "company.export"  # every table of the tenant, zipped, by email
    AUDIT_READ = "audit.read"
    OUTBOX_READ = "outbox.read"
    PLATFORM_COMPANIES = "platform.companies"
    CONTACT_READ = "contact.read"
    CONTACT_WRITE = "contact.write"  # create, and edit within what the caller sees
    CONTACT_DELETE = "contact.delete"
    CONTACT_ASSIGN = "contact.assign"  # set or change ownerId
    VISIT_READ = "visit.read"
    VISIT_WRITE = "visit.write"  # check in/out and photos: one's own visits only
    PRODUCT_READ = "product.read"  # a SALES_REP sees active products only
    PRODUCT_WRITE = "product.write"
    ORDER_READ = "order.read"
    ORDER_CREATE = "order.create"
    ORDER_APPROVE = "order.approve"  # a MANAGER: only the orders of their own reps
    ORDER_FULFIL = "order.fulfil"  # dispatch, deliver
    ORDER_CANCEL = "order.cancel"  # a SALES_REP: only their own orders
    PAYMENT_READ = "payment.read"
    PAYMENT_CREATE = "payment.create"
    ATTENDANCE_READ = "attendance.read"  # own days, the team's, or the company's
    ATTENDANCE_WRITE = "attendance.write"  # punch in and out: one's own day only
    EXPENSE_READ = "expense.read"  # own claims, the team's, or the company's
    EXPENSE_WRITE = "expense.write"  # make and edit one's own claims (DRAFT only), submit
    EXPENSE_APPROVE = "expense.approve"  # approve or reject: the rep's manager, or an ADMIN
    EXPENSE_REIMBURSE = "expense.reimburse"  # mark an approved claim paid out
    TERRITORY_READ = "territory.read"  # the whole tree: every role of the company
    TERRITORY_WRITE = "territory.write"  # create, edit, move, assign reps, delete
    TARGET_READ = "target.read"  # one's own month against target
    TARGET_TEAM = "target.team"  # the team's (a MANAGER) or everyone's (ADMIN) months
    TARGET_WRITE = "target.write"  # set a target: a MANAGER for their own reps only
    PLAN_READ = "plan.read"  # beats, plans and a day's route: own, the team's, the company's
    PLAN_WRITE = "plan.write"  # beats, plans, reordering a day: within that same scope
    PLAN_COMPLIANCE = "plan.compliance"  # the report: a MANAGER their team, an ADMIN all
    SYNC = "sync"  # push and pull one's own replica (what it holds is the read scope)
    SITE_READ = "site.read"  # every customer site: every role (a technician goes to any)
    SITE_WRITE = "site.write"  # create, edit, move, delete sites
    EQUIPMENT_READ = "equipment.read"  # types and machines, their history: every role
    EQUIPMENT_WRITE = "equipment.write"  # types; machines' details, status and attributes
    EQUIPMENT_SHUTDOWN = "equipment.shutdown"  # mark DOWN: opens an urgent work order
    WORK_ORDER_READ = "work_order.read"  # every work order and checklist template
    WORK_ORDER_WRITE = "work_order.write"  # create, edit, assign, cancel; templates
    WORK_ORDER_WORK = "work_order.work"  # start, hold, fill in, complete, comment: one's own
    API_KEY_MANAGE = "api_key.manage"  # make, list, rotate and revoke integration keys
    WEBHOOK_MANAGE = "webhook.manage"  # subscribe endpoints, read their log, redeliver
    EQUIPMENT_HEALTH = "equipment.health"  # the report: a MANAGER their team's work, ADMIN all
    IMPORT_MANAGE = "import.manage"  # bulk-import products and users, read the reports
    REPORT_READ = "report.read"  # daily, orders, collections: a MANAGER's team, an ADMIN all


_ADMIN = frozenset({Role.ADMIN})
_STAFF = frozenset({Role.ADMIN, Role.MANAGER})
_MEMBERS = frozenset({Role.ADMIN, Role.MANAGER, Role.SALES_REP})

PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.USER_LIST: _STAFF,  # a MANAGER sees their own team only
    Action.USER_READ: _STAFF,
    Action.USER_CREATE: _ADMIN,
    Action.USER_UPDATE: _ADMIN,
    Action.USER_DEACTIVATE: _ADMIN,
    Action.COMPANY_READ: _MEMBERS,
    Action.COMPANY_UPDATE: _ADMIN,
    Action.COMPANY_EXPORT: _ADMIN,
    Action.AUDIT_READ: _ADMIN,
    Action.OUTBOX_READ: _ADMIN,
    Action.PLATFORM_COMPANIES: frozenset({Role.SUPER_ADMIN}),
    Action.CONTACT_READ: _MEMBERS,
    Action.CONTACT_WRITE: _MEMBERS,
    Action.CONTACT_DELETE: _STAFF,
    Action.CONTACT_ASSIGN: _STAFF,
    Action.VISIT_READ: _MEMBERS,
    Action.VISIT_WRITE: _MEMBERS,
    Action.PRODUCT_READ: _MEMBERS,
    Action.PRODUCT_WRITE: _STAFF,
    Action.ORDER_READ: _MEMBERS,
    Action.ORDER_CREATE: _MEMBERS,
    Action.ORDER_APPROVE: _STAFF,
    Action.ORDER_FULFIL: _STAFF,
    Action.ORDER_CANCEL: _MEMBERS,
    Action.PAYMENT_READ: _MEMBERS,
    Action.PAYMENT_CREATE: _MEMBERS,
    Action.ATTENDANCE_READ: _MEMBERS,
    Action.ATTENDANCE_WRITE: _MEMBERS,
    Action.EXPENSE_READ: _MEMBERS,
    Action.EXPENSE_WRITE: _MEMBERS,
    Action.EXPENSE_APPROVE: _STAFF,
    Action.EXPENSE_REIMBURSE: _ADMIN,
    Action.TERRITORY_READ: _MEMBERS,
    Action.TERRITORY_WRITE: _STAFF,
    Action.TARGET_READ: _MEMBERS,
    Action.TARGET_TEAM: _STAFF,
    Action.TARGET_WRITE: _STAFF,
    Action.PLAN_READ: _MEMBERS,
    Action.PLAN_WRITE: _MEMBERS,
    Action.PLAN_COMPLIANCE: _STAFF,
    Action.SYNC: _MEMBERS,
    Action.SITE_READ: _MEMBERS,
    Action.SITE_WRITE: _STAFF,
    Action.EQUIPMENT_READ: _MEMBERS,
    Action.EQUIPMENT_WRITE: _STAFF,
    Action.EQUIPMENT_SHUTDOWN: _MEMBERS,
    Action.WORK_ORDER_READ: _MEMBERS,
    Action.WORK_ORDER_WRITE: _STAFF,
    Action.WORK_ORDER_WORK: _MEMBERS,  # a SALES_REP their own, a MANAGER the team's
    Action.API_KEY_MANAGE: _ADMIN,
    Action.WEBHOOK_MANAGE: _ADMIN,
    Action.EQUIPMENT_HEALTH: _STAFF,
    Action.IMPORT_MANAGE: _ADMIN,
    Action.REPORT_READ: _STAFF,
}


def allowed(role: Role, action: Action) -> bool:
    return role in PERMISSIONS[action]


def require(principal: Principal, action: Action) -> None:
    if principal.api_key_id is not None:
        require_scope(principal, action)
    if not allowed(principal.role, action):
        raise Forbidden(f"A {principal.role.value} may not do this ({action.value}).")


# API key scopes: read or write per resource family (``write`` includes ``read``). An
# action outside this map (users, the company, audit, sync, field days, plans) is never
# an integration's: a key gets 403 on it whatever its scopes.
SCOPE_FAMILIES = ("contacts", "visits", "orders", "payments", "products", "service", "reports")
SCOPES = frozenset(f"{family}:{mode}" for family in SCOPE_FAMILIES for mode in ("read", "write"))
KEY_SCOPE: dict[Action, str] = {
    Action.CONTACT_READ: "contacts:read",
    Action.CONTACT_WRITE: "contacts:write",
    Action.CONTACT_DELETE: "contacts:write",
    Action.CONTACT_ASSIGN: "contacts:write",
    Action.VISIT_READ: "visits:read",
    Action.VISIT_WRITE: "visits:write",
    Action.PRODUCT_READ: "products:read",
    Action.PRODUCT_WRITE: "products:write",
    Action.ORDER_READ: "orders:read",
    Action.ORDER_CREATE: "orders:write",
    Action.ORDER_APPROVE: "orders:write",
    Action.ORDER_FULFIL: "orders:write",
    Action.ORDER_CANCEL: "orders:write",
    Action.PAYMENT_READ: "payments:read",
    Action.PAYMENT_CREATE: "payments:write",
    Action.TARGET_TEAM: "reports:read",  # the months against target of every rep
    Action.PLAN_COMPLIANCE: "reports:read",
    Action.SITE_READ: "service:read",
    Action.SITE_WRITE: "service:write",
    Action.EQUIPMENT_READ: "service:read",
    Action.EQUIPMENT_WRITE: "service:write",
    Action.EQUIPMENT_SHUTDOWN: "service:write",
    Action.WORK_ORDER_READ: "service:read",
    Action.WORK_ORDER_WRITE: "service:write",
    Action.WORK_ORDER_WORK: "service:write",  # as the ADMIN it acts for: any work order
    Action.EQUIPMENT_HEALTH: "reports:read",
    Action.REPORT_READ: "reports:read",  # the company's reports
}


def grants(scopes: frozenset[str], needed: str) -> bool:
    family, _, mode = needed.partition(":")
    return needed in scopes or (mode == "read" and f"{family}:write" in scopes)


def require_scope(principal: Principal, action: Action) -> None:
    """A key may do ``action`` only with the scope it maps to; the 403 names the scope."""
    needed = KEY_SCOPE.get(action)
    if needed is None:
        raise Forbidden(f"An API key may not do this ({action.value}).")
    if not grants(principal.scopes, needed):
        raise Forbidden(f"This API key lacks the scope {needed}.", details={"scope": [needed]})
