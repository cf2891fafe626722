"""Vendor tax ID and IBAN checksums (python-stdnum), and a changed IBAN as a possible payment-fraud risk.

The tax ID's scheme is taken from its country prefix (EU VAT numbers, GB, CH, NO, ...), else from the vendor's
country, else a US EIN written as 12-3456789; a number whose scheme cannot be told is not judged.
"""

from __future__ import annotations

import re
from types import ModuleType

from stdnum import get_cc_module
from stdnum import iban as iban_scheme
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError
from stdnum.us import ein as us_ein

from invoices.models import Invoice, Status

from .base import ERROR, Finding, RuleContext, rule

_EU = set(eu_vat.MEMBER_STATES) | {"el"}
_EIN = re.compile(r"^\d{2}-\d{7}$")


def _problem(exc: ValidationError) -> str:
    if isinstance(exc, InvalidChecksum):
        return "its check digits do not match (a character may be misread or mistyped)"
    if isinstance(exc, InvalidLength):
        return "it has the wrong number of characters"
    if isinstance(exc, InvalidComponent):
        return "part of it is not valid (for example its country or bank code)"
    if isinstance(exc, InvalidFormat):
        return "it is not written in the expected format"
    return "it is not valid"


def tax_id_schemes(value: str, country: str = "") -> list[tuple[ModuleType, str]]:
    """The number schemes a tax ID may be in, with a name for people; empty when it cannot be told."""
    compact = re.sub(r"[\s.\-/]", "", value).lower()
    prefix = compact[:2]
    schemes: list[tuple[ModuleType, str]] = []
    if prefix.isalpha():
        if prefix in _EU:
            schemes.append((eu_vat, "EU VAT number"))
        for kind in ("vat", "uid"):
            module = get_cc_module(prefix, kind)
            if module is not None and module is not eu_vat:
                schemes.append((module, f"{prefix.upper()} {'VAT number' if kind == 'vat' else 'company number'}"))
    elif country:
        module = get_cc_module(country.lower(), "vat")
        if module is not None:
            schemes.append((module, f"{country.upper()} VAT number"))
    if not schemes and _EIN.match(value.strip()):
        schemes.append((us_ein, "US employer identification number"))
    return schemes


@rule
def vendor_tax_id(ctx: RuleContext):
    value = (ctx.values.get("vendor_tax_id") or "").strip()
    if not value:
        return
    country = ctx.invoice.vendor.country if ctx.invoice.vendor_id else ""
    schemes = tax_id_schemes(value, country)
    if not schemes:
        return
    first_error: ValidationError | None = None
    for module, name in schemes:
        try:
            module.validate(value)
        except ValidationError as exc:
            first_error = first_error or exc
            continue
        yield Finding("checksum.tax_id", ERROR, True, f"The vendor's tax ID is a valid {name}.", ("vendor_tax_id",))
        return
    name = schemes[0][1]
    yield Finding("checksum.tax_id", ERROR, False,
                  f"The vendor's tax ID {value[:40]} is not a valid {name}: {_problem(first_error)}. "
                  "Check it against the document and the vendor's records.", ("vendor_tax_id",))


def masked(iban: str) -> str:
    compact = re.sub(r"\s+", "", iban)
    return f"{compact[:2]}…{compact[-4:]}" if len(compact) > 6 else "…"


@rule
def iban_checksum(ctx: RuleContext):
    value = (ctx.values.get("iban") or "").strip()
    if not value:
        return
    try:
        iban_scheme.validate(value)
    except ValidationError as exc:
        yield Finding("checksum.iban", ERROR, False,
                      f"The IBAN {masked(value)} is not valid: {_problem(exc)}. Do not pay to it before checking it "
                      "against the document.", ("iban",))
        return
    yield Finding("checksum.iban", ERROR, True, "The IBAN's check digits are valid.", ("iban",))


@rule
def iban_unchanged(ctx: RuleContext):
    """A vendor asking to be paid into another account than before is a classic payment-fraud pattern."""
    invoice = ctx.invoice
    current = re.sub(r"\s+", "", invoice.iban or "").upper()
    if not current or invoice.vendor_id is None:
        return
    earlier = (
        Invoice.objects.filter(vendor_id=invoice.vendor_id, status=Status.APPROVED, deleted_at__isnull=True)
        .exclude(pk=invoice.pk).exclude(iban="").values_list("iban", flat=True)
    )
    known = {re.sub(r"\s+", "", iban).upper() for iban in earlier}
    on_record = re.sub(r"\s+", "", invoice.vendor.iban or "").upper()
    if on_record:
        known.add(on_record)
    if not known:
        return  # a first invoice from this vendor: nothing to compare with
    if current in known:
        yield Finding("fraud.iban_changed", ERROR, True,
                      "The IBAN is the one this vendor was paid to before.", ("iban",))
        return
    before = ", ".join(sorted(masked(iban) for iban in known))
    yield Finding("fraud.iban_changed", ERROR, False,
                  f"The IBAN {masked(current)} differs from the one this vendor was paid to before ({before}). "
                  "A changed bank account is a common sign of payment fraud: confirm the new account with the "
                  "vendor through a known phone number before paying.", ("iban",))
