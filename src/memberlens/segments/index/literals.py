"""An expression's value as a bound on a numeric key, compared the way DuckDB compares.

The SQL answer is the reference: `segments/sql.py` writes a float as ``repr(value)``;
DuckDB reads ``99.99`` as DECIMAL (compared exactly, also with a BIGINT or DECIMAL
column) and ``5e-05`` as DOUBLE (the column is cast to DOUBLE). Integer keys (integers,
unscaled decimals, days, microseconds) get the literal as an exact fraction in key
units, so `x < 25.5` becomes `x <= 25` without rounding. A literal whose meaning is not
certain here (huge numbers, a text compared with a number) raises `IndexUnsupported`
and the audience is answered by SQL instead.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from ...errors import MemberlensError
from ..expression import Scalar
from .columns import ColumnType, Space

EPOCH = datetime(1970, 1, 1)
MICROS_PER_DAY = 86_400 * 1_000_000
LARGEST_EXACT = 10**15  # integer-key literals beyond this go to SQL


class IndexUnsupported(MemberlensError):
    """The index cannot answer this exactly as SQL would; the caller asks SQL."""

    http_status = 500


def micros(moment: date) -> int:
    """Microseconds since 1970-01-01 (naive wall clock, like DuckDB's TIMESTAMP)."""
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            raise IndexUnsupported("time zone in a literal")
        return (moment - EPOCH) // timedelta(microseconds=1)
    return (moment - EPOCH.date()).days * MICROS_PER_DAY


def _number(value: int | float) -> Fraction:
    """The number DuckDB reads from the SQL text of `value`."""
    if isinstance(value, int):
        return Fraction(value)
    text = repr(value)
    if not math.isfinite(value):
        raise IndexUnsupported(f"literal {text}")
    if "e" in text or "E" in text:
        return Fraction(value)  # a DOUBLE literal: its binary value
    return Fraction(Decimal(text))  # a DECIMAL literal: its decimal value


def exact_key(ctype: ColumnType, value: Scalar) -> Fraction:
    """`value` in the units of an integer key (exact)."""
    space = ctype.space
    if isinstance(value, bool) or isinstance(value, str):
        raise IndexUnsupported(f"{value!r} compared with {ctype.sql_type}")
    if space in (Space.INT, Space.DECIMAL):
        if isinstance(value, date):
            raise IndexUnsupported(f"a date compared with {ctype.sql_type}")
        number = _number(value)
        if ctype.scale > 4 and isinstance(value, float) and "e" in repr(value):
            # a DOUBLE literal below 1e-4 against a column with finer steps: DuckDB
            # compares rounded doubles there
            raise IndexUnsupported(f"literal {value!r} against {ctype.sql_type}")
        if abs(number) >= LARGEST_EXACT:
            raise IndexUnsupported(f"literal {value!r} too large to compare exactly here")
        return number * int(10**ctype.scale)
    if space is Space.DATE:
        if isinstance(value, datetime):  # DuckDB casts the DATE column to TIMESTAMP
            return Fraction(micros(value), MICROS_PER_DAY)
        if isinstance(value, date):
            return Fraction((value - EPOCH.date()).days)
    if space is Space.TIMESTAMP and isinstance(value, date):
        return Fraction(micros(value))
    raise IndexUnsupported(f"{value!r} compared with {ctype.sql_type}")


def float_key(ctype: ColumnType, value: Scalar) -> float:
    """`value` as the DOUBLE DuckDB compares a DOUBLE column with."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise IndexUnsupported(f"{value!r} compared with {ctype.sql_type}")
    if isinstance(value, int) and abs(value) >= 2**53:
        raise IndexUnsupported(f"literal {value!r} too large to compare exactly here")
    if not math.isfinite(value):
        raise IndexUnsupported(f"literal {value!r}")
    return float(value)


def at_most(q: Fraction) -> int:
    """`x <= q` for an integer x is `x <= floor(q)`."""
    return math.floor(q)


def below(q: Fraction) -> int:
    """`x < q` for an integer x is `x <= ceil(q) - 1`."""
    return math.ceil(q) - 1
