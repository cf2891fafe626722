"""Fields found by their shape where no label points at them: IBANs (check digits), VAT ids (check digits),
the invoice date as the first date at the top of the first page, payment terms by their usual phrases.

Values in a customer's context ("debited from your account", "Your VAT no.") are skipped; a shape candidate
scores lower than a labelled one, so a label always wins when it exists.
"""

from __future__ import annotations

import re

from stdnum.eu import vat as eu_vat

from ..parsing.dates import find_dates
from ..types import FieldValue
from . import values as v
from .candidates import _CUSTOMER_WORDS, Candidate
from .context import Context

__all__ = ["shape_candidates", "vendor_country"]

_VAT_RE = re.compile(r"(?<![A-Za-z0-9])((?:ATU|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|GB|HR|HU|IE|IT|LT|LU|LV|MT|NL|PL|PT|RO|"
                     r"SE|SI|SK|CHE)[ \-.]?[0-9A-Z][0-9A-Z .\-]{6,16}[0-9A-Z])(?![A-Za-z0-9])")
_TIME_AFTER = re.compile(r"\d,?\s+\d{1,2}:\d{2}")
_TERMS_RE = re.compile(
    r"(?i)(?:\bnet\s*\d{1,3}\b|\b\d{1,3}\s+days?\b|payable\s+(?:within|on\s+receipt|upon)|due\s+(?:on|upon)\s+receipt|"
    r"zahlbar\s+(?:innerhalb|sofort|ohne)|innerhalb\s+von\s+\d+\s+tagen|\d+\s+tage\s+netto|sofort\s+ohne\s+abzug|"
    r"a\s+reception|\d+\s+jours|paiement\s+a|\d+\s+d[ií]as|al\s+contado|\d+\s+dagen|per\s+omgaande|"
    r"\d+\s+(?:gg|giorni)|vista\s+fattura|rimessa\s+diretta)"
)


def _customer_line(text: str) -> bool:
    folded = text.lower()
    return any(w in folded for w in _CUSTOMER_WORDS)


def shape_candidates(ctx: Context, labelled: dict[str, list[Candidate]]) -> list[Candidate]:
    out: list[Candidate] = []
    layout = ctx.layout
    for seg in layout.segments:
        text = seg.text
        line_text = seg.line.text
        if any(c.isdigit() for c in text) and re.search(r"[A-Z]{2}\s?\d\d", text):
            for val in v.read_iban(text):
                if _customer_line(line_text):
                    continue
                out.append(_cand("iban", val, seg, 0.82))
            if not labelled.get("vendor_tax_id"):
                for m in _VAT_RE.finditer(text):
                    token = m.group(1)
                    compact = re.sub(r"[ .\-]", "", token)
                    try:
                        ok = eu_vat.is_valid(compact)
                    except Exception:  # stdnum raises various errors for odd input
                        ok = False
                    if ok and not _customer_line(line_text) and not v.read_iban(text[m.start():]):
                        out.append(_cand("vendor_tax_id", v.Value(token, m.start(1), m.end(1), 1.0), seg, 0.7))
    if not labelled.get("invoice_date"):
        for seg in layout.segments:
            if seg.page != 1 or seg.top > 0.45:
                continue
            labels = ctx.labels_of(seg)
            if labels and labels[0].kind.startswith("x_"):
                continue
            left = [s for s in seg.line.segments if s.right <= seg.left]
            if left and ctx.labels_of(left[-1]) and ctx.labels_of(left[-1])[-1].kind.startswith("x_"):
                continue
            if seg.top < 0.03 or _TIME_AFTER.search(seg.text):
                continue  # a browser's or printer's time stamp ("23.06.23, 11:09"), not the invoice's date
            dates = list(find_dates(text := seg.text, order=ctx.date_order))
            if dates:
                d = dates[0]
                out.append(_cand("invoice_date", v.Value(d.value.isoformat(), d.start, d.end, 1.0), seg, 0.55))
                break
    if not labelled.get("payment_terms"):
        for seg in layout.segments:
            m = _TERMS_RE.search(seg.folded)
            if m and len(seg.text) <= 90 and not seg.folded.startswith(("page", "seite")) \
                    and len(seg.line.segments) <= 2 and sum(c.isalpha() for c in seg.text) >= 6:
                text = seg.text.strip()
                head, colon, tail = text.partition(":")
                if colon and len(head) <= 25 and tail.strip():
                    text = tail.strip()  # "Mode de paiement: 45 jours net"
                if ctx.labels_of(seg) and ctx.labels_of(seg)[0].kind in ("due_date",):
                    continue
                start = seg.text.find(text)
                out.append(_cand("payment_terms", v.Value(text, start, start + len(text), 1.0), seg, 0.5))
                break
    return out


def _cand(name: str, val: v.Value, seg, score: float) -> Candidate:
    return Candidate(field=name, value=val.value, score=score * val.quality, page=seg.page,
                     bbox=seg.bbox_of(val.start, val.end), ocr=seg.confidence_of(val.start, val.end),
                     relation="shape", segment=seg, order=seg.page + seg.top)


def vendor_country(iban: FieldValue | None, tax_id: FieldValue | None) -> str | None:
    if tax_id is not None and re.match(r"^[A-Z]{2}", tax_id.value):
        code = tax_id.value[:2]
        return "GR" if code == "EL" else "CH" if code == "CH" else code
    if iban is not None:
        return iban.value[:2]
    return None
