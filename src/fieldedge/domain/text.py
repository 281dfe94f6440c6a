"""What text the API takes: no control characters and no lone surrogates, on any backend.

A NUL is refused by Postgres (a driver error) and silently stored by SQLite; a lone
surrogate (``"\\ud800"`` in JSON) cannot even be encoded as UTF-8. Neither is ever part
of a name, a note or a search. Refusing them at every edge where text comes in (JSON
bodies, query strings, imported files) makes every backend behave the same.

Tab, line feed and carriage return are allowed where text may span lines (bodies, CSV
cells); a query parameter is one line, so there they are refused too.
"""

from __future__ import annotations

import re

# Unicode's Cc (C0, DEL, C1) and Cs (surrogates, which only a lone one can produce here).
_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def unsafe_character(text: str, *, multiline: bool = True) -> str | None:
    """Why ``text`` is refused (naming the first bad character), or None when it is fine."""
    found = (_MULTILINE if multiline else _SINGLE_LINE).search(text)
    if found is None:
        return None
    char = found.group()
    if "\ud800" <= char <= "\udfff":
        return f"Contains a lone surrogate (U+{ord(char):04X}): not valid Unicode text."
    return f"Contains a control character (U+{ord(char):04X}), which text may not hold."


# What a spreadsheet runs as a formula when a cell starts with it (OWASP's CSV
# injection list): imports refuse such cells, every CSV the API writes defuses them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """``value`` as a cell no spreadsheet runs: one that starts like a formula gets a
    leading apostrophe (shown as text, the formula never runs)."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value
