"""Text normalisation shared by the parsers."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["fold", "normalise_name", "squash"]


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    low = c.lower()
    if len(low) != 1:
        return c
    if low.isascii():
        return low
    decomposed = unicodedata.normalize("NFKD", low)
    base = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    if len(base) == 1:
        return base
    if low in "\u2010\u2011\u2012\u2013\u2014\u2212":
        return "-"
    if low in "\u00a0\u202f\u2009\u2007\u2002\u2003":
        return " "
    return low


def fold(text: str) -> str:
    """Lower case, accents removed, odd dashes and spaces made plain; the same length as ``text``.

    Keeping the length lets a match in the folded text point back at the original characters.
    """
    if text.isascii():
        return text.lower()
    return "".join(_fold_char(c) for c in text)


_LEGAL = (
    r"gmbh(?:\s*&\s*co\.?\s*kg)?|mbh|ag|kg|ohg|gbr|ug(?:\s*\(haftungsbeschrankt\))?|e\.?\s?k\.?|e\.?\s?v\.?|"
    r"ltd|limited|llc|l\.l\.c|inc|incorporated|corp|corporation|co|company|plc|llp|lp|pty|pte|"
    r"s\.?a\.?s?|s\.?a\.?r\.?l|sarl|eurl|sas|sasu|s\.?l\.?u?|s\.?c\.?|s\.?r\.?l\.?s?|s\.?p\.?a|s\.?n\.?c|s\.?a\.?s|"
    r"b\.?v\.?|n\.?v\.?|v\.?o\.?f|bvba|sprl|sdn\.?\s*bhd|bhd|sdn|oy|ab|as|a/s|aps|oyj|kft|zrt|sp\.?\s*z\s*o\.?\s*o|"
    r"s\.?\s*coop|cv|ev"
)
_LEGAL_END = re.compile(rf"(?:[\s,.]+(?:{_LEGAL})\.?)+\s*$")


def normalise_name(text: str) -> str:
    """A company or person name reduced for comparison: case, accents, punctuation and legal form ignored.

    "ACME GmbH & Co. KG" and "Acme" compare equal; so do "Coolblue B.V." and "coolblue bv".
    """
    folded = fold(text).replace("&", " and ")
    folded = re.sub(r"\s+", " ", folded).strip()
    stripped = _LEGAL_END.sub("", " " + folded).strip()
    if stripped:
        folded = stripped
    return re.sub(r"[^0-9a-zß]+", "", folded)


def squash(text: str) -> str:
    """Upper case with everything but letters and digits removed: for ids, IBANs, tax numbers."""
    return re.sub(r"[\W_]+", "", fold(text)).upper()
