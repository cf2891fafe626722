"""Amounts: currencies, rounding to minor units, and how a document prints a number or an amount."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True, slots=True)
class Currency:
    code: str
    minor: int  # decimal places of the minor unit (JPY: 0)
    symbols: tuple[str, ...]  # printable symbols, first is the usual one
    ambiguous: bool = False  # the symbol alone does not identify the currency ($ for CAD, kr for SEK)


CURRENCIES: dict[str, Currency] = {
    c.code: c
    for c in (
        Currency("EUR", 2, ("€",)),
        Currency("USD", 2, ("$", "US$")),
        Currency("GBP", 2, ("£",)),
        Currency("CHF", 2, ("CHF", "Fr.")),
        Currency("SEK", 2, ("kr",), ambiguous=True),
        Currency("DKK", 2, ("kr.",), ambiguous=True),
        Currency("PLN", 2, ("zł",)),
        Currency("JPY", 0, ("¥",)),
        Currency("CAD", 2, ("CA$", "C$", "$"), ambiguous=True),
        Currency("AUD", 2, ("A$", "AU$", "$"), ambiguous=True),
    )
}


def quantize(value: Decimal, places: int) -> Decimal:
    """Round half up (commercial rounding) to ``places`` decimals."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def to_minor(value: Decimal, currency: str) -> Decimal:
    return quantize(value, CURRENCIES[currency].minor)


def decimal_str(value: Decimal | None) -> str | None:
    """The truth form of an amount or quantity: plain decimal string, no exponent."""
    if value is None:
        return None
    return format(value, "f")


@dataclass(frozen=True, slots=True)
class NumberFormat:
    """How digits are grouped and where the decimal mark is: 1,234.56 / 1.234,56 / 1 234,56 / 1'234.56."""

    group: str  # "" for no grouping
    decimal: str

    def format(self, value: Decimal, places: int) -> str:
        q = quantize(value, places)
        sign = "-" if q < 0 else ""
        text = f"{abs(q):.{places}f}"
        whole, _, frac = text.partition(".")
        if self.group and len(whole) > 3:
            parts = []
            while len(whole) > 3:
                parts.insert(0, whole[-3:])
                whole = whole[:-3]
            parts.insert(0, whole)
            whole = self.group.join(parts)
        return sign + whole + (self.decimal + frac if places else "")


US = NumberFormat(",", ".")
EU = NumberFormat(".", ",")
FR = NumberFormat(" ", ",")
FR_NBSP = NumberFormat("\u00a0", ",")
CH = NumberFormat("'", ".")
PLAIN_COMMA = NumberFormat("", ",")
PLAIN_DOT = NumberFormat("", ".")


@dataclass(frozen=True, slots=True)
class MoneyFormat:
    """How an amount is shown: the number format plus the currency mark, its place and spacing.

    ``mark`` is what is printed (a symbol or the ISO code); ``where`` is "before", "after" or "none" (amounts
    printed bare, the currency shown elsewhere on the page).
    """

    number: NumberFormat
    mark: str
    where: str  # "before" | "after" | "none"
    space: bool
    places: int

    def format(self, value: Decimal, *, bare: bool = False) -> str:
        digits = self.number.format(abs(value), self.places)
        sign = "-" if quantize(value, self.places) < 0 else ""
        if bare or self.where == "none":
            return sign + digits
        gap = " " if self.space else ""
        if self.where == "before":
            return f"{sign}{self.mark}{gap}{digits}"
        return f"{sign}{digits}{gap}{self.mark}"
