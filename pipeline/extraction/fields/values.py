"""Reading one field's value out of a piece of text: ids, dates, amounts, IBANs, tax ids, terms, currencies.

Each reader takes the text a label points at and returns :class:`Value` objects with the character span the
value came from (so the caller can map it back to words and their box) and a ``quality`` in 0..1: how well
the text has the shape of that field. Readers know nothing of labels or positions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from stdnum import iban as iban_check

from ..parsing.amounts import find_amounts
from ..parsing.dates import find_dates

__all__ = [
    "Value", "read_amounts", "read_currency", "read_date", "read_iban", "read_id", "read_name", "read_tax_id",
    "read_terms", "ISO_CURRENCIES",
]


@dataclass(frozen=True, slots=True)
class Value:
    value: str
    start: int
    end: int
    quality: float = 1.0
    number: Decimal | None = None  # amounts: the parsed value


_ID_TOKEN = re.compile(r"[#A-Za-z0-9][A-Za-z0-9\-/_.#:]*[A-Za-z0-9]|[0-9]")
_LEAD = " \t:;#*|-–=>"
_WORDY = re.compile(r"^(?:no|nr|nbr|num|number|nummer|numero|n°|nº|ref|id)\.?:?$", re.I)


def read_id(text: str) -> list[Value]:
    """An identifier (invoice or order number): the first token with a digit, that is no date or amount."""
    pos = 0
    n = len(text)
    tokens = 0
    while pos < n and tokens < 3:
        while pos < n and text[pos] in _LEAD:
            pos += 1
        m = _ID_TOKEN.match(text, pos)
        if m is None:
            # skip one non-token word
            nxt = text.find(" ", pos)
            if nxt < 0:
                return []
            pos = nxt
            tokens += 1
            continue
        token = m.group(0).rstrip(".:")
        end = m.start() + len(token)
        tokens += 1
        if _WORDY.match(token):
            pos = m.end()
            continue
        if not any(c.isdigit() for c in token):
            if len(token) >= 4 and token.isupper() and tokens == 1 and len(text.strip(_LEAD)) == len(token):
                return [Value(token, m.start(), end, 0.55)]
            return []
        if _is_date_or_amount(token, text, m.start(), end):
            return []
        quality = 1.0
        digits = sum(c.isdigit() for c in token)
        if len(token) < 3:
            quality = 0.6
        elif digits < 2:
            quality = 0.8
        if len(token) > 25:
            quality = 0.6
        return [Value(token, m.start(), end, quality)]
    return []


def _is_date_or_amount(token: str, text: str, start: int, end: int) -> bool:
    for d in find_dates(text[start:]):
        if d.start == 0 and d.end >= len(token) - 1:
            return True
        break
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})*[.,]\d{2}", token):
        return True
    if text[end:end + 2].strip().startswith("%"):
        return True
    return False


def read_date(text: str, order: str) -> list[Value]:
    dates = list(find_dates(text, order=order))
    if not dates:
        return []
    first = dates[0]
    quality = 1.0
    if len(dates) > 1:
        quality = 0.7  # a period ("01.03. – 31.03.2025") or several dates: less sure which one
    if first.ambiguous:
        quality *= 0.92
    return [Value(first.value.isoformat(), first.start, first.end, quality)]


def read_amounts(text: str, decimal_sep: str | None) -> list[Value]:
    out = []
    for m in find_amounts(text, decimal_sep=decimal_sep):
        quality = 1.0 if m.decimals == 2 else 0.9 if m.decimals == 0 and m.has_currency else 0.8
        if m.decimals not in (0, 2):
            quality = 0.6
        out.append(Value(_plain(m.value), m.start, m.end, quality, m.value))
    return out


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text


_IBAN_RE = re.compile(r"\b([A-Z]{2}\d{2}(?:[ \u00a0]?[A-Z0-9]){10,30})")


def read_iban(text: str) -> list[Value]:
    out = []
    upper = text.upper()
    for m in _IBAN_RE.finditer(upper):
        raw = m.group(1)
        # Take the longest prefix that is a valid IBAN (the text may run on after it).
        compact_positions = [i for i, c in enumerate(raw) if c not in " \u00a0"]
        for k in range(len(compact_positions), 13, -1):
            cut = compact_positions[k - 1] + 1
            candidate = raw[:cut].replace(" ", "").replace("\u00a0", "")
            if iban_check.is_valid(candidate):
                out.append(Value(candidate, m.start(1), m.start(1) + cut, 1.0))
                break
    return out


_TAX_TOKEN = re.compile(
    r"(?<![\w])("
    r"CHE[\-. ]?\d{3}[.\-]?\d{3}[.\-]?\d{3}(?:\s*(?:MWST|TVA|IVA))?"
    r"|[A-Z]{2}[ \-]?[0-9A-Z][0-9A-Z .\-]{5,16}[0-9A-Z]"  # EU VAT: DE123456789, FR 12 345678901, NL...B01
    r"|\d{2}-\d{7}"  # US EIN
    r"|\d{2}\s\d{3}\s\d{3}\s\d{3}"  # AU ABN
    r"|[0-9A-Z][0-9A-Z.\-/ ]{4,18}[0-9A-Z]"
    r")(?![\w])"
)


def read_tax_id(text: str) -> list[Value]:
    stripped = text
    for m in _TAX_TOKEN.finditer(stripped):
        token = m.group(1).strip(" .-")
        digits = sum(c.isdigit() for c in token)
        if digits < 5:
            continue
        # Stop at a second label-like word ("DE123 Steuernummer 12/345").
        quality = 1.0 if re.match(r"^[A-Z]{2}", token) or "-" in token else 0.85
        return [Value(token, m.start(1), m.start(1) + len(token), quality)]
    return []


def read_terms(text: str) -> list[Value]:
    stripped = text.strip(" :;-–|")
    if not stripped or len(stripped) > 120:
        return []
    start = text.index(stripped)
    end = start + len(stripped.rstrip("."))
    if not any(c.isalpha() for c in stripped) and not any(c.isdigit() for c in stripped):
        return []
    return [Value(text[start:end], start, end, 0.9)]


ISO_CURRENCIES = frozenset(
    "EUR USD GBP CHF SEK NOK DKK PLN CZK HUF RON BGN JPY CNY INR AUD CAD NZD SGD HKD ZAR BRL MXN TRY RUB AED SAR "
    "ILS KRW THB MYR IDR PHP ISK".split()
)
_CODE_RE = re.compile(r"(?<![A-Za-z])([A-Z]{3})(?![A-Za-z])")


def read_currency(text: str) -> list[Value]:
    for m in _CODE_RE.finditer(text.upper()):
        if m.group(1) in ISO_CURRENCIES:
            return [Value(m.group(1), m.start(1), m.end(1), 1.0)]
    return []


_NOT_NAME = re.compile(r"@|www\.|https?:|\+?\d[\d ()/-]{6,}")


def read_name(text: str) -> list[Value]:
    stripped = text.strip(" :;-–|,")
    if not stripped or not any(c.isalpha() for c in stripped) or _NOT_NAME.search(stripped):
        return []
    if len(stripped) > 80:
        return []
    start = text.index(stripped)
    return [Value(stripped, start, start + len(stripped), 0.9)]
