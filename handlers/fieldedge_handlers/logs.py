"""structlog set up once per process: JSON lines in production, readable console in dev.

A redaction step runs before rendering, so a password, token or secret passed to a log
call by mistake never reaches the output, and raw bytes (photos) are logged as a size.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

_SENSITIVE = re.compile(
    r"pass(word)?|secret|token|authori[sz]ation|cookie|jwt|api[_-]?key|signature|sig$",
    re.IGNORECASE,
)


def _redact_value(key: str, value: Any) -> Any:
    if _SENSITIVE.search(key):
        return "[REDACTED]"
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<{len(value)} bytes>"
    if isinstance(value, dict):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    return value


def redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        if key != "event":
            event[key] = _redact_value(key, event[key])
    return event


class _Stdout:
    """Whatever ``sys.stdout`` is at the moment of writing: loggers are cached on first
    use, and a stream captured then (a test's, a closed one) must not outlive its use."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


def cloud_logging_keys(
    _: Any, method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """``severity`` and ``message``, the keys Cloud Logging reads from a JSON line (the
    level and the event stay too, for CloudWatch queries and existing dashboards)."""
    level = str(event.get("level") or method).upper()
    event["severity"] = {"WARN": "WARNING", "EXCEPTION": "ERROR"}.get(level, level)
    event["message"] = event.get("event")
    return event


def configure_logging(*, level: str, fmt: str) -> None:
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=sys.stdout.isatty())
        if fmt == "console"
        else structlog.processors.JSONRenderer()
    )
    processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact,
        structlog.processors.format_exc_info,
        cloud_logging_keys,
        renderer,
    ]
    if fmt == "console":
        processors.remove(structlog.processors.format_exc_info)  # the console renders tracebacks
        processors.remove(cloud_logging_keys)
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level]),
        logger_factory=structlog.PrintLoggerFactory(_Stdout()),  # type: ignore[arg-type]
        # Not cached: a logger bound once would keep this configuration for good, and the
        # CLI, the tests and `serve --reload` configure more than once per process.
        cache_logger_on_first_use=False,
    )
    # Library loggers (uvicorn, botocore, alembic) go to stderr at warning and above.
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s"
    )
