"""Dates: the invoice date is neither in the future nor implausibly old; the due date is not before it."""

from __future__ import annotations

from datetime import timedelta

from .base import ERROR, WARNING, Finding, RuleContext, rule


@rule
def invoice_date_plausible(ctx: RuleContext):
    issued = ctx.invoice.invoice_date
    if issued is None:
        return
    latest = ctx.today + timedelta(days=ctx.future_tolerance_days)
    earliest = ctx.today - timedelta(days=ctx.max_age_days)
    if issued > latest:
        yield Finding("dates.invoice_date", ERROR, False,
                      f"The invoice date {issued:%Y-%m-%d} is in the future. The date may be misread, "
                      "or the invoice was issued before the goods or services were delivered.", ("invoice_date",))
    elif issued < earliest:
        years = ctx.max_age_days / 365
        age = f"{years:.0f} years" if years >= 1.5 else f"{ctx.max_age_days} days"
        yield Finding("dates.invoice_date", WARNING, False,
                      f"The invoice date {issued:%Y-%m-%d} is more than {age} ago. Check the date, "
                      "and whether this invoice was already paid.", ("invoice_date",))
    else:
        yield Finding("dates.invoice_date", ERROR, True, "The invoice date is plausible.", ("invoice_date",))


@rule
def due_after_issue(ctx: RuleContext):
    issued, due = ctx.invoice.invoice_date, ctx.invoice.due_date
    if issued is None or due is None:
        return
    fields = ("invoice_date", "due_date")
    if due >= issued:
        yield Finding("dates.due_date", ERROR, True, "The due date is on or after the invoice date.", fields)
    else:
        yield Finding("dates.due_date", ERROR, False,
                      f"The due date {due:%Y-%m-%d} is before the invoice date {issued:%Y-%m-%d}; "
                      "one of the two dates is wrong.", fields)
