"""Probable duplicates: the same vendor and invoice number, or the same vendor, total and invoice date.

(The same file twice is refused at intake by its SHA-256.) Rejected, failed and deleted invoices do not count,
and a pair a person marked as not duplicates (DuplicateDismissal, either way round) is not flagged again.
"""

from __future__ import annotations

from django.db.models import Q

from invoices.models import DuplicateDismissal, Invoice, Status

from .base import ERROR, Finding, RuleContext, rule

MAX_LINKS = 5


def dismissed_with(invoice: Invoice) -> set:
    pairs = DuplicateDismissal.objects.filter(Q(invoice=invoice) | Q(other=invoice)).values_list("invoice_id", "other_id")
    return {b if a == invoice.pk else a for a, b in pairs}


def _same_vendor(invoice: Invoice) -> Q | None:
    name = (invoice.vendor_name or "").strip()
    if invoice.vendor_id is not None:
        query = Q(vendor_id=invoice.vendor_id)
        return query | Q(vendor__isnull=True, vendor_name__iexact=name) if name else query
    return Q(vendor_name__iexact=name) if name else None


@rule
def probable_duplicates(ctx: RuleContext):
    invoice = ctx.invoice
    vendor = _same_vendor(invoice)
    if vendor is None:
        return
    by_number = Q(invoice_number__iexact=invoice.invoice_number) if invoice.invoice_number else None
    by_amount = (Q(total=invoice.total, invoice_date=invoice.invoice_date)
                 if invoice.total is not None and invoice.invoice_date is not None else None)
    if by_number is None and by_amount is None:
        return
    candidates = (
        Invoice.objects.filter(vendor, deleted_at__isnull=True)
        .filter((by_number or Q(pk__in=[])) | (by_amount or Q(pk__in=[])))
        .exclude(pk=invoice.pk)
        .exclude(status__in=[Status.REJECTED, Status.FAILED])
        .exclude(pk__in=dismissed_with(invoice))
        .select_related("vendor")
        .order_by("created_at", "id")[:MAX_LINKS]
    )
    found = False
    for other in candidates:
        found = True
        same_number = bool(invoice.invoice_number) and other.invoice_number.lower() == invoice.invoice_number.lower()
        same_amount = by_amount is not None and other.total == invoice.total and other.invoice_date == invoice.invoice_date
        what = " and ".join(part for part, hit in (("invoice number", same_number), ("total and date", same_amount)) if hit)
        label = other.invoice_number or other.original_name
        yield Finding(
            "duplicate.number" if same_number else "duplicate.amount_date", ERROR, False,
            f"Probably a duplicate of invoice {label} (received {other.created_at:%Y-%m-%d}, "
            f"{other.get_status_display().lower()}): same vendor and same {what}. Compare the two; if they are "
            "different invoices, mark them as not duplicates.",
            ("invoice_number",) if same_number else ("total", "invoice_date"),
            related_invoice=other,
        )
    if not found:
        yield Finding("duplicate", ERROR, True, "No other invoice from this vendor has the same number, or the "
                      "same total and date.", ("invoice_number", "total", "invoice_date"))
