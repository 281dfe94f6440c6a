"""``/api/v1/expenses``: a rep's expense claims, their lines, and the status actions.

Every answer but a receipt read is the whole claim (``ExpenseOut``), so a client holds
one shape whichever part it changed. Status moves are actions (``POST …/submit``), not
a writable ``status`` field: each has its own rule for who may call it.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.http.body import read_json, read_query
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok
from fieldedge.http.guard import principal_of
from fieldedge.http.lists import page_response
from fieldedge.http.paths import path_id
from fieldedge.http.routes.expense_schemas import (
    CreateExpenseBody,
    EmptyBody,
    ExpenseOut,
    ExpenseQueryParams,
    LineBody,
    LinePatchBody,
    ReimburseBody,
    RejectBody,
    UpdateExpenseBody,
)
from fieldedge.http.spec import Operation, Resource
from fieldedge.http.views import render
from fieldedge.services.expense_review import decide_claim, reimburse_claim, submit_claim
from fieldedge.services.expenses import (
    ClaimFilter,
    CreateClaim,
    LineInput,
    add_line,
    create_claim,
    edit_line,
    get_claim,
    list_claims,
    remove_line,
    update_claim,
)

TAGS = ("expenses",)


def line_input(body: LineBody) -> LineInput:
    return LineInput(
        category=body.category,
        date=body.date,
        amount=body.amount,
        note=body.note,
        from_attendance=body.from_attendance,
        id=body.id,
    )


def claim_changes(body: UpdateExpenseBody) -> dict[str, Any]:
    """The fields sent, by their domain names (``lines`` as ``LineInput``s)."""
    changes: dict[str, Any] = {
        name: getattr(body, name) for name in body.model_fields_set if name != "lines"
    }
    if "lines" in body.model_fields_set:
        changes["lines"] = [line_input(line) for line in body.lines or []]
    return changes


def _claim(request: Request, claim: Any, status: int = 200) -> Response:
    return ok(request, render(ExpenseOut, claim), status=status)


async def list_route(request: Request) -> Response:
    query = read_query(request, ExpenseQueryParams)
    filters = ClaimFilter(status=query.status, user_id=query.user_id)
    page = await list_claims(
        principal_of(request), filters, query.cursor, query.limit, deps_of(request)
    )
    return page_response(request, page, ExpenseOut, query.fields)


async def create_route(request: Request) -> Response:
    body = await read_json(request, CreateExpenseBody)
    cmd = CreateClaim(
        title=body.title,
        note=body.note,
        lines=[line_input(line) for line in body.lines],
        id=body.id,
    )
    return _claim(request, await create_claim(principal_of(request), cmd, deps_of(request)), 201)


async def get_route(request: Request) -> Response:
    claim = await get_claim(principal_of(request), path_id(request), deps_of(request))
    return _claim(request, claim)


async def update_route(request: Request) -> Response:
    body = await read_json(request, UpdateExpenseBody)
    claim = await update_claim(
        principal_of(request), path_id(request), claim_changes(body), deps_of(request)
    )
    return _claim(request, claim)


async def add_line_route(request: Request) -> Response:
    body = await read_json(request, LineBody)
    claim, _ = await add_line(
        principal_of(request), path_id(request), line_input(body), deps_of(request)
    )
    return _claim(request, claim, 201)


async def edit_line_route(request: Request) -> Response:
    body = await read_json(request, LinePatchBody)
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    claim = await edit_line(
        principal_of(request),
        path_id(request),
        path_id(request, "line_id"),
        changes,
        deps_of(request),
    )
    return _claim(request, claim)


async def remove_line_route(request: Request) -> Response:
    claim = await remove_line(
        principal_of(request), path_id(request), path_id(request, "line_id"), deps_of(request)
    )
    return _claim(request, claim)


async def submit_route(request: Request) -> Response:
    await read_json(request, EmptyBody)
    claim = await submit_claim(principal_of(request), path_id(request), deps_of(request))
    return _claim(request, claim)


async def approve_route(request: Request) -> Response:
    await read_json(request, EmptyBody)
    claim = await decide_claim(
        principal_of(request), path_id(request), True, None, deps_of(request)
    )
    return _claim(request, claim)


async def reject_route(request: Request) -> Response:
    body = await read_json(request, RejectBody)
    claim = await decide_claim(
        principal_of(request), path_id(request), False, body.reason, deps_of(request)
    )
    return _claim(request, claim)


async def reimburse_route(request: Request) -> Response:
    body = await read_json(request, ReimburseBody)
    claim = await reimburse_claim(
        principal_of(request), path_id(request), body.reference, deps_of(request)
    )
    return _claim(request, claim)


_READ: dict[str, Any] = {"tags": TAGS, "rate_class": "read", "response": ExpenseOut}
_WRITE: dict[str, Any] = {"tags": TAGS, "rate_class": "write", "response": ExpenseOut}
_EDIT = (e.Forbidden, e.NotFound, e.Conflict, e.ValidationFailed)
_MOVE = (e.Forbidden, e.NotFound, e.InvalidStateTransition, e.ValidationFailed)


def _action(handler: Any, summary: str, body: Any) -> Resource:
    path = f"/api/v1/expenses/{{id}}/{handler.__name__.removesuffix('_route')}"
    return Resource(path, {"POST": Operation(handler, summary, body=body, errors=_MOVE, **_WRITE)})


routes = [
    Resource(
        "/api/v1/expenses",
        {
            "GET": Operation(
                list_route,
                "List expense claims (own, the team's, or the company's; ?status=, ?userId=)",
                query=ExpenseQueryParams,
                many=True,
                errors=(e.Forbidden, e.ValidationFailed),
                **_READ,
            ),
            "POST": Operation(
                create_route,
                "Make a DRAFT expense claim, with lines or none yet",
                body=CreateExpenseBody,
                status=201,
                errors=(e.Forbidden, e.Conflict, e.ValidationFailed),
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/expenses/{id}",
        {
            "GET": Operation(
                get_route, "Read an expense claim", errors=(e.Forbidden, e.NotFound), **_READ
            ),
            "PATCH": Operation(
                update_route,
                "Edit one's own DRAFT claim: title, note, or the whole list of lines",
                body=UpdateExpenseBody,
                errors=_EDIT,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/expenses/{id}/lines",
        {
            "POST": Operation(
                add_line_route,
                "Add a line to one's own DRAFT claim",
                body=LineBody,
                status=201,
                errors=_EDIT,
                **_WRITE,
            ),
        },
    ),
    Resource(
        "/api/v1/expenses/{id}/lines/{line_id}",
        {
            "PATCH": Operation(
                edit_line_route,
                "Change a line of one's own DRAFT claim",
                body=LinePatchBody,
                errors=_EDIT,
                **_WRITE,
            ),
            "DELETE": Operation(
                remove_line_route,
                "Remove a line from one's own DRAFT claim",
                errors=_EDIT,
                **_WRITE,
            ),
        },
    ),
    _action(submit_route, "Submit one's own DRAFT claim for approval", EmptyBody),
    _action(approve_route, "Approve a SUBMITTED claim (the rep's manager or an ADMIN)", EmptyBody),
    _action(reject_route, "Reject a SUBMITTED claim, with a reason", RejectBody),
    _action(reimburse_route, "Mark an APPROVED claim reimbursed (ADMIN)", ReimburseBody),
]
