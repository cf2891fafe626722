"""Cross-checks every engine's result goes through: evidence that raises or lowers field confidence.

``cross_check(result)`` adjusts confidences in place and appends human-readable issues. Engines call it last,
so the local engine and Textract are held to the same arithmetic.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .types import ExtractionResult

CENT = Decimal("0.01")


def _amount(result: ExtractionResult, name: str) -> Decimal | None:
    field = result.fields.get(name)
    if field is None:
        return None
    try:
        return Decimal(field.value)
    except (InvalidOperation, ValueError):
        return None


def _boost(result: ExtractionResult, names: tuple[str, ...], to: float) -> None:
    for name in names:
        if name in result.fields:
            result.fields[name].confidence = max(result.fields[name].confidence, to)


def _cap(result: ExtractionResult, names: tuple[str, ...], to: float) -> None:
    for name in names:
        if name in result.fields:
            result.fields[name].confidence = min(result.fields[name].confidence, to)


def cross_check(result: ExtractionResult, *, totals_verified: bool = False) -> ExtractionResult:
    """``totals_verified``: the engine already found the totals adding up, counting discounts and shipping
    printed in the totals block, which this check cannot see."""
    subtotal, tax, total = _amount(result, "subtotal"), _amount(result, "tax"), _amount(result, "total")
    arithmetic_failed = False
    if subtotal is not None and tax is not None and total is not None and not totals_verified:
        tolerance = CENT * max(1, len(result.line_items))
        if abs(subtotal + tax - total) <= tolerance:
            _boost(result, ("subtotal", "tax", "total"), 95.0)
        else:
            arithmetic_failed = True
            result.issues.append("subtotal + tax != total")
            _cap(result, ("subtotal", "tax", "total"), 70.0)
    amounts = []
    for item in result.line_items:
        try:
            amounts.append(Decimal(item.amount) if item.amount is not None else None)
        except InvalidOperation:
            amounts.append(None)
    if amounts and all(a is not None for a in amounts):
        items_sum = sum(amounts, Decimal(0))
        target = subtotal if subtotal is not None else total
        if target is not None:
            if abs(items_sum - target) <= CENT * len(amounts):
                for item in result.line_items:
                    item.confidence = max(item.confidence, 95.0)
                # Two independent readings agree: the items table and the labelled amount.
                if not arithmetic_failed:
                    _boost(result, ("subtotal",) if subtotal is not None else ("total",), 92.0)
            else:
                result.issues.append("line items do not sum to the subtotal")
    return result
