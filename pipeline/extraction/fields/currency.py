"""The invoice's currency: an ISO code printed on the document, else its currency symbols, else the vendor's
country (from the vendor's IBAN or VAT id) when the symbol is shared by several currencies ("$", "kr")."""

from __future__ import annotations

import re
from collections import Counter

from ..types import BBox
from .context import US_ADDRESS, Context
from .values import ISO_CURRENCIES

__all__ = ["find_currency"]

_CODE = re.compile(r"(?<![A-Za-z])(" + "|".join(sorted(ISO_CURRENCIES)) + r")(?![A-Za-z])")
_SYMBOLS = [
    ("US$", "USD"), ("CA$", "CAD"), ("C$", "CAD"), ("AU$", "AUD"), ("A$", "AUD"), ("NZ$", "NZD"), ("HK$", "HKD"),
    ("S$", "SGD"), ("R$", "BRL"), ("€", "EUR"), ("£", "GBP"), ("¥", "JPY"), ("₹", "INR"), ("₽", "RUB"),
    ("₩", "KRW"), ("₺", "TRY"), ("₪", "ILS"), ("zł", "PLN"), ("Kč", "CZK"), ("$", "$"),
]
_KR = re.compile(r"(?<![A-Za-z])kr\.?(?![A-Za-z])")
_RS = re.compile(r"(?<![A-Za-z])(?:Rs\.?|INR)(?=\s?-?\d)")
_NUMBER_NEAR = re.compile(r"\d")
_COUNTRY_CURRENCY = {
    "US": "USD", "CA": "CAD", "AU": "AUD", "NZ": "NZD", "GB": "GBP", "SE": "SEK", "DK": "DKK", "NO": "NOK",
    "PL": "PLN", "JP": "JPY", "CH": "CHF", "CZ": "CZK", "IN": "INR", "HU": "HUF", "SG": "SGD", "HK": "HKD",
}
_EURO = {"DE", "AT", "FR", "BE", "ES", "NL", "IT", "IE", "PT", "FI", "LU", "GR", "SK", "SI", "EE", "LV", "LT", "MT",
         "CY", "HR"}


def _us_address(ctx: Context) -> bool:
    return any(US_ADDRESS.search(seg.text) for seg in ctx.layout.segments)


def country_currency(country: str | None) -> str | None:
    if not country:
        return None
    if country in _EURO:
        return "EUR"
    return _COUNTRY_CURRENCY.get(country)


def find_currency(ctx: Context, *, vendor_country: str | None) -> tuple[str, float, int, BBox | None] | None:
    """(code, confidence, page, bbox) or None."""
    codes: Counter[str] = Counter()
    symbols: Counter[str] = Counter()
    where: dict[str, tuple[int, BBox | None]] = {}
    for seg in ctx.layout.segments:
        text = seg.text
        has_number = bool(_NUMBER_NEAR.search(text))
        labels = ctx.labels_of(seg)
        currency_label = any(lab.kind == "currency" for lab in labels)
        for m in _CODE.finditer(text):
            weight = 2 if has_number or currency_label else 1
            # a row "All amounts in | USD": the code alone in its segment, right of a phrase
            codes[m.group(1)] += weight
            where.setdefault(m.group(1), (seg.page, seg.bbox_of(m.start(1), m.end(1))))
        if not has_number:
            continue
        for m in _RS.finditer(text):
            symbols["INR"] += 1
            where.setdefault("INR", (seg.page, seg.bbox_of(m.start(), m.end())))
        rest = text
        for symbol, code in _SYMBOLS:
            if symbol in rest:
                symbols[code] += rest.count(symbol)
                i = text.find(symbol)
                where.setdefault(code, (seg.page, seg.bbox_of(i, i + len(symbol))))
                rest = rest.replace(symbol, " ")
        for m in _KR.finditer(rest):
            symbols["kr"] += 1
            where.setdefault("kr", (seg.page, seg.bbox_of(m.start(), m.end())))
    local = country_currency(vendor_country)
    if codes:
        code, count = codes.most_common(1)[0]
        others = sum(codes.values()) - count
        conf = 96.0 if count >= 2 and others == 0 else 90.0 if others == 0 else 70.0
        sym_conflict = [s for s in symbols if s not in ("$", "kr", code)]
        if sym_conflict:
            conf = min(conf, 75.0)
        page, bbox = where[code]
        return code, conf, page, bbox
    if symbols:
        sym, count = symbols.most_common(1)[0]
        others = sum(symbols.values()) - count
        page, bbox = where[sym]
        if sym == "$":
            code = local if local in ("USD", "CAD", "AUD", "NZD", "SGD", "HKD") else "USD"
            conf = 88.0 if local == code else 80.0
            if code == "USD" and local is None and _us_address(ctx):
                conf = 88.0  # dollars from a US address (state and ZIP code)
        elif sym == "kr":
            code = local if local in ("SEK", "DKK", "NOK") else "SEK"
            conf = 85.0 if local == code else 55.0
        else:
            code = sym
            conf = 95.0 if count >= 2 else 88.0
        if others:
            conf = min(conf, 70.0)
        return code, conf, page, bbox
    if local:
        return local, 60.0, 1, None
    return None
