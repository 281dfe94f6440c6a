"""The OpenAPI document is valid 3.1, covers every route, and the docs work offline."""

from __future__ import annotations

from collections.abc import Callable

from openapi_spec_validator import validate
from starlette.applications import Starlette

from fieldedge.http.spec import Resource
from fixtures.app import client_for


async def test_openapi_is_valid_and_documents_every_route(
    fake_app: Callable[..., Starlette],
) -> None:
    app = fake_app()
    async with client_for(app) as client:
        response = await client.get("/api/openapi.json")
    doc = response.json()
    assert response.status_code == 200
    assert doc["openapi"] == "3.1.0"
    validate(doc)
    documented = {(path, method.upper()) for path, item in doc["paths"].items() for method in item}
    for route in app.routes:
        if isinstance(route, Resource):
            for method, op in route.operations.items():
                if op.in_schema:
                    assert (route.path.replace(":path", ""), method) in documented
    health = doc["paths"]["/api/health"]["get"]
    assert {"200", "503", "500"} <= set(health["responses"])
    assert "bearerAuth" in doc["components"]["securitySchemes"]


async def test_docs_page_and_assets_are_served_by_the_app(
    fake_app: Callable[..., Starlette],
) -> None:
    async with client_for(fake_app()) as client:
        page = await client.get("/api/docs")
        script = await client.get("/api/docs/assets/swagger-ui-bundle.js")
        init = await client.get("/api/docs/init.js")
    assert page.status_code == 200
    assert "/api/docs/assets/swagger-ui-bundle.js" in page.text
    assert "https://" not in page.text  # no CDN: explorable offline
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert script.status_code == 200
    assert len(script.content) > 100_000
    assert "/api/openapi.json" in init.text
    assert "validatorUrl: null" in init.text  # no badge phoning swagger.io


async def test_the_photo_upload_documents_its_multipart_body(
    fake_app: Callable[..., Starlette],
) -> None:
    async with client_for(fake_app()) as client:
        doc = (await client.get("/api/openapi.json")).json()
    upload = doc["paths"]["/api/v1/visits/{id}/photos"]["post"]
    content = upload["requestBody"]["content"]
    assert list(content) == ["multipart/form-data"]
    schema = content["multipart/form-data"]["schema"]
    assert schema["required"] == ["file"]
    assert schema["properties"]["file"]["format"] == "binary"
    assert {"400", "413", "415"} <= set(upload["responses"])


async def test_every_delete_documents_what_it_answers(fake_app: Callable[..., Starlette]) -> None:
    # Found by a stateful Schemathesis run: tombstoning DELETEs answered {id, deletedAt}
    # while the document said ``data: null``.
    async with client_for(fake_app()) as client:
        doc = (await client.get("/api/openapi.json")).json()
    deletes = {path: item["delete"] for path, item in doc["paths"].items() if "delete" in item}
    assert deletes
    for path, op in deletes.items():
        success = next(op["responses"][code] for code in op["responses"] if code.startswith("2"))
        data = success["content"]["application/json"]["schema"]["properties"]["data"]
        assert data != {"type": "null"}, path
    contact = deletes["/api/v1/contacts/{id}"]["responses"]["200"]["content"]
    assert contact["application/json"]["schema"]["properties"]["data"] == {
        "$ref": "#/components/schemas/DeletedOut"
    }
