"""Currency: a real ISO 4217 code, and amounts written in that currency's minor units (JPY none, KWD three)."""

from __future__ import annotations

from functools import cache

from invoices.values import iso_currencies

from .base import ERROR, LABELS, Finding, RuleContext, decimals, rule

AMOUNTS = ("subtotal", "tax", "total", "amount_due")


@cache
def currency_precision(code: str) -> int:
    from babel.numbers import get_currency_precision

    return get_currency_precision(code.upper()) if code.upper() in iso_currencies() else 2


@rule
def currency_code(ctx: RuleContext):
    text = (ctx.values.get("currency") or "").strip()
    if not text:
        return  # the required-fields rule reports it missing
    if text.upper() in iso_currencies():
        yield Finding("currency.iso", ERROR, True, f"{text.upper()} is a valid currency code.", ("currency",))
    else:
        yield Finding("currency.iso", ERROR, False,
                      f"“{text[:20]}” is not an ISO 4217 currency code (such as EUR, USD or GBP); correct the currency.",
                      ("currency",))


@rule
def currency_minor_units(ctx: RuleContext):
    code = ctx.invoice.currency
    if not code:
        return
    present = [(name, getattr(ctx.invoice, name)) for name in AMOUNTS if getattr(ctx.invoice, name) is not None]
    if not present:
        return
    places = ctx.precision
    wrong = [(name, value) for name, value in present if decimals(value) > places]
    if not wrong:
        yield Finding("currency.minor_units", ERROR, True, f"All amounts fit {code}'s {places} decimal places.",
                      tuple(name for name, _ in present))
        return
    unit = "no decimal places" if places == 0 else f"{places} decimal place{'s' if places != 1 else ''}"
    listed = ", ".join(f"the {LABELS[name]} is {ctx.money(value)}" for name, value in wrong)
    yield Finding("currency.minor_units", ERROR, False,
                  f"{code} amounts have {unit}, but {listed}. Check the amounts and the currency.",
                  tuple(name for name, _ in wrong))
