"""The shape of a business rule: a small named function from an invoice's facts to findings.

A rule returns one :class:`Finding` per thing it checked (passed or not) and nothing when it does not apply
(no IBAN on the invoice, no line items): a rule that could not look is neither a pass nor a failure. Messages
are for a finance person: what is wrong, with the amounts, and what to check; never a stack trace or a code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property

from django.conf import settings

from invoices.models import Invoice, LineItem, RuleResult

Severity = RuleResult.Severity
ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

LABELS = {
    "invoice_number": "invoice number",
    "invoice_date": "invoice date",
    "due_date": "due date",
    "vendor_name": "vendor",
    "vendor_tax_id": "vendor's tax ID",
    "currency": "currency",
    "subtotal": "subtotal",
    "tax": "tax amount",
    "total": "total",
    "amount_due": "amount due",
    "iban": "IBAN",
}


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    severity: str
    passed: bool
    message: str
    fields: tuple[str, ...] = ()
    related_invoice: Invoice | None = None


@dataclass
class RuleContext:
    """What rules look at: the invoice's typed columns, the raw field texts, its line items, today, thresholds."""

    invoice: Invoice
    values: dict[str, str]  # field name → text as extracted or corrected
    line_items: list[LineItem]
    today: date
    tolerance_per_line: int = field(default_factory=lambda: settings.PIPELINE_ROUNDING_TOLERANCE_PER_LINE)
    future_tolerance_days: int = field(default_factory=lambda: settings.PIPELINE_FUTURE_DATE_TOLERANCE_DAYS)
    max_age_days: int = field(default_factory=lambda: settings.PIPELINE_MAX_INVOICE_AGE_DAYS)

    @cached_property
    def precision(self) -> int:
        """Decimal places of the invoice's currency (2 when unknown)."""
        from .currency import currency_precision

        return currency_precision(self.invoice.currency) if self.invoice.currency else 2

    @property
    def minor_unit(self) -> Decimal:
        return Decimal(1).scaleb(-self.precision)

    def tolerance(self, lines: int) -> Decimal:
        """Rounding allowed in a sum: so many minor units (cents) per line, counting at least one line."""
        return self.minor_unit * self.tolerance_per_line * max(1, lines)

    def money(self, value: Decimal | None) -> str:
        if value is None:
            return "-"
        text = f"{value:,.{max(self.precision, decimals(value))}f}"
        return f"{text} {self.invoice.currency}".strip()


def decimals(value: Decimal) -> int:
    """Significant decimal places: 12.50 → 1, 12.345 → 3, 1200 → 0."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


Rule = Callable[[RuleContext], Iterable[Finding]]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    """Register a rule; rules run in the order they are registered."""
    RULES.append(fn)
    return fn


def evaluate(ctx: RuleContext) -> list[Finding]:
    findings: list[Finding] = []
    for check in RULES:
        findings.extend(check(ctx))
    return findings
