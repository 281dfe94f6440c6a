"""Every template renders from the context its queuer sends, escaped, with its subject."""

from __future__ import annotations

from typing import Any

import pytest

from fieldedge.services.outbox.templates import TemplateError, render

CONTEXTS: dict[str, dict[str, Any]] = {
    "welcome": {"name": "Asha", "company": "Acme", "appUrl": "https://app.example.com"},
    "invite": {"name": "Asha", "link": "https://app.example.com/r?token=t", "expiresInMinutes": 60},
    "password_reset": {
        "name": "Asha",
        "link": "https://app.example.com/reset-password?token=abc&x=1",
        "expiresInMinutes": 60,
    },
    "order_approved": {
        "name": "Asha",
        "orderNumber": "ORD-000123",
        "total": "INR 1,250.00",
        "link": "https://app.example.com/orders/1",
    },
    "expense_approved": {
        "name": "Asha",
        "title": "Pune trip",
        "total": "INR 250.00",
        "link": "https://app.example.com/expenses/1",
    },
    "expense_rejected": {
        "name": "Asha",
        "title": "Pune trip",
        "total": "INR 250.00",
        "reason": "No bill",
        "link": "https://app.example.com/expenses/1",
    },
    "payment_reminder": {
        "name": "Asha",
        "orderNumber": "ORD-000123",
        "balanceDue": "INR 250.00",
        "link": "https://app.example.com/orders/1",
    },
    "visit_digest": {
        "name": "Asha",
        "date": "2026-01-03",
        "visitCount": 2,
        "visits": [
            {"contact": "Dr. Rao", "at": "09:30", "verified": True},
            {"contact": "Shah & Sons <wholesale>", "at": "11:10", "verified": False},
        ],
    },
}

SUBJECTS = {
    "welcome": "Welcome to fieldedge, Asha",
    "invite": "You are invited to fieldedge",
    "password_reset": "Reset your fieldedge password",
    "order_approved": "Order ORD-000123 approved",
    "expense_approved": "Expense claim approved: Pune trip",
    "expense_rejected": "Expense claim rejected: Pune trip",
    "payment_reminder": "Payment due on order ORD-000123",
    "visit_digest": "Visits on 2026-01-03: 2",
}


@pytest.mark.parametrize("name", sorted(CONTEXTS))
def test_each_template_renders_text_and_html(name: str) -> None:
    rendered = render(name, CONTEXTS[name])

    assert rendered.subject == SUBJECTS[name]
    assert "Hello Asha," in rendered.text
    assert rendered.html.startswith("<!doctype html>")
    assert "<p>Hello Asha,</p>" in rendered.html
    assert "$" not in rendered.text + rendered.html  # every placeholder was filled


def test_links_are_in_both_parts_and_escaped_in_html() -> None:
    rendered = render("password_reset", CONTEXTS["password_reset"])

    assert "https://app.example.com/reset-password?token=abc&x=1" in rendered.text
    assert 'href="https://app.example.com/reset-password?token=abc&amp;x=1"' in rendered.html


def test_context_values_never_become_markup() -> None:
    hostile = {**CONTEXTS["welcome"], "name": '<script>alert(1)</script>"', "company": "<b>x</b>"}

    rendered = render("welcome", hostile)

    assert "<script>" not in rendered.html
    assert "<b>x</b>" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&quot;" in rendered.html
    digest = render("visit_digest", CONTEXTS["visit_digest"])
    assert "<li>11:10 Shah &amp; Sons &lt;wholesale&gt; (not verified)</li>" in digest.html
    assert "- 11:10  Shah & Sons <wholesale> (not verified)" in digest.text


def test_a_value_cannot_add_a_header_line_to_the_subject() -> None:
    rendered = render("welcome", {**CONTEXTS["welcome"], "name": "Asha\r\nBcc: all@example.com"})

    assert rendered.subject == "Welcome to fieldedge, Asha Bcc: all@example.com"


@pytest.mark.parametrize(
    ("name", "context", "error"),
    [
        ("nope", {}, "unknown email template 'nope'"),
        ("order_approved", {"name": "A"}, "order_approved: missing context key 'orderNumber'"),
        (
            "invite",
            {**CONTEXTS["invite"], "link": "javascript:alert(1)"},
            "invite: context key 'link' must be an http(s) URL",
        ),
        ("visit_digest", {**CONTEXTS["visit_digest"], "visits": "3"}, "must be a list"),
    ],
)
def test_what_cannot_render_says_why(name: str, context: dict[str, Any], error: str) -> None:
    with pytest.raises(TemplateError, match=error.replace("(", r"\(").replace(")", r"\)")):
        render(name, context)
