"""Lambda events of the four kinds the API is served through, shaped as AWS records them
(API Gateway REST v1, HTTP API v2, Function URL, ALB), for one request each."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qsl

KINDS = ("rest_v1", "http_v2", "function_url", "alb")


def event(
    kind: str,
    method: str,
    path: str,
    *,
    query: str = "",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    source_ip: str = "203.0.113.9",
) -> dict[str, Any]:
    """``headers`` as the client sent them. A client's own ``X-Forwarded-For`` reaches the
    function as it does on AWS: API Gateway appends the address it saw, as does an ALB,
    which also has no other place for it (no ``sourceIp``)."""
    headers = {"host": "api.example.com", "user-agent": "pwa/1.0", **(headers or {})}
    sent = headers.pop("x-forwarded-for", None)
    headers["x-forwarded-for"] = f"{sent}, {source_ip}" if sent else source_ip
    encoded = body is not None
    payload = base64.b64encode(body).decode() if body is not None else None
    params = dict(parse_qsl(query))
    if kind == "rest_v1":
        return {
            "resource": "/{proxy+}",
            "path": path,
            "httpMethod": method,
            "headers": headers,
            "multiValueHeaders": {k: [v] for k, v in headers.items()},
            "queryStringParameters": params or None,
            "multiValueQueryStringParameters": {k: [v] for k, v in params.items()} or None,
            "pathParameters": {"proxy": path.lstrip("/")},
            "stageVariables": None,
            "requestContext": {
                "resourcePath": "/{proxy+}",
                "httpMethod": method,
                "path": f"/prod{path}",
                "stage": "prod",
                "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
                "identity": {"sourceIp": source_ip, "userAgent": "pwa/1.0"},
                "accountId": "123456789012",
                "apiId": "1234567890",
            },
            "body": payload,
            "isBase64Encoded": encoded,
        }
    if kind in ("http_v2", "function_url"):
        domain = (
            "abcdefg.lambda-url.eu-west-1.on.aws"
            if kind == "function_url"
            else "abc123.execute-api.eu-west-1.amazonaws.com"
        )
        return {
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": path,
            "rawQueryString": query,
            "cookies": [],
            "headers": headers,
            "queryStringParameters": params or None,
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "abcdefg",
                "domainName": domain,
                "domainPrefix": domain.split(".")[0],
                "http": {
                    "method": method,
                    "path": path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": source_ip,
                    "userAgent": "pwa/1.0",
                },
                "requestId": "id-1",
                "routeKey": "$default",
                "stage": "$default",
                "time": "03/Jan/2026:10:00:00 +0000",
                "timeEpoch": 1767434400000,
            },
            "body": payload,
            "isBase64Encoded": encoded,
        }
    if kind == "alb":
        return {
            "requestContext": {
                "elb": {
                    "targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:"
                    "targetgroup/fieldedge/6d0ecf831eec9f09"
                }
            },
            "httpMethod": method,
            "path": path,
            "queryStringParameters": params,
            "headers": headers,
            "body": payload or "",
            "isBase64Encoded": encoded,
        }
    raise ValueError(kind)


def scope_for(kind: str, *, context: Any = None, **kwargs: Any) -> dict[str, Any]:
    """The ASGI scope Mangum itself builds for a GET of ``kind`` (its handlers, without
    the adapter, which would open an event loop of its own)."""
    from mangum.adapter import HANDLERS
    from mangum.types import LambdaConfig

    lambda_event = event(kind, "GET", kwargs.pop("path", "/x"), **kwargs)
    config = LambdaConfig(api_gateway_base_path="/", text_mime_types=[], exclude_headers=[])
    handler = next(cls for cls in HANDLERS if cls.infer(lambda_event, context, config))
    return dict(handler(lambda_event, context, config).scope)
