"""Mail through Amazon SES (API v2) with aioboto3: one long-lived client per process."""

from __future__ import annotations

from typing import Any

from fieldedge.ports.mail import EmailMessage
from fieldedge_adapters.storage.aws_client import AwsClient

_UTF8 = "UTF-8"


def _content(message: EmailMessage) -> dict[str, Any]:
    body: dict[str, Any] = {"Text": {"Data": message.text, "Charset": _UTF8}}
    if message.html is not None:
        body["Html"] = {"Data": message.html, "Charset": _UTF8}
    simple: dict[str, Any] = {"Subject": {"Data": message.subject, "Charset": _UTF8}, "Body": body}
    if message.headers:
        simple["Headers"] = [
            {"Name": name, "Value": value} for name, value in message.headers.items()
        ]
    return {"Simple": simple}


class SesMailer:
    def __init__(self, aws: AwsClient, *, sender: str) -> None:
        self._aws = aws
        self._sender = sender

    @property
    def name(self) -> str:
        return "ses"

    @property
    def sender(self) -> str:
        return self._sender

    async def send(self, message: EmailMessage) -> str:
        request: dict[str, Any] = {
            "FromEmailAddress": self._sender,
            "Destination": {"ToAddresses": list(message.to)},
            "Content": _content(message),
        }
        if message.reply_to:
            request["ReplyToAddresses"] = [message.reply_to]
        async with self._aws.call() as client:
            response = await client.send_email(**request)
        return str(response["MessageId"])

    async def ping(self) -> None:
        # One cheap authenticated read: proves the endpoint answers and the
        # credentials are accepted, without sending anything. (No PageSize: moto 5.2
        # fails on it, and the default page is small.)
        async with self._aws.call() as client:
            await client.list_email_identities()

    async def close(self) -> None:
        await self._aws.close()
