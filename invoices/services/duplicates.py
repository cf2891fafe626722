"""A person's decision that two invoices flagged as probable duplicates are not duplicates.

The decision is symmetric (one :class:`DuplicateDismissal` row each way), audited on both invoices, and clears
``has_duplicates`` where no other undismissed duplicate remains. The duplicate rule of the pipeline must skip
dismissed pairs when it runs again (``DuplicateDismissal`` is the record it reads).
"""

from __future__ import annotations

from django.db import transaction

from ..models import REVIEWABLE_STATUSES, AuditEvent, DuplicateDismissal, Invoice, RuleResult
from .audit import audit_record
from .workflow import InvalidTransition


def flagged_duplicate_ids(invoice: Invoice) -> set:
    """Ids of the invoices the latest rules flagged as probable duplicates of ``invoice`` (either direction)."""
    failed = RuleResult.objects.filter(passed=False, code__startswith="duplicate")
    forward = failed.filter(invoice=invoice, related_invoice__isnull=False).values_list("related_invoice_id", flat=True)
    backward = failed.filter(related_invoice=invoice).values_list("invoice_id", flat=True)
    return set(forward) | set(backward)


def invoice_dismiss_duplicate(*, invoice_id, other_id, user) -> bool:
    """Record that ``invoice_id`` and ``other_id`` are not duplicates. Returns False when already recorded.

    Raises InvalidTransition when the two were never flagged as duplicates of each other.
    """
    if str(invoice_id) == str(other_id):
        raise InvalidTransition("An invoice cannot be a duplicate of itself.")
    with transaction.atomic():
        # Lock both rows in a fixed order so two people dismissing the same pair cannot deadlock.
        locked = {
            str(i.pk): i
            for i in Invoice.objects.select_for_update().filter(pk__in=[invoice_id, other_id]).order_by("pk")
        }
        if len(locked) != 2:
            raise Invoice.DoesNotExist("One of the two invoices does not exist.")
        invoice, other = locked[str(invoice_id)], locked[str(other_id)]
        pairs = DuplicateDismissal.objects.filter(invoice__in=[invoice, other], other__in=[invoice, other])
        if pairs.count() == 2:
            return False  # check, then do: already decided (the rules may since have dropped the flag)
        if other.pk not in flagged_duplicate_ids(invoice):
            raise InvalidTransition(
                f"{_label(other)} is not flagged as a possible duplicate of {_label(invoice)}; nothing to dismiss."
            )
        for a, b in ((invoice, other), (other, invoice)):
            DuplicateDismissal.objects.get_or_create(invoice=a, other=b, defaults={"dismissed_by": user})
        for a, b in ((invoice, other), (other, invoice)):
            audit_record(
                action=AuditEvent.Action.DUPLICATE_DISMISSED,
                invoice=a,
                user=user,
                field="duplicate_of",
                old=str(b.pk),
                detail={"other": str(b.pk), "other_label": _label(b)},
            )
            _refresh_duplicate_flag(a)
    return True


def _refresh_duplicate_flag(invoice: Invoice) -> None:
    dismissed = set(DuplicateDismissal.objects.filter(invoice=invoice).values_list("other_id", flat=True))
    still = bool(flagged_duplicate_ids(invoice) - dismissed)
    if still != invoice.has_duplicates:
        invoice.has_duplicates = still
        invoice.save(update_fields=["has_duplicates", "updated_at"])
    if invoice.status in REVIEWABLE_STATUSES:
        from pipeline import hooks

        # Rules and routing again: an invoice held only as a possible duplicate may now be ready.
        hooks.invoice_fields_changed(invoice)


def _label(invoice: Invoice) -> str:
    return f"Invoice “{invoice.invoice_number or invoice.original_name}”"
