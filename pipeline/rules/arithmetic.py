"""Arithmetic: subtotal + tax = total; line items add up to the subtotal; the amount due fits the total.

Sums are allowed a rounding difference of a few minor units (cents) per line item
(``PIPELINE_ROUNDING_TOLERANCE_PER_LINE``, at least one line counted), because tax is often rounded per line.
"""

from __future__ import annotations

from decimal import Decimal

from .base import ERROR, WARNING, Finding, RuleContext, rule


@rule
def subtotal_plus_tax(ctx: RuleContext):
    subtotal, tax, total = ctx.invoice.subtotal, ctx.invoice.tax, ctx.invoice.total
    if subtotal is None or tax is None or total is None:
        return
    difference = subtotal + tax - total
    fields = ("subtotal", "tax", "total")
    if abs(difference) <= ctx.tolerance(len(ctx.line_items)):
        yield Finding("arithmetic.total", ERROR, True, "Subtotal plus tax equals the total.", fields)
    else:
        yield Finding(
            "arithmetic.total", ERROR, False,
            f"Subtotal {ctx.money(subtotal)} plus tax {ctx.money(tax)} is {ctx.money(subtotal + tax)}, "
            f"but the total is {ctx.money(total)} (a difference of {ctx.money(abs(difference))}). "
            "One of the three amounts is wrong.",
            fields,
        )


@rule
def line_items_sum(ctx: RuleContext):
    amounts = [item.amount for item in ctx.line_items]
    if not amounts or any(a is None for a in amounts):
        return  # no lines, or a line without an amount: nothing reliable to add up
    lines_total = sum(amounts, Decimal(0))
    tolerance = ctx.tolerance(len(amounts))
    subtotal, tax, total = ctx.invoice.subtotal, ctx.invoice.tax, ctx.invoice.total
    if subtotal is not None:
        target, label = subtotal, "subtotal"
    elif total is not None and tax is not None:
        target, label = total - tax, "total before tax"
    elif total is not None:
        target, label = total, "total"
    else:
        return
    if abs(lines_total - target) <= tolerance:
        yield Finding("arithmetic.lines", ERROR, True, f"The line items add up to the {label}.", ("subtotal",))
    elif total is not None and label != "total" and abs(lines_total - total) <= tolerance:
        # Lines shown with tax included: they add up to the total, which is consistent too.
        yield Finding("arithmetic.lines", ERROR, True, "The line items (tax included) add up to the total.",
                      ("total",))
    else:
        yield Finding(
            "arithmetic.lines", ERROR, False,
            f"The {len(amounts)} line item{'s' if len(amounts) != 1 else ''} add up to {ctx.money(lines_total)}, "
            f"but the {label} is {ctx.money(target)} (a difference of {ctx.money(abs(lines_total - target))}). "
            "A line may be missing or misread.",
            ("subtotal",) if label == "subtotal" else ("total",),
        )


@rule
def amount_due(ctx: RuleContext):
    due, total = ctx.invoice.amount_due, ctx.invoice.total
    if due is None or total is None:
        return
    fields = ("amount_due", "total")
    tolerance = ctx.tolerance(1)
    sign = -1 if total < 0 else 1  # a credit note: both negative
    due_s, total_s = due * sign, total * sign
    if abs(due - total) <= tolerance:
        yield Finding("arithmetic.amount_due", ERROR, True, "The amount due equals the total.", fields)
    elif due_s < -tolerance:
        yield Finding("arithmetic.amount_due", ERROR, False,
                      f"The amount due ({ctx.money(due)}) has the opposite sign of the total ({ctx.money(total)}).",
                      fields)
    elif due_s > total_s + tolerance:
        yield Finding("arithmetic.amount_due", ERROR, False,
                      f"The amount due ({ctx.money(due)}) is more than the invoice total ({ctx.money(total)}). "
                      "Check both amounts; earlier unpaid balances must not be paid through this invoice.",
                      fields)
    else:
        paid = total - due
        yield Finding("arithmetic.amount_due", WARNING, False,
                      f"The amount due ({ctx.money(due)}) is less than the total ({ctx.money(total)}): "
                      f"{ctx.money(paid)} is shown as already paid. Check that this payment was received.",
                      fields)
