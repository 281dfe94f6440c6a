"""Who may call each route: the role table of ``docs/api.md`` as ``domain/access.py``'s
``PERMISSIONS`` states it, one entry per (path, method) of the app.

A route names the ``Action`` it needs (the roles are ``PERMISSIONS[action]``), or says
it is public or open to every signed-in user. ``row_forbids`` lists roles the action
allows that company A's row still refuses: a visit is written by its own rep only, so
an ADMIN or the rep's MANAGER gets 403 on it (they see it, may not write it)."""

from __future__ import annotations

from dataclasses import dataclass

from fieldedge.domain.access import PERMISSIONS, Action
from fieldedge.domain.identity import Role

ROLES = (Role.SALES_REP, Role.MANAGER, Role.ADMIN, Role.SUPER_ADMIN)
EVERYONE = frozenset(ROLES)


@dataclass(frozen=True)
class Rule:
    action: Action | None = None  # None: no action (public, or any signed-in user)
    row_forbids: frozenset[Role] = frozenset()

    @property
    def permitted(self) -> frozenset[Role]:
        """Roles the route's action allows (404 for them on another tenant's id)."""
        return EVERYONE if self.action is None else PERMISSIONS[self.action]

    @property
    def allowed(self) -> frozenset[Role]:
        """Roles that are not 403 on company A's rows."""
        return self.permitted - self.row_forbids


OPEN = Rule()
A = Action
OWN_VISIT = Rule(A.VISIT_WRITE, frozenset({Role.ADMIN, Role.MANAGER}))
# An expense claim and an attendance day are written by their own rep only.
OWN_CLAIM = Rule(A.EXPENSE_WRITE, frozenset({Role.ADMIN, Role.MANAGER}))
OWN_DAY = Rule(A.ATTENDANCE_WRITE, frozenset({Role.ADMIN, Role.MANAGER}))

EXPECT: dict[tuple[str, str], Rule] = {
    ("/api/health/live", "GET"): OPEN,
    ("/api/health", "GET"): OPEN,
    ("/api/v1/auth/register", "POST"): OPEN,
    ("/api/v1/auth/login", "POST"): OPEN,
    ("/api/v1/auth/refresh", "POST"): OPEN,
    ("/api/v1/auth/logout", "POST"): OPEN,
    ("/api/v1/auth/password-reset/request", "POST"): OPEN,
    ("/api/v1/auth/password-reset/confirm", "POST"): OPEN,
    ("/api/v1/auth/change-password", "POST"): OPEN,
    ("/api/v1/auth/me", "GET"): OPEN,
    ("/api/v1/users", "GET"): Rule(A.USER_LIST),
    ("/api/v1/users", "POST"): Rule(A.USER_CREATE),
    ("/api/v1/users/{id}", "GET"): Rule(A.USER_READ),
    ("/api/v1/users/{id}", "PATCH"): Rule(A.USER_UPDATE),
    ("/api/v1/users/{id}", "DELETE"): Rule(A.USER_DEACTIVATE),
    ("/api/v1/company", "GET"): Rule(A.COMPANY_READ),
    ("/api/v1/company", "PATCH"): Rule(A.COMPANY_UPDATE),
    ("/api/v1/company/export", "POST"): Rule(A.COMPANY_EXPORT),
    ("/api/v1/audit", "GET"): Rule(A.AUDIT_READ),
    ("/api/v1/admin/companies", "GET"): Rule(A.PLATFORM_COMPANIES),
    ("/api/v1/admin/companies/{id}", "PATCH"): Rule(A.PLATFORM_COMPANIES),
    ("/api/files/{key:path}", "GET"): OPEN,  # a signed link: the signature is the grant
    ("/api/files/{key:path}", "PUT"): OPEN,
    ("/api/v1/outbox", "GET"): Rule(A.OUTBOX_READ),
    ("/api/v1/contacts", "GET"): Rule(A.CONTACT_READ),
    ("/api/v1/contacts", "POST"): Rule(A.CONTACT_WRITE),
    ("/api/v1/contacts/{id}", "GET"): Rule(A.CONTACT_READ),
    ("/api/v1/contacts/{id}", "PATCH"): Rule(A.CONTACT_WRITE),
    ("/api/v1/contacts/{id}", "DELETE"): Rule(A.CONTACT_DELETE),
    ("/api/v1/products", "GET"): Rule(A.PRODUCT_READ),
    ("/api/v1/products", "POST"): Rule(A.PRODUCT_WRITE),
    ("/api/v1/products/{id}", "GET"): Rule(A.PRODUCT_READ),
    ("/api/v1/products/{id}", "PATCH"): Rule(A.PRODUCT_WRITE),
    ("/api/v1/products/{id}", "DELETE"): Rule(A.PRODUCT_WRITE),
    ("/api/v1/visits", "GET"): Rule(A.VISIT_READ),
    ("/api/v1/visits", "POST"): Rule(A.VISIT_WRITE),
    ("/api/v1/visits/{id}", "GET"): Rule(A.VISIT_READ),
    ("/api/v1/visits/{id}/check-out", "POST"): OWN_VISIT,
    ("/api/v1/visits/{id}/photos", "POST"): OWN_VISIT,
    ("/api/v1/visits/{id}/photos/upload-url", "POST"): OWN_VISIT,
    ("/api/v1/visits/{id}/photos/{photo_id}/complete", "POST"): OWN_VISIT,
    ("/api/v1/visits/{id}/photos/{photo_id}", "GET"): Rule(A.VISIT_READ),
    ("/api/v1/orders", "GET"): Rule(A.ORDER_READ),
    ("/api/v1/orders", "POST"): Rule(A.ORDER_CREATE),
    ("/api/v1/orders/{id}", "GET"): Rule(A.ORDER_READ),
    ("/api/v1/orders/{id}", "PATCH"): Rule(A.ORDER_CANCEL),  # the rep, their MANAGER, ADMIN
    ("/api/v1/payments", "GET"): Rule(A.PAYMENT_READ),
    ("/api/v1/payments", "POST"): Rule(A.PAYMENT_CREATE),
    ("/api/v1/payments/{id}", "GET"): Rule(A.PAYMENT_READ),
    ("/api/v1/attendance", "GET"): Rule(A.ATTENDANCE_READ),
    ("/api/v1/attendance/today", "GET"): Rule(A.ATTENDANCE_READ),
    ("/api/v1/attendance/punch-in", "POST"): Rule(A.ATTENDANCE_WRITE),
    ("/api/v1/attendance/punch-out", "POST"): Rule(A.ATTENDANCE_WRITE),
    ("/api/v1/attendance/{id}", "GET"): Rule(A.ATTENDANCE_READ),
    ("/api/v1/attendance/{id}/selfie", "POST"): OWN_DAY,
    ("/api/v1/attendance/{id}/selfie", "GET"): Rule(A.ATTENDANCE_READ),
    ("/api/v1/expenses", "GET"): Rule(A.EXPENSE_READ),
    ("/api/v1/expenses", "POST"): Rule(A.EXPENSE_WRITE),
    ("/api/v1/expenses/{id}", "GET"): Rule(A.EXPENSE_READ),
    ("/api/v1/expenses/{id}", "PATCH"): OWN_CLAIM,
    ("/api/v1/expenses/{id}/lines", "POST"): OWN_CLAIM,
    ("/api/v1/expenses/{id}/lines/{line_id}", "PATCH"): OWN_CLAIM,
    ("/api/v1/expenses/{id}/lines/{line_id}", "DELETE"): OWN_CLAIM,
    ("/api/v1/expenses/{id}/lines/{line_id}/receipt", "POST"): OWN_CLAIM,
    ("/api/v1/expenses/{id}/lines/{line_id}/receipt", "GET"): Rule(A.EXPENSE_READ),
    ("/api/v1/expenses/{id}/submit", "POST"): OWN_CLAIM,
    # The rep's own manager (manager_a is) or an ADMIN; REIMBURSE is ADMIN only.
    ("/api/v1/expenses/{id}/approve", "POST"): Rule(A.EXPENSE_APPROVE),
    ("/api/v1/expenses/{id}/reject", "POST"): Rule(A.EXPENSE_APPROVE),
    ("/api/v1/expenses/{id}/reimburse", "POST"): Rule(A.EXPENSE_REIMBURSE),
    ("/api/v1/territories", "GET"): Rule(A.TERRITORY_READ),
    ("/api/v1/territories", "POST"): Rule(A.TERRITORY_WRITE),
    ("/api/v1/territories/{id}", "GET"): Rule(A.TERRITORY_READ),
    ("/api/v1/territories/{id}", "PATCH"): Rule(A.TERRITORY_WRITE),
    ("/api/v1/territories/{id}", "DELETE"): Rule(A.TERRITORY_WRITE),
    ("/api/v1/targets", "GET"): Rule(A.TARGET_TEAM),
    ("/api/v1/targets", "POST"): Rule(A.TARGET_WRITE),
    ("/api/v1/targets/me", "GET"): Rule(A.TARGET_READ),
    ("/api/v1/beats", "GET"): Rule(A.PLAN_READ),
    ("/api/v1/beats", "POST"): Rule(A.PLAN_WRITE),
    ("/api/v1/beats/{id}", "GET"): Rule(A.PLAN_READ),
    ("/api/v1/beats/{id}", "PATCH"): Rule(A.PLAN_WRITE),
    ("/api/v1/beats/{id}", "DELETE"): Rule(A.PLAN_WRITE),
    ("/api/v1/plans", "GET"): Rule(A.PLAN_READ),
    ("/api/v1/plans", "POST"): Rule(A.PLAN_WRITE),
    ("/api/v1/plans/today", "GET"): Rule(A.PLAN_READ),
    ("/api/v1/plans/today/order", "PUT"): Rule(A.PLAN_WRITE),
    ("/api/v1/plans/compliance", "GET"): Rule(A.PLAN_COMPLIANCE),
    ("/api/v1/plans/{id}", "GET"): Rule(A.PLAN_READ),
    ("/api/v1/plans/{id}", "PATCH"): Rule(A.PLAN_WRITE),
    ("/api/v1/plans/{id}", "DELETE"): Rule(A.PLAN_WRITE),
    ("/api/v1/sites", "GET"): Rule(A.SITE_READ),
    ("/api/v1/sites", "POST"): Rule(A.SITE_WRITE),
    ("/api/v1/sites/{id}", "GET"): Rule(A.SITE_READ),
    ("/api/v1/sites/{id}", "PATCH"): Rule(A.SITE_WRITE),
    ("/api/v1/sites/{id}", "DELETE"): Rule(A.SITE_WRITE),
    ("/api/v1/equipment-types", "GET"): Rule(A.EQUIPMENT_READ),
    ("/api/v1/equipment-types", "POST"): Rule(A.EQUIPMENT_WRITE),
    ("/api/v1/equipment-types/{id}", "GET"): Rule(A.EQUIPMENT_READ),
    ("/api/v1/equipment-types/{id}", "PATCH"): Rule(A.EQUIPMENT_WRITE),
    ("/api/v1/equipment-types/{id}", "DELETE"): Rule(A.EQUIPMENT_WRITE),
    ("/api/v1/equipment", "GET"): Rule(A.EQUIPMENT_READ),
    ("/api/v1/equipment", "POST"): Rule(A.EQUIPMENT_WRITE),
    ("/api/v1/equipment/{id}", "GET"): Rule(A.EQUIPMENT_READ),
    ("/api/v1/equipment/{id}", "PATCH"): Rule(A.EQUIPMENT_WRITE),
    ("/api/v1/equipment/{id}", "DELETE"): Rule(A.EQUIPMENT_WRITE),
    ("/api/v1/checklist-templates", "GET"): Rule(A.WORK_ORDER_READ),
    ("/api/v1/checklist-templates", "POST"): Rule(A.WORK_ORDER_WRITE),
    ("/api/v1/checklist-templates/{id}", "GET"): Rule(A.WORK_ORDER_READ),
    ("/api/v1/checklist-templates/{id}", "PATCH"): Rule(A.WORK_ORDER_WRITE),
    ("/api/v1/work-orders", "GET"): Rule(A.WORK_ORDER_READ),
    ("/api/v1/work-orders", "POST"): Rule(A.WORK_ORDER_WRITE),
    ("/api/v1/work-orders/mine", "GET"): Rule(A.WORK_ORDER_READ),
    ("/api/v1/work-orders/overdue", "GET"): Rule(A.WORK_ORDER_READ),
    ("/api/v1/work-orders/{id}", "GET"): Rule(A.WORK_ORDER_READ),
    ("/api/v1/work-orders/{id}", "PATCH"): Rule(A.WORK_ORDER_WRITE),  # the sweep edits details
    ("/api/v1/work-orders/{id}/comments", "POST"): Rule(A.WORK_ORDER_WORK),  # rep_a's own
    ("/api/v1/equipment/{id}/shutdown", "POST"): Rule(A.EQUIPMENT_SHUTDOWN),
    ("/api/v1/equipment/{id}/history", "GET"): Rule(A.EQUIPMENT_READ),
    ("/api/v1/sync/push", "POST"): Rule(A.SYNC),
    ("/api/v1/sync/pull", "POST"): Rule(A.SYNC),
    ("/api/openapi.json", "GET"): OPEN,
    ("/api/docs", "GET"): OPEN,
    ("/api/docs/init.js", "GET"): OPEN,
    ("/api/v1/api-keys", "GET"): Rule(A.API_KEY_MANAGE),
    ("/api/v1/api-keys", "POST"): Rule(A.API_KEY_MANAGE),
    ("/api/v1/api-keys/{id}", "GET"): Rule(A.API_KEY_MANAGE),
    ("/api/v1/api-keys/{id}", "DELETE"): Rule(A.API_KEY_MANAGE),
    ("/api/v1/api-keys/{id}/rotate", "POST"): Rule(A.API_KEY_MANAGE),
    ("/api/v1/webhooks", "GET"): Rule(A.WEBHOOK_MANAGE),
    ("/api/v1/webhooks", "POST"): Rule(A.WEBHOOK_MANAGE),
    ("/api/v1/webhooks/{id}", "GET"): Rule(A.WEBHOOK_MANAGE),
    ("/api/v1/webhooks/{id}", "PATCH"): Rule(A.WEBHOOK_MANAGE),
    ("/api/v1/webhooks/{id}", "DELETE"): Rule(A.WEBHOOK_MANAGE),
    ("/api/v1/webhooks/{id}/rotate-secret", "POST"): Rule(A.WEBHOOK_MANAGE),
    ("/api/v1/webhooks/{id}/test", "POST"): Rule(A.WEBHOOK_MANAGE),
    ("/api/v1/webhooks/{id}/deliveries", "GET"): Rule(A.WEBHOOK_MANAGE),
    ("/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver", "POST"): Rule(A.WEBHOOK_MANAGE),
    ("/api/v1/maintenance-schedules", "GET"): Rule(A.WORK_ORDER_READ),
    ("/api/v1/maintenance-schedules", "POST"): Rule(A.WORK_ORDER_WRITE),
    ("/api/v1/maintenance-schedules/{id}", "GET"): Rule(A.WORK_ORDER_READ),
    ("/api/v1/maintenance-schedules/{id}", "PATCH"): Rule(A.WORK_ORDER_WRITE),
    ("/api/v1/maintenance-schedules/{id}", "DELETE"): Rule(A.WORK_ORDER_WRITE),
    ("/api/v1/maintenance-schedules/{id}/due", "GET"): Rule(A.WORK_ORDER_READ),
    ("/api/v1/analytics/equipment-health", "GET"): Rule(A.EQUIPMENT_HEALTH),
    ("/api/v1/work-orders/{id}/attachments", "POST"): Rule(A.WORK_ORDER_WORK),  # rep_a's own
    ("/api/v1/work-orders/{id}/attachments", "GET"): Rule(A.WORK_ORDER_READ),
    ("/api/v1/work-orders/{id}/attachments/{attachment_id}", "GET"): Rule(A.WORK_ORDER_READ),
    ("/api/v1/work-orders/{id}/attachments/{attachment_id}", "DELETE"): Rule(A.WORK_ORDER_WORK),
    ("/api/v1/imports", "POST"): Rule(A.IMPORT_MANAGE),
    ("/api/v1/imports/{id}", "GET"): Rule(A.IMPORT_MANAGE),
    ("/api/v1/imports/{id}/report", "GET"): Rule(A.IMPORT_MANAGE),
    ("/api/v1/reports/daily", "GET"): Rule(A.REPORT_READ),
    ("/api/v1/reports/orders", "GET"): Rule(A.REPORT_READ),
    ("/api/v1/reports/collections", "GET"): Rule(A.REPORT_READ),
}

# docs/api.md's "Roles" table, row by row, as the actions it covers.
DOCUMENTED: dict[Action, frozenset[Role]] = {
    A.USER_LIST: frozenset({Role.ADMIN, Role.MANAGER}),  # users: manage all / own team
    A.USER_CREATE: frozenset({Role.ADMIN}),
    A.USER_UPDATE: frozenset({Role.ADMIN}),
    A.USER_DEACTIVATE: frozenset({Role.ADMIN}),
    A.COMPANY_READ: frozenset({Role.ADMIN, Role.MANAGER, Role.SALES_REP}),
    A.COMPANY_UPDATE: frozenset({Role.ADMIN}),
    A.COMPANY_EXPORT: frozenset({Role.ADMIN}),  # rule 28: ADMIN; others 403
    A.AUDIT_READ: frozenset({Role.ADMIN}),
    A.SYNC: frozenset({Role.ADMIN, Role.MANAGER, Role.SALES_REP}),
    A.ATTENDANCE_WRITE: frozenset({Role.ADMIN, Role.MANAGER, Role.SALES_REP}),
    A.ATTENDANCE_READ: frozenset({Role.ADMIN, Role.MANAGER, Role.SALES_REP}),
    A.EXPENSE_READ: frozenset({Role.ADMIN, Role.MANAGER, Role.SALES_REP}),
    A.EXPENSE_WRITE: frozenset({Role.ADMIN, Role.MANAGER, Role.SALES_REP}),
    A.EXPENSE_APPROVE: frozenset({Role.ADMIN, Role.MANAGER}),
    A.EXPENSE_REIMBURSE: frozenset({Role.ADMIN}),
    A.TERRITORY_READ: frozenset({Role.ADMIN, Role.MANAGER, Role.SALES_REP}),
    A.TERRITORY_WRITE: frozenset({Role.ADMIN, Role.MANAGER}),
    A.TARGET_READ: frozenset({Role.ADMIN, Role.MANAGER, Role.SALES_REP}),
    A.TARGET_TEAM: frozenset({Role.ADMIN, Role.MANAGER}),
    A.TARGET_WRITE: frozenset({Role.ADMIN, Role.MANAGER}),
    A.PLAN_READ: frozenset({Role.ADMIN, Role.MANAGER, Role.SALES_REP}),
    A.PLAN_WRITE: frozenset({Role.ADMIN, Role.MANAGER, Role.SALES_REP}),
    A.PLAN_COMPLIANCE: frozenset({Role.ADMIN, Role.MANAGER}),
    A.CONTACT_DELETE: frozenset({Role.ADMIN, Role.MANAGER}),  # rule 13
    A.CONTACT_ASSIGN: frozenset({Role.ADMIN, Role.MANAGER}),
    A.PLATFORM_COMPANIES: frozenset({Role.SUPER_ADMIN}),
    A.SITE_READ: frozenset({Role.ADMIN, Role.MANAGER, Role.SALES_REP}),
    A.SITE_WRITE: frozenset({Role.ADMIN, Role.MANAGER}),
    A.EQUIPMENT_READ: frozenset({Role.ADMIN, Role.MANAGER, Role.SALES_REP}),
    A.EQUIPMENT_WRITE: frozenset({Role.ADMIN, Role.MANAGER}),
    A.EQUIPMENT_SHUTDOWN: frozenset({Role.ADMIN, Role.MANAGER, Role.SALES_REP}),
    A.WORK_ORDER_READ: frozenset({Role.ADMIN, Role.MANAGER, Role.SALES_REP}),
    A.WORK_ORDER_WRITE: frozenset({Role.ADMIN, Role.MANAGER}),
    A.WORK_ORDER_WORK: frozenset({Role.ADMIN, Role.MANAGER, Role.SALES_REP}),
    A.API_KEY_MANAGE: frozenset({Role.ADMIN}),
    A.WEBHOOK_MANAGE: frozenset({Role.ADMIN}),
    A.EQUIPMENT_HEALTH: frozenset({Role.ADMIN, Role.MANAGER}),
    A.REPORT_READ: frozenset({Role.ADMIN, Role.MANAGER}),
}
