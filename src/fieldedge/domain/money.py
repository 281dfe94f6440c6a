"""Money arithmetic on integer minor units.

Money is an ``int`` of minor units everywhere (paise, cents): a float cannot hold 0.1
exactly and a ``Decimal`` leaking into JSON or a column invites a second rounding. The
one rounding we do, tax on a line, is done here in integer arithmetic, half-up (ties
away from zero), the rule accountants and ``Decimal(ROUND_HALF_UP)`` use.
"""

from __future__ import annotations

BASIS_POINTS = 10_000  # 100 % in basis points: tax_rate_bp 1800 is 18 %
MAX_TAX_RATE_BP = BASIS_POINTS


def require_int(value: object, what: str) -> int:
    """Refuse floats, Decimals and bools: they would turn an exact sum into a guess."""
    if type(value) is not int:
        raise TypeError(f"{what} must be an int of minor units, not {type(value).__name__}")
    return value


def round_half_up_div(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded to the nearest integer, ties away from zero."""
    require_int(numerator, "numerator")
    if require_int(denominator, "denominator") <= 0:
        raise ValueError("denominator must be positive")
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def tax_on(amount: int, rate_bp: int) -> int:
    """Tax on ``amount`` minor units at ``rate_bp`` basis points, rounded half-up."""
    require_int(amount, "amount")
    if not 0 <= require_int(rate_bp, "rate_bp") <= MAX_TAX_RATE_BP:
        raise ValueError("rate_bp must be within 0..10000")
    return round_half_up_div(amount * rate_bp, BASIS_POINTS)
