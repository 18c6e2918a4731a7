"""Numbers as the report prints them: thousands separators, yuan, percentages.

Non-finite numbers (a share of zero revenue is NaN) become ``"—"`` so a table never
shows ``nan``.

Examples
--------
>>> fmt_money(1234567.891)
'¥1,234,567.89'
>>> fmt_pct(0.7412)
'74.1%'
"""

from __future__ import annotations

import math

MISSING = "—"


def finite(x: float | None) -> float | None:
    """The number, or ``None`` when it is missing, NaN or infinite."""
    if x is None or not math.isfinite(x):
        return None
    return float(x)


def fmt_int(n: int | None) -> str:
    """Whole number with thousands separators: ``12,345``."""
    return MISSING if n is None else f"{n:,}"


def fmt_money(x: float | None, decimals: int = 2) -> str:
    """Yuan with thousands separators: ``¥12,345.60``."""
    value = finite(x)
    return MISSING if value is None else f"¥{value:,.{decimals}f}"


def fmt_pct(x: float | None, decimals: int = 1) -> str:
    """A 0..1 share as a percentage: ``0.741`` → ``74.1%``."""
    value = finite(x)
    return MISSING if value is None else f"{value * 100:.{decimals}f}%"


def headline_pct(x: float) -> str:
    """Percentage for a headline: whole when it is (``20%``), else one decimal."""
    value = finite(x)
    if value is None:
        return MISSING
    pct = value * 100
    return f"{pct:.0f}%" if abs(pct - round(pct)) < 0.05 else f"{pct:.1f}%"
