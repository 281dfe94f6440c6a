"""The demo company's expense claims: five per rep, one in each status, written through
the use cases (so totals, flags, emails and the audit log are the real ones).

Each claim holds a TRAVEL line computed from a closed day of the demo week at the
company's rate (INR 8 a km), a FOOD line with a receipt photo and, on the DRAFT, a
LODGING line dated on a day the rep did not punch in (flagged ``NO_ATTENDANCE``).
"""

from __future__ import annotations

from datetime import timedelta

from fieldedge.domain.access import Principal
from fieldedge.domain.expenses import ExpenseCategory, ExpenseStatus
from fieldedge.domain.identity import User
from fieldedge.services.company.settings import UpdateCompany, update_company
from fieldedge.services.demo.photos import demo_photo
from fieldedge.services.deps import Deps
from fieldedge.services.expense_receipts import add_receipt
from fieldedge.services.expense_review import decide_claim, reimburse_claim, submit_claim
from fieldedge.services.expenses import CreateClaim, LineInput, create_claim

RATE_PER_KM = 800  # paise: INR 8.00 a km
S = ExpenseStatus
# Which status each of a rep's claims ends in, and the moves that take it there.
PATHS: tuple[tuple[ExpenseStatus, ...], ...] = (
    (),
    (S.SUBMITTED,),
    (S.SUBMITTED, S.APPROVED),
    (S.SUBMITTED, S.REJECTED),
    (S.SUBMITTED, S.APPROVED, S.REIMBURSED),
)


def _principal(user: User) -> Principal:
    return Principal(user_id=user.id, company_id=user.company_id, role=user.role)


async def seed_expenses(
    deps: Deps, admin: Principal, managers: list[User], reps: list[User]
) -> None:
    await update_company(admin, UpdateCompany(travel_rate_per_km=RATE_PER_KM), deps)
    today = deps.clock.now().date()
    by_id = {m.id: _principal(m) for m in managers}
    for i, rep in enumerate(reps):
        me = _principal(rep)
        reviewer = by_id.get(rep.manager_id, admin) if rep.manager_id else admin
        for k, path in enumerate(PATHS):
            day = today - timedelta(days=k + 2)  # a closed day of the demo week
            lines = [
                LineInput(ExpenseCategory.TRAVEL, day, note="Beat travel", from_attendance=True),
                LineInput(ExpenseCategory.FOOD, day, 18_000 + 500 * (i + k), "Lunch with a doctor"),
            ]
            if not path:  # the draft: a hotel night before the week began
                lines.append(LineInput(ExpenseCategory.LODGING, today - timedelta(days=10), 250_000,
                                       "Hotel, Nashik"))  # fmt: skip
            title = f"Field week, {day.strftime('%d %b')}"
            claim = await create_claim(me, CreateClaim(title, lines=lines), deps)
            food = claim.items[1]
            await add_receipt(me, claim.id, food.id, demo_photo(i * 10 + k), deps)
            for status in path:
                if status is S.SUBMITTED:
                    await submit_claim(me, claim.id, deps)
                elif status is S.APPROVED:
                    await decide_claim(reviewer, claim.id, True, None, deps)
                elif status is S.REJECTED:
                    await decide_claim(reviewer, claim.id, False, "No bill for the lunch", deps)
                else:
                    await reimburse_claim(admin, claim.id, f"NEFT-{i:02d}{k:02d}", deps)
