"""The email templates and the context each expects (``$name`` placeholders).

The code that queues an event passes exactly these keys (formatted for reading: money
as ``"INR 1,250.00"``, dates in the company's timezone); a missing one ends the event
``dead`` with the key named. ``visit_digest`` takes ``visits``, a list of
``{"contact", "at", "verified"}``, which the renderer turns into ``$visitLines``.

| template | context |
| --- | --- |
| welcome | name, company, appUrl |
| invite | name, link, expiresInMinutes |
| password_reset | name, link, expiresInMinutes |
| order_approved | name, orderNumber, total, link |
| expense_approved | name, title, total, link |
| expense_rejected | name, title, total, reason, link |
| payment_reminder | name, orderNumber, balanceDue, link |
| visit_digest | name, date, visitCount, visits |
| export_ready | name, company, link, expiresInHours, rowCount |
| webhook_disabled | name, url, reason, link |
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Template


@dataclass(frozen=True, slots=True)
class EmailTemplate:
    subject: Template
    text: Template
    html: Template  # the body; the renderer wraps it in the layout


def _t(subject: str, text: str, html: str) -> EmailTemplate:
    return EmailTemplate(Template(subject), Template(text), Template(html))


_BUTTON = '<p><a href="$link" style="font-weight:bold">{label}</a></p>'

TEMPLATES: dict[str, EmailTemplate] = {
    "welcome": _t(
        "Welcome to fieldedge, $name",
        "Hello $name,\n\n$company is set up on fieldedge. Sign in at $appUrl to add your "
        "team and catalogue.\n",
        "<p>Hello $name,</p>\n<p><b>$company</b> is set up on fieldedge.</p>\n"
        '<p><a href="$appUrl">Sign in</a> to add your team and catalogue.</p>',
    ),
    "invite": _t(
        "You are invited to fieldedge",
        "Hello $name,\n\nAn account was made for you. Choose your password here (the link "
        "works once, for $expiresInMinutes minutes):\n\n$link\n",
        "<p>Hello $name,</p>\n<p>An account was made for you. Choose your password "
        "(the link works once, for $expiresInMinutes minutes):</p>\n"
        + _BUTTON.format(label="Set my password"),
    ),
    "password_reset": _t(
        "Reset your fieldedge password",
        "Hello $name,\n\nSomeone asked to reset your password. If it was you, open this "
        "link within $expiresInMinutes minutes (it works once):\n\n$link\n\n"
        "If it was not you, ignore this email; your password stays as it is.\n",
        "<p>Hello $name,</p>\n<p>Someone asked to reset your password. If it was you, "
        "open this link within $expiresInMinutes minutes (it works once):</p>\n"
        + _BUTTON.format(label="Reset my password")
        + "\n<p>If it was not you, ignore this email; your password stays as it is.</p>",
    ),
    "order_approved": _t(
        "Order $orderNumber approved",
        "Hello $name,\n\nOrder $orderNumber ($total) was approved.\n\n$link\n",
        "<p>Hello $name,</p>\n<p>Order <b>$orderNumber</b> ($total) was approved.</p>\n"
        + _BUTTON.format(label="View the order"),
    ),
    "expense_approved": _t(
        "Expense claim approved: $title",
        'Hello $name,\n\nYour expense claim "$title" ($total) was approved.\n\n$link\n',
        "<p>Hello $name,</p>\n<p>Your expense claim <b>$title</b> ($total) was approved.</p>\n"
        + _BUTTON.format(label="View the claim"),
    ),
    "expense_rejected": _t(
        "Expense claim rejected: $title",
        'Hello $name,\n\nYour expense claim "$title" ($total) was rejected: $reason\n\n$link\n',
        "<p>Hello $name,</p>\n<p>Your expense claim <b>$title</b> ($total) was rejected: "
        "$reason</p>\n" + _BUTTON.format(label="View the claim"),
    ),
    "payment_reminder": _t(
        "Payment due on order $orderNumber",
        "Hello $name,\n\n$balanceDue is still due on order $orderNumber.\n\n$link\n",
        "<p>Hello $name,</p>\n<p><b>$balanceDue</b> is still due on order "
        "<b>$orderNumber</b>.</p>\n" + _BUTTON.format(label="View the order"),
    ),
    "export_ready": _t(
        "Your fieldedge export of $company is ready",
        "Hello $name,\n\nThe export you asked for ($rowCount rows, JSON Lines in a zip) is "
        "ready. The link works for $expiresInHours hours:\n\n$link\n",
        "<p>Hello $name,</p>\n<p>The export of <b>$company</b> you asked for ($rowCount rows, "
        "JSON Lines in a zip) is ready. The link works for $expiresInHours hours.</p>\n"
        + _BUTTON.format(label="Download the export"),
    ),
    "webhook_disabled": _t(
        "A fieldedge webhook endpoint was disabled",
        "Hello $name,\n\nThe webhook endpoint $url was disabled: $reason Events are no "
        "longer sent to it. Fix the receiver, then turn the endpoint back on:\n\n$link\n",
        "<p>Hello $name,</p>\n<p>The webhook endpoint <b>$url</b> was disabled: $reason "
        "Events are no longer sent to it. Fix the receiver, then turn it back on.</p>\n"
        + _BUTTON.format(label="Open the endpoint"),
    ),
    "visit_digest": _t(
        "Visits on $date: $visitCount",
        "Hello $name,\n\nVisits on $date ($visitCount):\n\n$visitLines\n",
        "<p>Hello $name,</p>\n<p>Visits on $date ($visitCount):</p>\n<ul>\n$visitLines\n</ul>",
    ),
}
