"""Object keys every store accepts, checked the same way for disk and S3.

The disk store needs the check for safety (a key must never leave its root); S3 gets
the same rules so that the two adapters keep one contract and a key that works in dev
works in production.
"""

from __future__ import annotations

from fieldedge.errors import ValidationFailed

MAX_KEY_BYTES = 1024  # S3's own limit


def check_key(key: str) -> str:
    """Return ``key`` unchanged, or raise ``ValidationFailed`` saying what is wrong.

    Refused: empty or over-long keys, absolute paths, backslashes, control characters,
    empty segments and segments starting with a dot (``.``, ``..`` and the hidden
    sidecar files the disk store keeps content types in).
    """
    problem = _problem(key)
    if problem:
        raise ValidationFailed(f"Invalid storage key: {problem}.", details={"key": [problem]})
    return key


def _problem(key: str) -> str | None:
    if not key:
        return "empty"
    if len(key.encode()) > MAX_KEY_BYTES:
        return f"longer than {MAX_KEY_BYTES} bytes"
    if key.startswith("/"):
        return "absolute path"
    if "\\" in key:
        return "backslash"
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in key):
        return "control character"
    for segment in key.split("/"):
        if not segment:
            return "empty path segment"
        if segment.startswith("."):
            return "path segment starting with a dot"
    return None


def check_content_type(content_type: str) -> str:
    """A content type is one header value: non-empty, printable, no line breaks."""
    if not content_type or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in content_type):
        raise ValidationFailed(
            "Invalid content type.", details={"contentType": ["empty or not printable"]}
        )
    return content_type
