"""The fields of an invoice from its layout: labelled candidates, shapes, the totals block and the parties.

``find_fields(layout)`` returns every contract field it could find as a :class:`FieldValue` with a calibrated
confidence. Steps, one module each: :mod:`.context` (the document's habits and labels), :mod:`.candidates`
(labels linked to values), :mod:`.select` (one value per field), :mod:`.totals` (amounts that add up),
:mod:`.currency`, :mod:`.shapes` (IBANs, tax ids, dates and terms found without a label),
:mod:`.parties` (vendor and customer), :mod:`.confidence`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..layout import Layout
from ..types import FieldValue
from .candidates import Candidate, labelled_candidates
from .confidence import field_confidence, ocr_cap
from .context import Context, build_context
from .currency import find_currency
from .parties import customer_block, find_parties
from .select import Pick, choose
from .shapes import shape_candidates, vendor_country
from .totals import resolve_totals

__all__ = ["FieldsFound", "find_fields"]

_VENDOR_ONLY = frozenset({"vendor_tax_id", "iban"})
_SIMPLE = ("invoice_number", "invoice_date", "due_date", "po_number", "payment_terms", "vendor_tax_id", "iban")


@dataclass(slots=True)
class FieldsFound:
    fields: dict[str, FieldValue]
    picks: dict[str, Pick] = field(default_factory=dict)
    context: Context | None = None
    totals_verified: bool = False  # subtotal, tax and total were found adding up (discounts, shipping counted)


def find_fields(layout: Layout, *, ocr: bool = False) -> FieldsFound:
    ctx = build_context(layout, ocr=ocr)
    labelled = labelled_candidates(ctx)
    customer_segs = customer_block(ctx, labelled)
    by_field: dict[str, list[Candidate]] = {}
    for c in labelled:
        if c.field in _VENDOR_ONLY and c.segment is not None and c.segment.index in customer_segs:
            continue  # the customer's VAT id or IBAN printed in its address block
        by_field.setdefault(c.field, []).append(c)
    for c in shape_candidates(ctx, by_field):
        if c.field in _VENDOR_ONLY and c.segment is not None and c.segment.index in customer_segs:
            continue
        by_field.setdefault(c.field, []).append(c)
    picks: dict[str, Pick] = {}
    for name in _SIMPLE:
        pick = choose(name, by_field.get(name, []))
        if pick is not None:
            picks[name] = pick
    _separate_dates(picks, by_field)
    if "po_number" in picks and "invoice_number" in picks and picks["po_number"].value == picks["invoice_number"].value:
        del picks["po_number"]
    picks.update(resolve_totals(ctx, by_field))
    out: dict[str, FieldValue] = {}
    for name, pick in picks.items():
        out[name] = FieldValue(pick.value, field_confidence(pick), pick.best.page, pick.best.bbox)
    country = vendor_country(out.get("iban"), out.get("vendor_tax_id"))
    currency = find_currency(ctx, vendor_country=country)
    if currency is not None:
        code, conf, page, bbox = currency
        out["currency"] = FieldValue(code, conf, page, bbox)
    for name, party in find_parties(ctx, labelled).items():
        conf = min(party.confidence, ocr_cap(party.ocr))
        out[name] = FieldValue(party.value, round(conf, 1), party.page, party.bbox)
    verified = any("arith" in p.evidence for p in picks.values())
    return FieldsFound(out, picks, ctx, totals_verified=verified)


def _separate_dates(picks: dict[str, Pick], by_field: dict[str, list[Candidate]]) -> None:
    """The due date is not the invoice date's value read through a generic label, and not before it."""
    inv, due = picks.get("invoice_date"), picks.get("due_date")
    if inv is None or due is None:
        return
    if due.value < inv.value:
        due.cap = min(due.cap, 60.0)
        inv.cap = min(inv.cap, 80.0)
    if due.value == inv.value and due.best.segment is inv.best.segment:
        # one date read by both labels: it belongs to the stronger one
        if due.score > inv.score:
            others = [c for c in by_field.get("invoice_date", []) if c.value != due.value]
            replacement = choose("invoice_date", others)
            if replacement is None:
                del picks["invoice_date"]
            else:
                picks["invoice_date"] = replacement
        else:
            del picks["due_date"]
