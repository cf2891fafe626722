"""Property tests: every amount and date the parsers must read, written in each style invoices use, round-trips."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.extraction.parsing.amounts import parse_amount
from pipeline.extraction.parsing.dates import parse_date

settings.register_profile("parsers", max_examples=300, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
PROFILE = settings.get_profile("parsers")

# --- amounts ----------------------------------------------------------------------------------------------------
# (thousands separator, decimal mark): 1.234,56 / 1 234,56 (space, no-break, narrow no-break) / 1,234.56 / 1'234.56
STYLES = [(".", ","), (" ", ","), ("\u00a0", ","), ("\u202f", ","), (",", "."), ("'", "."), ("", "."), ("", ",")]
CURRENCIES = ["", "€", "$", "£", "EUR", "USD", "CHF"]


def group(integer: int, sep: str) -> str:
    digits = str(integer)
    if not sep:
        return digits
    parts = []
    while digits:
        parts.insert(0, digits[-3:])
        digits = digits[:-3]
    return sep.join(parts)


def fmt(value: Decimal, thousands: str, decimal: str, decimals: int = 2) -> str:
    quantised = abs(value).quantize(Decimal(1).scaleb(-decimals))
    integer, _, fraction = f"{quantised:f}".partition(".")
    text = group(int(integer), thousands)
    return f"{text}{decimal}{fraction}" if decimals else text


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2, allow_nan=False,
                      allow_infinity=False)


@PROFILE
@given(value=amounts, style=st.sampled_from(STYLES), currency=st.sampled_from(CURRENCIES),
       after=st.booleans(), space=st.booleans())
@example(value=Decimal("1234.56"), style=(".", ","), currency="", after=False, space=False)
@example(value=Decimal("1234.56"), style=(" ", ","), currency="", after=False, space=False)
@example(value=Decimal("1234.56"), style=(",", "."), currency="", after=False, space=False)
def test_positive_amounts_round_trip(value, style, currency, after, space):
    thousands, decimal = style
    number = fmt(value, thousands, decimal)
    gap = " " if space else ""
    text = f"{number}{gap}{currency}" if after else f"{currency}{gap}{number}"
    assert parse_amount(text, decimal_sep=decimal) == value, text
    # Two decimals need no hint: the last separator followed by two digits is the decimal mark.
    assert parse_amount(text) == value, text


@PROFILE
@given(value=amounts, style=st.sampled_from(STYLES), sign=st.sampled_from(["-", "()", "\u2212", "trailing-"]))
@example(value=Decimal("12.00"), style=("", "."), sign="-")
@example(value=Decimal("12.00"), style=("", "."), sign="()")
def test_negative_amounts_round_trip(value, style, sign):
    thousands, decimal = style
    number = fmt(value, thousands, decimal)
    text = {"-": f"-{number}", "()": f"({number})", "\u2212": f"\u2212{number}", "trailing-": f"{number}-"}[sign]
    assert parse_amount(text, decimal_sep=decimal) == -value, text


@PROFILE
@given(integer=st.integers(min_value=1000, max_value=999_999_999), style=st.sampled_from(STYLES[:6]))
def test_grouped_whole_amounts_round_trip_with_the_documents_decimal_mark(integer, style):
    thousands, decimal = style
    text = group(integer, thousands)
    assert parse_amount(text, decimal_sep=decimal) == Decimal(integer), text


@PROFILE
@given(value=amounts, style=st.sampled_from(STYLES))
def test_two_decimals_are_read_whatever_the_hint(value, style):
    """A value printed with two decimals is unambiguous: a wrong guess of the document's habit must not change it."""
    thousands, decimal = style
    text = fmt(value, thousands, decimal)
    other = "," if decimal == "." else "."
    assert parse_amount(text, decimal_sep=other) == value, text


@PROFILE
@given(st.text(max_size=40))
def test_parse_amount_never_raises(text):
    got = parse_amount(text)
    assert got is None or isinstance(got, Decimal)


# --- dates ------------------------------------------------------------------------------------------------------
MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
    "en-short": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November",
           "Dezember"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"],
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"],
    "it": ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre",
           "novembre", "dicembre"],
}
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))


@PROFILE
@given(d=dates)
@example(d=date(2025, 3, 14))
@example(d=date(2025, 3, 4))
def test_numeric_dates_round_trip_in_the_documents_order(d):
    assert parse_date(d.strftime("%d.%m.%Y"), order="DMY") == d
    assert parse_date(d.strftime("%d/%m/%Y"), order="DMY") == d
    assert parse_date(d.strftime("%d.%m.%Y")) == d  # day first when nothing says otherwise
    assert parse_date(d.strftime("%m/%d/%Y"), order="MDY") == d
    assert parse_date(d.isoformat()) == d
    assert parse_date(d.isoformat(), order="MDY") == d  # ISO is always year-month-day


@PROFILE
@given(d=dates.filter(lambda d: d.day > 12))
def test_unambiguous_numeric_dates_need_no_order(d):
    assert parse_date(d.strftime("%m/%d/%Y")) == d
    assert parse_date(d.strftime("%d.%m.%Y"), order="MDY") == d


@PROFILE
@given(d=dates, language=st.sampled_from(sorted(MONTHS)), upper=st.booleans())
@example(d=date(2025, 3, 14), language="en-short", upper=False)
@example(d=date(2025, 3, 14), language="de", upper=False)
def test_dates_with_month_names_round_trip(d, language, upper):
    month = MONTHS[language][d.month - 1]
    month = month.upper() if upper else month
    written = {
        "en": [f"{d.day} {month} {d.year}", f"{month} {d.day}, {d.year}"],
        "en-short": [f"{d.day} {month} {d.year}", f"{d.day}-{month}-{d.year}", f"{month} {d.day}, {d.year}"],
        "de": [f"{d.day}. {month} {d.year}", f"{d.day:02d}. {month} {d.year}"],
        "fr": [f"{d.day} {month} {d.year}", f"{'1er' if d.day == 1 else d.day} {month} {d.year}"],
        "es": [f"{d.day} de {month} de {d.year}", f"{d.day} {month} {d.year}"],
        "nl": [f"{d.day} {month} {d.year}"],
        "it": [f"{d.day} {month} {d.year}"],
    }[language]
    for text in written:
        for order in (None, "DMY", "MDY"):
            assert parse_date(text, order=order) == d, (text, order)


@PROFILE
@given(st.text(max_size=40))
def test_parse_date_never_raises(text):
    got = parse_date(text)
    assert got is None or isinstance(got, date)


def test_impossible_dates_are_refused():
    assert parse_date("31.02.2025") is None
    assert parse_date("2025-13-01") is None
    assert parse_date("32 March 2025") is None
