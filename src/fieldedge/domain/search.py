"""What a contact search (``?q=``) matches, the same on every backend.

Text is folded a character at a time to its lower case (``fold``), the mapping
Postgres' ``lower()`` applies under a libc UTF-8 locale (``towlower``, one code point
for one), which the SQLite adapter installs as its ``lower()`` too: both databases
and the in-memory fakes then fold alike, where Python's ``str.lower`` alone would not
(it maps ``İ`` to two code points and lower-cases a final ``Σ`` to ``ς``).

A term needs ``MIN_SEARCH_CHARS`` letters or digits: a trigram index (Postgres'
``pg_trgm``) can only narrow a search by runs of three, so a shorter term would read
every contact of the company. A term that looks like a phone number (digits and
``+ - ( ) .`` and spaces) also matches inside the stored E.164 number by its digits
alone, whatever format it was typed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from fieldedge.errors import ValidationFailed

MIN_SEARCH_CHARS = 3
_PHONE_PUNCTUATION = frozenset(" +-().")


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    lowered = char.lower()
    # A one-to-many lowering (only U+0130 today) keeps its simple mapping, the first.
    return lowered if len(lowered) == 1 else lowered[0]


def fold(text: str) -> str:
    """``text`` lower-cased code point by code point (``lower()`` in SQL, see above)."""
    return "".join(_fold_char(char) for char in text)


@dataclass(frozen=True, slots=True)
class SearchTerm:
    text: str  # folded; a substring of the folded name or city
    digits: str | None  # a substring of the phone's digits, when the term is phone-like


def parse_search(raw: str) -> SearchTerm:
    """The term behind ``?q=``; 422 when it has too few letters or digits to search by."""
    term = raw.strip()
    if sum(char.isalnum() for char in term) < MIN_SEARCH_CHARS:
        raise ValidationFailed(
            details={"q": [f"Search needs at least {MIN_SEARCH_CHARS} letters or digits."]}
        )
    digits = "".join(char for char in term if char.isdigit())
    phone_like = all(char.isdigit() or char in _PHONE_PUNCTUATION for char in term)
    # isdigit() admits other scripts' digits; a stored E.164 number holds ASCII only.
    ascii_digits = digits.isascii() and len(digits) >= MIN_SEARCH_CHARS
    return SearchTerm(text=fold(term), digits=digits if phone_like and ascii_digits else None)
