"""The console mailer: in dev the log is the outbox, whole messages included."""

from __future__ import annotations

import subprocess
import sys

import pytest
from structlog.testing import capture_logs

from fieldedge.errors import ConfigError
from fieldedge.ports.mail import EmailMessage
from fieldedge_adapters.mail import mailer_from_url

RESET = EmailMessage(
    to=("rep@example.com",),
    subject="Reset your password",
    text="Open https://app.example.com/reset?token=abc123 within 30 minutes.",
    html="<p><a href='https://app.example.com/reset?token=abc123'>Reset</a></p>",
)


async def test_console_logs_the_whole_message_so_a_developer_can_click_the_link() -> None:
    mailer = mailer_from_url("console://", sender="no-reply@fieldedge.local", timeout_s=1)
    with capture_logs() as logs:
        message_id = await mailer.send(RESET)

    [entry] = [log for log in logs if log["event"] == "mail.console"]
    assert entry["log_level"] == "info"
    assert entry["message_id"] == message_id
    assert entry["to"] == ["rep@example.com"]
    assert entry["sender"] == "no-reply@fieldedge.local"
    assert entry["subject"] == "Reset your password"
    assert "https://app.example.com/reset?token=abc123" in entry["text"]
    assert mailer.name == "console"


async def test_each_console_message_gets_its_own_id() -> None:
    mailer = mailer_from_url("console://", sender="a@b.c", timeout_s=1)
    with capture_logs():
        ids = {await mailer.send(RESET) for _ in range(3)}
    assert len(ids) == 3
    await mailer.ping()
    await mailer.close()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("smtp://mail.example.com", "unsupported scheme"),
        ("ses://", "needs a region"),
        ("ses://eu-west-1?sender=x@y.z", "unknown parameter"),
    ],
)
def test_bad_mail_urls_stop_with_a_readable_message(url: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        mailer_from_url(url, sender="a@b.c", timeout_s=1)


def test_console_mailer_never_loads_the_aws_sdk() -> None:
    code = (
        "import sys\n"
        "from fieldedge_adapters.mail import mailer_from_url\n"
        "mailer_from_url('console://', sender='a@b.c', timeout_s=1)\n"
        "print(','.join(m for m in ('aioboto3', 'botocore', 'aiobotocore') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
