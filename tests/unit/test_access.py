"""The role x action table, enumerated: every pair is decided, and decided as intended."""

from __future__ import annotations

import itertools
from uuid import uuid4

import pytest

from fieldedge.domain.access import PERMISSIONS, Action, Principal, allowed, require
from fieldedge.domain.identity import Role
from fieldedge.errors import Forbidden

A, M, R, S = Role.ADMIN, Role.MANAGER, Role.SALES_REP, Role.SUPER_ADMIN
EXPECTED = {
    Action.USER_LIST: {A, M},
    Action.USER_READ: {A, M},
    Action.USER_CREATE: {A},
    Action.USER_UPDATE: {A},
    Action.USER_DEACTIVATE: {A},
    Action.COMPANY_READ: {A, M, R},
    Action.COMPANY_UPDATE: {A},
    Action.COMPANY_EXPORT: {A},
    Action.AUDIT_READ: {A},
    Action.OUTBOX_READ: {A},
    Action.PLATFORM_COMPANIES: {S},
    Action.CONTACT_READ: {A, M, R},
    Action.CONTACT_WRITE: {A, M, R},
    Action.CONTACT_DELETE: {A, M},
    Action.CONTACT_ASSIGN: {A, M},
    Action.VISIT_READ: {A, M, R},
    Action.VISIT_WRITE: {A, M, R},
    Action.PRODUCT_READ: {A, M, R},
    Action.PRODUCT_WRITE: {A, M},
    Action.ORDER_READ: {A, M, R},
    Action.ORDER_CREATE: {A, M, R},
    Action.ORDER_APPROVE: {A, M},
    Action.ORDER_FULFIL: {A, M},
    Action.ORDER_CANCEL: {A, M, R},
    Action.PAYMENT_READ: {A, M, R},
    Action.PAYMENT_CREATE: {A, M, R},
    Action.ATTENDANCE_READ: {A, M, R},
    Action.ATTENDANCE_WRITE: {A, M, R},
    Action.EXPENSE_READ: {A, M, R},
    Action.EXPENSE_WRITE: {A, M, R},
    Action.EXPENSE_APPROVE: {A, M},
    Action.EXPENSE_REIMBURSE: {A},
    Action.TERRITORY_READ: {A, M, R},
    Action.TERRITORY_WRITE: {A, M},
    Action.TARGET_READ: {A, M, R},
    Action.TARGET_TEAM: {A, M},
    Action.TARGET_WRITE: {A, M},
    Action.PLAN_READ: {A, M, R},
    Action.PLAN_WRITE: {A, M, R},
    Action.PLAN_COMPLIANCE: {A, M},
    Action.SYNC: {A, M, R},
    Action.SITE_READ: {A, M, R},
    Action.SITE_WRITE: {A, M},
    Action.EQUIPMENT_READ: {A, M, R},
    Action.EQUIPMENT_WRITE: {A, M},
    Action.EQUIPMENT_SHUTDOWN: {A, M, R},
    Action.WORK_ORDER_READ: {A, M, R},
    Action.WORK_ORDER_WRITE: {A, M},
    Action.WORK_ORDER_WORK: {A, M, R},
    Action.API_KEY_MANAGE: {A},
    Action.WEBHOOK_MANAGE: {A},
    Action.EQUIPMENT_HEALTH: {A, M},
    Action.IMPORT_MANAGE: {A},
    Action.REPORT_READ: {A, M},
}


def test_every_action_has_a_row() -> None:
    assert set(PERMISSIONS) == set(Action)
    assert set(EXPECTED) == set(Action)


@pytest.mark.parametrize(("role", "action"), list(itertools.product(Role, EXPECTED)))
def test_role_action_matrix(role: Role, action: Action) -> None:
    principal = Principal(user_id=uuid4(), company_id=None, role=role)
    assert allowed(role, action) is (role in EXPECTED[action])
    if role in EXPECTED[action]:
        require(principal, action)
    else:
        with pytest.raises(Forbidden):
            require(principal, action)
