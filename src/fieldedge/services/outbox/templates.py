"""Email templates: a subject, a plain-text part and an HTML part per template.

Context values are data, never markup: every value is ``html.escape``d before it goes
into the HTML part, links must be http(s) (no ``javascript:`` in an ``href``), and line
breaks are removed from the subject so a value cannot add a header. ``string.Template``
with ``substitute`` turns a missing key into an error instead of an empty hole; an
unknown template or a missing key is a bug in the code that queued the event, so the
dispatcher ends that event ``dead`` at once rather than retrying it.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from string import Template
from typing import Any
from urllib.parse import urlsplit

from fieldedge.services.outbox.catalogue import TEMPLATES, EmailTemplate

# Context keys that end up in an href: they must be absolute http(s) URLs.
_LINK_KEYS = frozenset({"link", "appUrl"})


class TemplateError(Exception):
    """The event cannot be rendered; retrying will not help."""


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str


def _visits(context: Mapping[str, Any]) -> tuple[str, str]:
    """The digest's rows, as text lines and as escaped HTML list items."""
    visits = context.get("visits")
    if not isinstance(visits, list):
        raise TemplateError("visit_digest: context key 'visits' must be a list")
    lines, items = [], []
    for visit in visits:
        if not isinstance(visit, Mapping) or "contact" not in visit or "at" not in visit:
            raise TemplateError("visit_digest: each visit needs 'contact' and 'at'")
        note = "" if visit.get("verified", True) else " (not verified)"
        lines.append(f"- {visit['at']}  {visit['contact']}{note}")
        items.append(
            f"<li>{html.escape(str(visit['at']))} {html.escape(str(visit['contact']))}"
            f"{html.escape(note)}</li>"
        )
    return "\n".join(lines) or "- no visits", "\n".join(items) or "<li>no visits</li>"


def _values(name: str, context: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """(text values, HTML-escaped values) for substitution."""
    text = {key: str(value) for key, value in context.items() if not isinstance(value, list)}
    for key in _LINK_KEYS & text.keys():
        if urlsplit(text[key]).scheme not in ("http", "https"):
            raise TemplateError(f"{name}: context key {key!r} must be an http(s) URL")
    escaped = {key: html.escape(value) for key, value in text.items()}
    if name == "visit_digest":
        text["visitLines"], escaped["visitLines"] = _visits(context)
    return text, escaped


def _fill(name: str, template: Template, values: Mapping[str, str]) -> str:
    try:
        return template.substitute(values)
    except KeyError as exc:
        raise TemplateError(f"{name}: missing context key {exc.args[0]!r}") from None
    except ValueError as exc:
        raise TemplateError(f"{name}: broken template ({exc})") from None


def render(name: str, context: Mapping[str, Any]) -> Rendered:
    template: EmailTemplate | None = TEMPLATES.get(name)
    if template is None:
        raise TemplateError(f"unknown email template {name!r}")
    text_values, html_values = _values(name, context)
    subject = " ".join(_fill(name, template.subject, text_values).split())
    body_html = _fill(name, template.html, html_values)
    return Rendered(
        subject=subject,
        text=_fill(name, template.text, text_values),
        html=_fill(name, LAYOUT, {"subject": html.escape(subject), "body": body_html}),
    )


LAYOUT = Template(
    '<!doctype html>\n<html><head><meta charset="utf-8"><title>$subject</title></head>\n'
    '<body style="font-family:sans-serif;line-height:1.5;color:#222;max-width:36em">\n'
    '$body\n<p style="color:#777;font-size:12px">Sent by fieldedge.</p>\n</body></html>\n'
)
