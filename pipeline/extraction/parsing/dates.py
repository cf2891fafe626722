"""Dates as printed on invoices: numeric in any order, ISO, and with month names in en/de/fr/es/nl/it.

``parse_date("14.03.2025")`` → ``date(2025, 3, 14)``. A numeric date whose day and month are both ≤ 12 is
ambiguous; ``order`` ("DMY", "MDY" or "YMD") says how the document writes dates. The field parser decides it
once per document (:func:`date_order_of`: other unambiguous dates on it, then language and currency); without
it day-first is assumed, which is how most of the world writes dates. Dates with month names, ISO dates and
dates whose day is > 12 need no order.

The Textract engine reuses :func:`parse_date`; keep its signature.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

__all__ = ["DateMatch", "MONTHS", "date_order_of", "find_dates", "parse_date"]

MIN_YEAR, MAX_YEAR = 1970, 2099


def _fold(text: str) -> str:
    """Lower case without accents: "Mär" → "mar", "févr" → "fevr"."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


# Month names and usual abbreviations, accent-free and lower case. Several languages share spellings.
_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "januar", "janner", "jänner", "janvier", "janv", "enero", "ene", "januari", "gennaio", "gen"),
    2: ("february", "feb", "februar", "fevrier", "fevr", "fev", "febrero", "februari", "febbraio", "febr"),
    3: ("march", "mar", "marz", "maerz", "mrz", "mars", "marzo", "maart", "mrt", "marc"),
    4: ("april", "apr", "avril", "avr", "abril", "abr", "aprile"),
    5: ("may", "mai", "mayo", "mei", "maggio", "mag"),
    6: ("june", "jun", "juni", "juin", "junio", "giugno", "giu"),
    7: ("july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug"),
    8: ("august", "aug", "aout", "agosto", "ago", "augustus"),
    9: ("september", "sep", "sept", "septembre", "septiembre", "setiembre", "settembre", "set"),
    10: ("october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott"),
    11: ("november", "nov", "novembre", "noviembre"),
    12: ("december", "dec", "dezember", "dez", "decembre", "diciembre", "dic", "dicembre"),
}
MONTHS: dict[str, int] = {_fold(name): month for month, names in _MONTH_NAMES.items() for name in names}
_MONTH_RE = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))

_WEEKDAYS = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|"
    "montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|mo|di|mi|do|fr|sa|so|"
    "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lun|mar|mer|jeu|ven|sam|dim|"
    "lunes|martes|miercoles|jueves|viernes|sabado|domingo|"
    "maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|"
    "lunedi|martedi|mercoledi|giovedi|venerdi|sabato|domenica"
)

# Numeric: a-sep-b-sep-c where the two separators are the same.
_NUMERIC = r"(?P<a>\d{1,4})(?P<sep>[./\-]|\s?[./\-]\s?)(?P<b>\d{1,2})(?P=sep)(?P<c>\d{2,4})"
# 14 March 2025 / 14. März 2025 / 14 de marzo de 2025 / 1er mars 2025 / 14-Mar-25
_DAY_MONTH = (
    rf"(?P<d1>\d{{1,2}})(?:st|nd|rd|th|er|e|º|°)?\.?[\s\-/]*(?:de\s+)?(?P<m1>{_MONTH_RE})\.?,?[\s\-/]*(?:de\s+|del\s+)?"
    r"(?P<y1>\d{4}|\d{2})"
)
# March 14, 2025 / Mar 14 2025 / March 14th, 2025
_MONTH_DAY = rf"(?P<m2>{_MONTH_RE})\.?\s*(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s?,?\s+(?P<y2>\d{{4}})"
_DATE_RE = re.compile(
    rf"(?<![\w.,/\-])(?:(?:{_WEEKDAYS})\.?,?\s+)?(?:{_NUMERIC}|{_DAY_MONTH}|{_MONTH_DAY})(?![\w/]|[.\-]\d|,\d)",
    re.I,
)


@dataclass(frozen=True, slots=True)
class DateMatch:
    start: int
    end: int
    value: date
    ambiguous: bool  # numeric, day and month both ≤ 12, and read by the given or default order
    kind: str  # "iso", "numeric", "named"
    order_evidence: str | None  # "DMY"/"MDY" when the match itself proves the order (day > 12)


def _year(text: str) -> int | None:
    y = int(text)
    if len(text) == 2:
        y += 2000 if y < 70 else 1900
    elif len(text) != 4:
        return None
    return y if MIN_YEAR <= y <= MAX_YEAR else None


def _make(y: int | None, m: int, d: int) -> date | None:
    if y is None:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _from_match(m: re.Match[str], order: str | None) -> tuple[date, bool, str, str | None] | None:
    if m["a"] is not None:
        a, b, c = m["a"], m["b"], m["c"]
        if len(a) == 4:  # year first: ISO-like, always Y-M-D
            if len(c) > 2:
                return None
            value = _make(_year(a), int(b), int(c))
            return (value, False, "iso", None) if value else None
        if len(a) == 3 or len(c) == 3:
            return None
        x, y_, year = int(a), int(b), _year(c)
        dmy = _make(year, y_, x)
        mdy = _make(year, x, y_)
        if dmy and mdy and x != y_:
            chosen = mdy if order == "MDY" else dmy
            return chosen, True, "numeric", None
        if dmy and not mdy:
            return dmy, False, "numeric", "DMY" if x > 12 else None
        if mdy and not dmy:
            return mdy, False, "numeric", "MDY" if y_ > 12 else None
        if dmy:  # day == month
            return dmy, False, "numeric", None
        return None
    if m["m1"] is not None:
        value = _make(_year(m["y1"]), MONTHS[_fold(m["m1"])], int(m["d1"]))
    else:
        value = _make(_year(m["y2"]), MONTHS[_fold(m["m2"])], int(m["d2"]))
    return (value, False, "named", None) if value else None


def find_dates(text: str, *, order: str | None = None) -> Iterator[DateMatch]:
    """Every date in ``text``, left to right."""
    folded = _fold(text)
    if len(folded) != len(text):  # characters that decompose into several: match on the original
        folded = text
    for m in _DATE_RE.finditer(folded):
        got = _from_match(m, order)
        if got is None:
            continue
        value, ambiguous, kind, evidence = got
        yield DateMatch(m.start(), m.end(), value, ambiguous, kind, evidence)


_FULL_STRIP = " \t\r\n:;,()[]"


def parse_date(text: str, *, order: str | None = None) -> date | None:
    """The date ``text`` holds as a whole (surrounding punctuation and a weekday allowed), else None.

    ``order`` is "DMY", "MDY" or "YMD"; it decides numeric dates whose day and month are both ≤ 12.
    """
    if not text or len(text) > 48:
        return None
    stripped = text.strip(_FULL_STRIP)
    for match in find_dates(stripped, order=order):
        if match.start == 0 and match.end == len(stripped.rstrip(".")):
            return match.value
        if match.start == 0 and match.end == len(stripped):
            return match.value
    return None


def date_order_of(texts: Iterable[str], *, language: str | None = None, currency: str | None = None) -> str:
    """How a document orders day and month: proven by its unambiguous dates, else by language and currency."""
    dmy = mdy = 0.0
    for text in texts:
        if not any(c.isdigit() for c in text):
            continue
        for match in find_dates(text):
            if match.order_evidence == "DMY":
                dmy += 1
            elif match.order_evidence == "MDY":
                mdy += 1
            elif match.kind == "named":
                # "March 14, 2025" is written by month-first locales, "14 March 2025" by day-first ones:
                # weaker evidence than a day > 12, but evidence of the document's habit.
                piece = _fold(text[match.start : match.end])
                month = re.search(_MONTH_RE, piece)
                digit = re.search(r"\d", piece)
                if month is not None and digit is not None:
                    if month.start() < digit.start():
                        mdy += 0.5
                    else:
                        dmy += 0.5
    if dmy != mdy:
        return "DMY" if dmy > mdy else "MDY"
    if language in (None, "en") and currency in ("USD", None):
        return "MDY" if language == "en" and currency == "USD" else "DMY"
    return "DMY"
