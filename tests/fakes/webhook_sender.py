"""A webhook sender for use cases: names resolve as the test says, answers are scripted,
and every POST is kept (url, address, headers, body)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field

from fieldedge.ports.webhooks import SentWebhook, WebhookFailed


@dataclass
class Post:
    url: str
    address: str
    headers: dict[str, str]
    body: bytes


@dataclass
class ScriptedSender:
    dns: dict[str, list[str]] = field(default_factory=dict)
    answers: list[SentWebhook | WebhookFailed] = field(default_factory=list)  # then 200s
    posts: list[Post] = field(default_factory=list)

    async def resolve(self, host: str, port: int) -> list[str]:
        if host not in self.dns:
            raise WebhookFailed(f"{host} does not resolve", 0)
        return list(self.dns[host])

    async def post(
        self, url: str, *, address: str, headers: Mapping[str, str], body: bytes
    ) -> SentWebhook:
        self.posts.append(Post(url, address, dict(headers), body))
        answer = self.answers.pop(0) if self.answers else SentWebhook(200, 3, b"ok")
        if isinstance(answer, WebhookFailed):
            raise answer
        return answer

    async def close(self) -> None:
        return None


def signed_by(secret: str, headers: Mapping[str, str], body: bytes) -> bool:
    """A receiver's check from the Standard Webhooks spec, written here without the
    library (whose own check also wants the timestamp within five minutes of now)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [s[3:] for s in headers["webhook-signature"].split() if s.startswith("v1,")]
    return any(hmac.compare_digest(expected, signature) for signature in offered)
