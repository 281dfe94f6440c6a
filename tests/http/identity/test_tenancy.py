"""Company settings, cross-tenant isolation, the audit log and the platform admin."""

from __future__ import annotations

from uuid import UUID

from fieldedge.services.company.audit_log import verify_audit_chain
from fieldedge.services.platform_admin import create_super_admin
from fixtures.identity_api import PASSWORD, Api, bearer


async def test_every_member_reads_settings_and_only_admin_changes_them(api: Api) -> None:
    admin = await api.register()
    rep = await api.create_user(admin["accessToken"], "SALES_REP")
    rep_token = (await api.tokens(rep["email"]))["accessToken"]
    assert (await api.client.get("/api/v1/company", headers=bearer(rep_token))).status_code == 200
    refused = await api.client.patch(
        "/api/v1/company", json={"geofenceRadiusM": 500}, headers=bearer(rep_token)
    )
    assert refused.status_code == 403
    changed = await api.client.patch(
        "/api/v1/company",
        json={"geofenceRadiusM": 500, "timezone": "Asia/Kolkata"},
        headers=bearer(admin["accessToken"]),
    )
    assert changed.status_code == 200
    assert changed.json()["data"]["geofenceRadiusM"] == 500
    bad = await api.client.patch(
        "/api/v1/company",
        json={"timezone": "Mars/Olympus", "currency": "rupees"},
        headers=bearer(admin["accessToken"]),
    )
    assert bad.status_code == 422
    assert set(bad.json()["error"]["details"]) == {"timezone", "currency"}


async def test_a_company_without_a_timezone_gets_its_countrys(api: Api) -> None:
    for country, zone in (("IN", "Asia/Kolkata"), ("AE", "Asia/Dubai"), ("GB", "Europe/London")):
        body = {
            "companyName": f"{country} Traders",
            "name": "Owner",
            "email": api.email(country.lower()),
            "password": PASSWORD,
            "country": country,
        }
        registered = await api.client.post("/api/v1/auth/register", json=body)
        assert registered.status_code == 201, registered.text
        token = registered.json()["data"]["accessToken"]
        company = (await api.client.get("/api/v1/company", headers=bearer(token))).json()
        assert company["data"]["timezone"] == zone


async def test_another_tenants_ids_are_404_never_403(api: Api) -> None:
    a = await api.register(company="A")
    b = await api.register(company="B")
    a_rep = await api.create_user(a["accessToken"], "SALES_REP")
    headers = bearer(b["accessToken"])
    path = f"/api/v1/users/{a_rep['id']}"
    responses = [
        await api.client.get(path, headers=headers),
        await api.client.patch(path, json={"name": "Stolen"}, headers=headers),
        await api.client.delete(path, headers=headers),
    ]
    assert [r.status_code for r in responses] == [404, 404, 404]
    assert {r.json()["error"]["code"] for r in responses} == {"NOT_FOUND"}
    listed = (await api.client.get("/api/v1/users", headers=headers)).json()["data"]
    assert a_rep["id"] not in {user["id"] for user in listed}
    rows = await api.sql("SELECT name, active FROM users WHERE email = :e", e=a_rep["email"])
    assert [tuple(row) for row in rows] == [("Sales_Rep Person", True)]


async def test_audit_log_for_admin_with_filters_and_an_intact_chain(api: Api) -> None:
    admin = await api.register()
    await api.create_user(admin["accessToken"], "MANAGER")
    await api.login(admin["email"], "wrong-password!")
    headers = bearer(admin["accessToken"])
    everything = (await api.client.get("/api/v1/audit", headers=headers)).json()["data"]
    actions = [entry["action"] for entry in everything]
    assert actions == ["auth.login_failed", "user.created", "auth.registered"]
    assert [entry["seq"] for entry in everything] == [3, 2, 1]
    failed = (
        await api.client.get("/api/v1/audit?action=auth.login_failed", headers=headers)
    ).json()
    assert len(failed["data"]) == 1
    me = (await api.me(admin["accessToken"])).json()["data"]
    checked, problems = await verify_audit_chain(UUID(me["company"]["id"]), api.deps)
    assert (checked, problems) == (3, [])
    rep = await api.create_user(admin["accessToken"], "SALES_REP")
    rep_token = (await api.tokens(rep["email"]))["accessToken"]
    assert (await api.client.get("/api/v1/audit", headers=bearer(rep_token))).status_code == 403


async def test_super_admin_suspends_a_company_and_its_tokens_stop(api: Api) -> None:
    tenant = await api.register(company="Soon Suspended")
    company_id = (await api.me(tenant["accessToken"])).json()["data"]["company"]["id"]
    await create_super_admin("root@fieldedge.dev", "Root", PASSWORD, api.deps)
    root = (await api.tokens("root@fieldedge.dev"))["accessToken"]
    listed = (await api.client.get("/api/v1/admin/companies", headers=bearer(root))).json()
    assert company_id in {c["id"] for c in listed["data"]}
    tenant_refused = await api.client.get(
        "/api/v1/admin/companies", headers=bearer(tenant["accessToken"])
    )
    assert tenant_refused.status_code == 403
    suspended = await api.client.patch(
        f"/api/v1/admin/companies/{company_id}", json={"status": "SUSPENDED"}, headers=bearer(root)
    )
    assert suspended.json()["data"]["status"] == "SUSPENDED"
    assert (await api.me(tenant["accessToken"])).status_code == 403
    assert (await api.login(tenant["email"])).status_code == 403
    refresh = await api.client.post(
        "/api/v1/auth/refresh", json={"refreshToken": tenant["refreshToken"]}
    )
    assert refresh.status_code == 401
    await api.client.patch(
        f"/api/v1/admin/companies/{company_id}", json={"status": "ACTIVE"}, headers=bearer(root)
    )
    assert (await api.me(tenant["accessToken"])).status_code == 200
