"""``/api/v1/reports``: the day per rep, orders over a range grouped, outstanding
balances by age; each as the JSON envelope, as CSV (``?format=csv`` or
``Accept: text/csv``), and the first two as a PNG chart (``?format=png``), whose drawing
module (and Pillow) is imported only when a chart is asked for."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fieldedge import errors as e
from fieldedge.domain.access import Action, require
from fieldedge.domain.reports import Presence
from fieldedge.http.body import read_query
from fieldedge.http.csv_out import CSV, Cell, csv_response
from fieldedge.http.deps import deps_of
from fieldedge.http.envelope import ok, rate_headers_of
from fieldedge.http.guard import principal_of
from fieldedge.http.routes.report_schemas import (
    CollectionsOut,
    CollectionsQuery,
    DailyOut,
    DailyQuery,
    OrdersOut,
    OrdersQuery,
)
from fieldedge.http.spec import Operation, Resource
from fieldedge.ports.reports import DayFigures
from fieldedge.services import reports
from fieldedge.services.orders import format_money

TAGS = ("reports",)
PNG = "image/png"
FIGURES = ("worked_minutes", "visits", "verified_visits", "verified_percent", "orders",
           "order_value", "payments", "collections", "new_contacts")  # fmt: skip


def _format(request: Request, asked: str | None) -> str:
    """``?format=`` first, then the Accept header (CSV or PNG), else JSON."""
    if asked is not None:
        return asked
    accept = request.headers.get("accept", "")
    if "text/csv" in accept:
        return "csv"
    return "json"


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _figures(figures: DayFigures, verified: float | None) -> dict[str, Any]:
    values = {n: getattr(figures, n) for n in FIGURES if n != "verified_percent"}
    return {**values, "verified_percent": verified}


def _daily(report: reports.DailyReport) -> dict[str, Any]:
    team = {
        **_figures(report.team, report.verified_percent),
        "reps": len(report.reps),
        **{f"attendance_{p.value}": report.count(p) for p in Presence},
    }
    reps = [
        {"user_id": r.user_id, "name": r.name, "attendance": r.presence,
         **_figures(r.figures, r.verified_percent)}
        for r in report.reps
    ]  # fmt: skip
    return {"date": report.day, "timezone": report.timezone, "currency": report.currency,
            "reps": reps, "team": team}  # fmt: skip


def _png(title: str, labels: Sequence[str], values: Sequence[int], currency: str,
         request: Request) -> Response:  # fmt: skip
    from fieldedge.http.routes import report_chart  # Pillow: only for a chart

    peak = report_chart._nice_top(max(values, default=0))
    ticks = [format_money(peak * i // report_chart.TICKS, currency)
             for i in range(report_chart.TICKS + 1)]  # fmt: skip
    image = report_chart.bar_chart(title, labels, values, "value", ticks)
    return Response(image, media_type=PNG, headers=rate_headers_of(request.scope))


async def daily_route(request: Request) -> Response:
    principal = principal_of(request)
    require(principal, Action.REPORT_READ)  # a rep's 403 before any 422
    query = read_query(request, DailyQuery)
    report = await reports.daily_report(principal, query.date, deps_of(request))
    data = _daily(report)
    kind = _format(request, query.format)
    if kind == "png":
        title = f"Order value by rep, {report.day.isoformat()} ({report.timezone})"
        values = [r.figures.order_value for r in report.reps]
        return _png(title, [r.name for r in report.reps], values, report.currency, request)
    if kind == "csv":
        header = ["userId", "name", "attendance", *map(_camel, FIGURES)]
        team = data["team"]
        rows: list[Sequence[Cell]] = [
            [str(r["user_id"]), r["name"], r["attendance"].value, *(r[n] for n in FIGURES)]
            for r in data["reps"]
        ]
        rows.append(["", "Team", "", *(team[n] for n in FIGURES)])
        return csv_response(request, f"daily-{report.day.isoformat()}.csv", header, rows)
    return ok(request, DailyOut.model_validate(data))


async def orders_route(request: Request) -> Response:
    principal = principal_of(request)
    require(principal, Action.REPORT_READ)
    query = read_query(request, OrdersQuery)
    report = await reports.orders_report(principal, query.day_from, query.day_to,
                                         query.group_by, deps_of(request))  # fmt: skip
    kind = _format(request, query.format)
    name = f"orders-{report.group_by.value}-{report.day_from}-{report.day_to}"
    if kind == "png":
        title = f"Order value by {report.group_by.value}, {report.day_from} to {report.day_to}"
        labels = [g.label or g.key or "(none)" for g in report.groups]
        return _png(title, labels, [g.value for g in report.groups], report.currency, request)
    if kind == "csv":
        rows: Iterable[Sequence[Cell]] = (
            [g.key, g.label, g.orders, g.value, g.quantity] for g in report.groups
        )
        return csv_response(request, f"{name}.csv",
                            ["key", "label", "orders", "value", "quantity"], rows)  # fmt: skip
    data = {"day_from": report.day_from, "day_to": report.day_to, "group_by": report.group_by,
            "timezone": report.timezone, "currency": report.currency, "orders": report.orders,
            "value": report.value, "groups": report.groups}  # fmt: skip
    return ok(request, OrdersOut.model_validate(data, from_attributes=True))


def _ages(ages: reports.Ages) -> list[dict[str, Any]]:
    return [{"bucket": b, "orders": ages.orders[b], "balance": ages.balance[b]}
            for b in ages.orders]  # fmt: skip


async def collections_route(request: Request) -> Response:
    principal = principal_of(request)
    require(principal, Action.REPORT_READ)
    query = read_query(request, CollectionsQuery)
    report = await reports.collections_report(principal, deps_of(request))
    if _format(request, query.format) == "csv":
        buckets = list(report.team.orders)
        header = ["userId", "name",
                  *(f"{kind} {b}" for b in buckets for kind in ("orders", "balance")),
                  "outstanding"]  # fmt: skip
        rows: list[Sequence[Cell]] = [
            [str(r.user_id), r.name,
             *(n for b in buckets for n in (r.ages.orders[b], r.ages.balance[b])), r.ages.total]
            for r in report.reps
        ]  # fmt: skip
        team = report.team
        rows.append(["", "Team", *(n for b in buckets for n in (team.orders[b], team.balance[b])),
                     team.total])  # fmt: skip
        return csv_response(request, f"collections-{report.as_of}.csv", header, rows)
    data = {
        "as_of": report.as_of, "timezone": report.timezone, "currency": report.currency,
        "outstanding": report.team.total, "ages": _ages(report.team),
        "reps": [{"user_id": r.user_id, "name": r.name, "outstanding": r.ages.total,
                  "ages": _ages(r.ages)} for r in report.reps],
    }  # fmt: skip
    return ok(request, CollectionsOut.model_validate(data))


_READ: dict[str, Any] = {
    "tags": TAGS,
    "rate_class": "read",
    "errors": (e.Forbidden, e.ValidationFailed),
}

routes = [
    Resource(
        "/api/v1/reports/daily",
        {
            "GET": Operation(
                daily_route,
                "A local day per rep and for the team: attendance, visits, verified %, "
                "orders, collections, new contacts (JSON, CSV or a PNG chart)",
                query=DailyQuery,
                response=DailyOut,
                also_media=(CSV, PNG),
                **_READ,
            ),
        },
    ),
    Resource(
        "/api/v1/reports/orders",
        {
            "GET": Operation(
                orders_route,
                "Orders taken over local days (at most 366), grouped by day, week, rep, "
                "product or territory (JSON, CSV or a PNG chart)",
                query=OrdersQuery,
                response=OrdersOut,
                also_media=(CSV, PNG),
                **_READ,
            ),
        },
    ),
    Resource(
        "/api/v1/reports/collections",
        {
            "GET": Operation(
                collections_route,
                "Outstanding balances per rep by age since approval: 0-30, 31-60, 61-90, "
                "90+ days (JSON or CSV)",
                query=CollectionsQuery,
                response=CollectionsOut,
                also_media=(CSV,),
                **_READ,
            ),
        },
    ),
]
