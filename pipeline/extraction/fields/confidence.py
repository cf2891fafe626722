"""A field's confidence (0–100) from how its value was found and what confirms it.

Inputs: the best candidate's score (label strength × relation × value shape), how many places agree, how close
the best rival with another value came, cross-checks passed (the totals add up, line items sum to the
subtotal, the amount due equals the total), and the OCR certainty of the value's words. Calibrated on generated
invoices and the corpus so that fields at or above the auto-accept threshold (85) are right ≥ 99.5 % of the time:
a value needs either a strong, uncontested label or a cross-check to get there.
"""

from __future__ import annotations

from .select import Pick

__all__ = ["field_confidence", "ocr_cap"]

# Held below the threshold unless a cross-check confirms them: free text, and amounts (a wrong amount costs money;
# one that adds up with the others is another matter).
_FIELD_CAP = {
    "payment_terms": 80.0,
    "subtotal": 84.0,
    "tax": 84.0,
    "total": 84.0,
    "amount_due": 84.0,
    "vendor_tax_id": 93.0,
}


_UNCONTESTED_BONUS = frozenset({"invoice_number", "invoice_date", "due_date", "po_number"})


def ocr_cap(ocr: float) -> float:
    """The highest confidence a value read with this OCR certainty may have."""
    if ocr >= 99.5:
        return 100.0
    return max(0.0, 25.0 + 0.75 * ocr)


def field_confidence(pick: Pick) -> float:
    s = pick.score
    conf = 40.0 + 55.0 * s
    if pick.support >= 2:
        conf += 4.0
    if pick.rival == 0 and pick.field in _UNCONTESTED_BONUS and s >= 0.75:
        conf += 3.0  # the only candidate the document offers for this field
    if pick.rival > 0:
        margin = s - pick.rival
        if margin < 0.08:
            conf = min(conf, 70.0)
        elif margin < 0.2:
            conf = min(conf - 3.0, 80.0)
        else:
            conf -= 3.0
    if "arith" in pick.evidence and s >= 0.5:
        conf = max(conf, 96.0 if s >= 0.75 else 90.0)
    if "equals total" in pick.evidence or "equals amount due" in pick.evidence:
        conf = max(conf, min(conf + 8.0, 92.0))
    if "paid" in pick.evidence:
        conf = max(conf, min(conf + 8.0, 92.0))
    if "items" in pick.evidence:
        conf = max(conf, 95.0)
    conf = min(conf, _FIELD_CAP.get(pick.field, 100.0) if not pick.evidence else 100.0)
    conf = min(conf, ocr_cap(pick.best.ocr), pick.cap)
    conf = max(conf, pick.floor)
    return round(max(0.0, min(99.0, conf)), 1)
