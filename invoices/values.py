"""Turning a field's text into its typed value, for values people type and values engines return.

Engines already return normalised strings (ISO dates, plain decimal amounts, ISO 4217 codes); people may type
"1,234.56" or "eur". Anything that cannot be read gets a :class:`InvalidValue` with a message for the person.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache

from .models import TYPED_FIELDS


class InvalidValue(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@cache
def iso_currencies() -> frozenset[str]:
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


_AMOUNT_CHARS = re.compile(r"[^\d,.\-()]")


def parse_amount(text: str) -> Decimal:
    """A decimal from '1234.56', '1,234.56', '1.234,56', '1 234,56', '-12.00' or '(12.00)'."""
    raw = _AMOUNT_CHARS.sub("", text.strip())
    negative = raw.startswith("-") or (raw.startswith("(") and raw.endswith(")"))
    raw = raw.strip("-()")
    if not raw or not re.search(r"\d", raw):
        raise ValueError("no digits")
    separators = [c for c in raw if c in ".,"]
    decimal_sep = None
    if len(set(separators)) == 2:
        decimal_sep = separators[-1]  # 1.234,56 or 1,234.56: the last one is the decimal point
    elif len(separators) == 1:
        tail = raw[raw.index(separators[0]) + 1 :]
        # "1,234" is a thousand; "1,23", "1.5" and "1.234" (three-decimal currencies) are decimals.
        if not (separators[0] == "," and len(tail) == 3):
            decimal_sep = separators[0]
    # Otherwise none, or one kind repeated (1.234.567): thousands separators only.
    if decimal_sep:
        whole, _, frac = raw.rpartition(decimal_sep)
        number = f"{re.sub(r'[.,]', '', whole) or '0'}.{frac}"
    else:
        number = re.sub(r"[.,]", "", raw)
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise ValueError("not a number") from None
    return -value if negative else value


def to_typed(field: str, text: str):
    """The typed column value for a contract field's text; '' or None means empty."""
    text = (text or "").strip()
    kind = TYPED_FIELDS.get(field, "text")
    if not text:
        return None if kind in ("date", "amount") else ""
    if kind == "date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise InvalidValue(field, f"“{text}” is not a date; use YYYY-MM-DD, for example 2025-03-14.") from None
    if kind == "amount":
        try:
            value = parse_amount(text)
        except ValueError:
            raise InvalidValue(field, f"“{text}” is not an amount; write it like 1234.56.") from None
        if abs(value) >= Decimal("1e14"):
            raise InvalidValue(field, f"“{text}” is too large for an amount.")
        return value
    if field == "currency":
        code = text.upper()
        if code not in iso_currencies():
            raise InvalidValue(field, f"“{text}” is not an ISO 4217 currency code such as EUR, USD or GBP.")
        return code
    if field == "iban":
        return re.sub(r"\s+", "", text).upper()
    return text


def to_text(field: str, value) -> str:
    """The canonical text of a typed value, as stored in InvoiceField.value."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format_decimal(value)
    return str(value)


def format_decimal(value: Decimal) -> str:
    """'4.1100' → '4.11', '12' → '12.00', '0.125' → '0.125': at least two decimals, no trailing zeros beyond."""
    if value == value.quantize(Decimal("0.01")):
        return format(value.quantize(Decimal("0.01")), "f")
    return format(value.normalize(), "f")


def normalise(field: str, text: str) -> str:
    """Validate and canonicalise a field's text (raises InvalidValue)."""
    return to_text(field, to_typed(field, text))
