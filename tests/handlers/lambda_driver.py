"""Runs in a fresh process: feeds events of every kind through the real Lambda handler,
in one container (so invocations reuse the same container and loop), and prints results."""

from __future__ import annotations

import base64
import json
import os
import time

from lambda_events import KINDS, event

from fieldedge.http.routes.pwa import SHELL_DIR
from fieldedge.signing import signed_file_url, storage_signing_key
from fieldedge_handlers.aws_lambda import handler

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def main() -> None:
    key = storage_signing_key(os.environ["JWT_SECRET"])
    results = []
    for round_ in range(2):  # a second round proves warm invocations reuse the container
        for kind in KINDS:
            health = handler(event(kind, "GET", "/api/health"), None)
            object_key = f"c1/visits/v1/{kind}-{round_}.png"
            expires = int(time.time()) + 300
            put_url = signed_file_url(
                "", key, method="PUT", key=object_key, expires=expires, content_type="image/png"
            )
            path, query = put_url.split("?", 1)
            put = handler(
                event(
                    kind, "PUT", path, query=query, headers={"content-type": "image/png"}, body=PNG
                ),
                None,
            )
            get_url = signed_file_url("", key, method="GET", key=object_key, expires=expires)
            path, query = get_url.split("?", 1)
            got = handler(event(kind, "GET", path, query=query), None)
            body = got["body"]
            data = base64.b64decode(body) if got.get("isBase64Encoded") else body.encode()
            # The PWA's shell, a binary file of it included, from the same handler.
            shell = handler(event(kind, "GET", "/app/"), None)
            icon = handler(event(kind, "GET", "/app/icons/icon-192.png"), None)
            icon_bytes = base64.b64decode(icon["body"]) if icon.get("isBase64Encoded") else b""
            results.append(
                {
                    "kind": kind,
                    "health": health["statusCode"],
                    "healthBody": json.loads(health["body"]),
                    "healthHeaders": {k.lower(): v for k, v in health.get("headers", {}).items()},
                    "put": put["statusCode"],
                    "get": got["statusCode"],
                    "roundTrip": data == PNG,
                    "app": shell["statusCode"],
                    "icon": icon_bytes == (SHELL_DIR / "icons" / "icon-192.png").read_bytes(),
                }
            )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
