"""Money amounts as printed on invoices, in any of the usual locales.

``parse_amount("1.234,56 €")`` → ``Decimal("1234.56")``. Handles grouping with ``.`` ``,`` spaces (incl. no-break
and narrow no-break spaces) and apostrophes, a decimal comma or point, currency symbols and ISO codes before or
after the number, and negatives written ``-12.00``, ``12.00-``, ``(12.00)`` or with a Unicode minus.

The decimal separator is ambiguous in a single value (``1,234`` is 1234 in the US and 1.234 in Germany), so the
field parser decides it once per document (:func:`decimal_separator_of`) and passes it in; without it a lone
separator followed by exactly three digits is read as grouping, anything else as the decimal mark.

The Textract engine reuses :func:`parse_amount`; keep its signature.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = ["AmountMatch", "decimal_separator_of", "find_amounts", "parse_amount"]

# Currency markers that may sit next to a number. Longest first so "US$" wins over "$".
CURRENCY_TOKENS: tuple[str, ...] = (
    "US$", "USD", "EUR", "GBP", "CHF", "JPY", "CNY", "INR", "AUD", "CAD", "NZD", "SEK", "NOK", "DKK", "PLN", "CZK",
    "HUF", "RON", "BGN", "HRK", "TRY", "RUB", "BRL", "MXN", "ZAR", "SGD", "HKD", "MYR", "THB", "IDR", "PHP", "KRW",
    "AED", "SAR", "ILS", "RM", "R$", "A$", "C$", "NZ$", "S$", "HK$", "CA$", "AU$", "Fr.", "SFr.", "Kč", "zł", "kr.",
    "kr", "Ft", "lei", "€", "$", "£", "¥", "₹", "₽", "₩", "₺", "₪", "₱", "฿",
)
_CURRENCY_RE = "|".join(re.escape(t) for t in sorted(CURRENCY_TOKENS, key=len, reverse=True))
_SPACES = "\u00a0\u202f\u2009\u2007 "
_MINUS = "-\u2212\u2013"
_MINUS_CLASS = r"\-\u2212\u2013"  # for use inside [...]
# A number: digits with optional grouping (. , space, apostrophe) and an optional decimal part.
_NUMBER = r"\d{1,3}(?:[.,'’\u00a0\u202f\u2009\u2007 ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?|[.,]\d{1,2}(?!\d)"
_NUMBER_RE = re.compile(_NUMBER)
_FULL_RE = re.compile(
    rf"""^\s*
    (?P<pre>[({_MINUS_CLASS}+]?\s*(?:(?:{_CURRENCY_RE})\s*[{_MINUS_CLASS}]?\s*)?)
    (?P<num>{_NUMBER})
    (?P<dash>,-{{1,2}}|\.-{{1,2}})?
    (?P<post>\s*(?:{_CURRENCY_RE})?\s*[){_MINUS_CLASS}]?\s*(?:CR|DR)?)\s*$""",
    re.X | re.I,
)


def _to_decimal(num: str, decimal_sep: str | None) -> Decimal | None:
    """Turn the digits-and-separators part into a Decimal, deciding which separator is the decimal mark."""
    num = re.sub(f"[{_SPACES}'’]", " ", num)
    has_space_groups = " " in num
    digits_only = num.replace(" ", "")
    seps = [c for c in digits_only if c in ".,"]
    if not seps:
        value = digits_only
    else:
        last = digits_only.rfind(seps[-1])
        tail = digits_only[last + 1 :]
        kinds = set(seps)
        if len(kinds) == 2:
            # Both kinds: the last one is the decimal mark; the other must be grouping.
            dec = seps[-1]
            group = "," if dec == "." else "."
            if digits_only.count(dec) != 1:
                return None
            head = digits_only[:last]
            if not _valid_grouping(head, group):
                return None
            value = head.replace(group, "") + "." + tail
        else:
            sep = seps[0]
            if len(seps) > 1:
                # Repeated single kind: grouping (1,234,567 or 1.234.567).
                if not _valid_grouping(digits_only, sep):
                    return None
                if decimal_sep == sep and not has_space_groups:
                    return None  # "1.234.567" cannot have a decimal point repeated
                value = digits_only.replace(sep, "")
            else:
                head = digits_only[:last]
                could_group = len(tail) == 3 and head not in ("", "0", "-") and (
                    has_space_groups or len(head) <= 3
                )
                if not could_group:
                    # "12.50" in a document that writes a decimal comma: the printed mark wins.
                    is_decimal = True
                elif decimal_sep is not None:
                    is_decimal = sep == decimal_sep
                elif has_space_groups:
                    is_decimal = True  # "1 234,56": spaces group, so the mark is decimal
                else:
                    is_decimal = False  # "1,234" / "1.234": grouping is the likelier reading on an invoice
                value = head + ("." if is_decimal else "") + tail
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def _valid_grouping(text: str, group: str) -> bool:
    parts = text.replace(" ", group).split(group)
    if len(parts) == 1:
        return True
    return 1 <= len(parts[0]) <= 3 and all(len(p) == 3 for p in parts[1:])


def parse_amount(text: str, *, decimal_sep: str | None = None) -> Decimal | None:
    """The amount ``text`` holds as a whole (currency marks and signs allowed), or None if it is not one amount.

    ``decimal_sep`` is ``"."`` or ``","`` when the document's habit is known.
    """
    if not text or len(text) > 64:
        return None
    m = _FULL_RE.match(text)
    if m is None:
        return None
    pre, post = m["pre"], m["post"]
    value = _to_decimal(m["num"], decimal_sep)
    if value is None:
        return None
    negative = (
        any(c in pre for c in _MINUS + "(")
        or any(c in post for c in _MINUS)
        or post.strip().upper().endswith("CR")
    )
    if "(" in pre and ")" not in post:
        return None
    if ")" in post and "(" not in pre:
        return None
    return -value if negative and value != 0 else value


@dataclass(frozen=True, slots=True)
class AmountMatch:
    start: int
    end: int
    value: Decimal
    has_currency: bool  # a currency symbol or code was attached
    decimals: int  # digits after the decimal mark (0 if none)


_FIND_RE = re.compile(
    rf"""(?<![\w.,/:\-])
    (?P<all>
      (?P<pre>\(?[{_MINUS_CLASS}]?\s?(?:(?:{_CURRENCY_RE})\s?[{_MINUS_CLASS}]?\s?)?)
      (?P<num>{_NUMBER})
      (?P<dash>,-{{1,2}}|\.-{{1,2}})?
      (?P<post>\s?(?:{_CURRENCY_RE})(?![A-Za-z])|\)|-(?!\d))?
    )(?![\w/]|[.,]\d|%|\s?%|-\d)""",
    re.X,
)


def find_amounts(text: str, *, decimal_sep: str | None = None) -> Iterator[AmountMatch]:
    """Every amount-like number in ``text``, left to right. Percentages, dates and ids are skipped."""
    for m in _FIND_RE.finditer(text):
        raw = m["all"]
        pre = m["pre"] or ""
        if "(" in pre and not raw.endswith(")"):
            raw = raw[raw.index("(") + 1 :]
        value = parse_amount(raw, decimal_sep=decimal_sep)
        if value is None:
            continue
        num = m["num"]
        tail = re.split(r"[.,]", num)[-1] if re.search(r"[.,]\d+$", num) else ""
        is_decimal = bool(tail) and value != value.to_integral_value() or (bool(tail) and len(tail) != 3)
        decimals = len(tail) if is_decimal else 0
        has_currency = bool(re.search(_CURRENCY_RE, pre + (m["post"] or ""), re.I))
        yield AmountMatch(m.start("all"), m.end("all"), value, has_currency, decimals)


_DEC_COMMA = re.compile(r"(?<![\d.,])\d{1,3}(?:[.\u00a0\u202f ']\d{3})*,\d{2}(?!\d)")
_DEC_POINT = re.compile(r"(?<![\d.,])\d{1,3}(?:[,\u00a0\u202f ']\d{3})*\.\d{2}(?!\d)")


def decimal_separator_of(texts: Iterable[str], *, default: str | None = None) -> str | None:
    """The decimal mark a document uses, by counting values with two decimals written each way."""
    comma = point = 0
    for text in texts:
        if "," in text:
            comma += len(_DEC_COMMA.findall(text))
        if "." in text:
            point += len(_DEC_POINT.findall(text))
    if comma > point:
        return ","
    if point > comma:
        return "."
    return default
