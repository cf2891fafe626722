"""Status changes: claims by workers, failures, approval, rejection and reprocessing.

Every status change is a conditional UPDATE from the expected status (and, for people, the expected version),
so a task run twice, two racing workers, or a stale browser tab each change nothing instead of something wrong.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import (
    FINAL_STATUSES,
    REVIEWABLE_STATUSES,
    TRANSITIONS,
    WORKING_STATUSES,
    AuditEvent,
    Invoice,
    OutboxEvent,
    Status,
)
from .audit import actor_name, audit_record
from .outbox import outbox_record

logger = logging.getLogger(__name__)


class StaleInvoice(Exception):
    """The invoice changed since the person loaded it. ``current`` holds the newer state to show them."""

    def __init__(self, current: Invoice):
        super().__init__(
            f"Someone else saved this invoice in the meantime (now version {current.version}). "
            "Your change was not saved; review the current values and try again."
        )
        self.current = current


class InvalidTransition(Exception):
    """The action does not apply to the invoice in its current status; the message says why."""


def enqueue_extraction(invoice_id) -> None:
    from pipeline import hooks

    transaction.on_commit(lambda: hooks.enqueue_extraction(str(invoice_id)))


def lock_invoice(invoice_id, expected_version: int | None = None) -> Invoice:
    """Lock the row for the rest of the transaction; refuse if a person's expected version is stale."""
    # No join: SELECT ... FOR UPDATE would lock the vendor's row too, and one vendor's invoices would queue behind
    # each other (MariaDB has no FOR UPDATE OF). The vendor loads lazily when needed.
    invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
    if expected_version is not None and invoice.version != int(expected_version):
        raise StaleInvoice(invoice)
    return invoice


def invoice_claim(*, invoice_id, expected: str | Iterable[str], to: str, **updates) -> bool:
    """Move an invoice from an expected status to ``to`` if, and only if, it is still there.

    Returns whether this caller won. Used by workers to claim work: a second run or a racing worker gets False.
    """
    expected_set = [expected] if isinstance(expected, str) else list(expected)
    changed = Invoice.objects.filter(pk=invoice_id, status__in=expected_set).update(
        status=to, version=F("version") + 1, updated_at=timezone.now(), **updates
    )
    return changed == 1


def invoice_set_status(
    invoice: Invoice, *, to: str, user=None, reason: str = "", event: str | None = None, **updates
) -> Invoice:
    """Change the status of a locked invoice, with its audit row and outbox event. Call inside a transaction."""
    if to not in TRANSITIONS.get(invoice.status, frozenset()) and to != invoice.status:
        raise InvalidTransition(f"An invoice that is {invoice.get_status_display().lower()} cannot become {to}.")
    old = invoice.status
    invoice.status = to
    invoice.status_reason = reason
    invoice.version += 1
    for name, value in updates.items():
        setattr(invoice, name, value)
    invoice.save(update_fields=["status", "status_reason", "version", "updated_at", *updates])
    audit_record(
        action=AuditEvent.Action.STATUS_CHANGED,
        invoice=invoice,
        user=user,
        field="status",
        old=old,
        new=to,
        detail={"reason": reason} if reason else None,
    )
    if event:
        outbox_record(invoice=invoice, event_type=event, actor_name=actor_name(user))
    return invoice


def invoice_fail(*, invoice_id, reason: str, expected: Iterable[str] | None = None) -> bool:
    """Put an invoice into ``failed`` with a reason people can read. Nothing stored is removed."""
    with transaction.atomic():
        invoice = lock_invoice(invoice_id)
        if expected is not None and invoice.status not in set(expected):
            return False
        if invoice.status == Status.FAILED and invoice.status_reason == reason:
            return False
        invoice_set_status(invoice, to=Status.FAILED, reason=reason[:2000], event=OutboxEvent.EventType.FAILED)
    logger.warning("invoice failed", extra={"invoice_id": str(invoice_id)})
    return True


def invoice_approve(*, invoice_id, user, expected_version: int | None = None, note: str = "") -> Invoice:
    with transaction.atomic():
        invoice = lock_invoice(invoice_id, expected_version)
        if invoice.status not in REVIEWABLE_STATUSES:
            raise InvalidTransition(_not_reviewable(invoice, "approved"))
        invoice_set_status(
            invoice, to=Status.APPROVED, user=user, decided_by=user, decided_at=timezone.now(), rejection_reason=""
        )
        audit_record(action=AuditEvent.Action.APPROVED, invoice=invoice, user=user, new=note)
        outbox_record(invoice=invoice, event_type=OutboxEvent.EventType.APPROVED, actor_name=actor_name(user))
        _after_decision(invoice)
    return invoice


def invoice_reject(*, invoice_id, user, reason: str, expected_version: int | None = None) -> Invoice:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidTransition("Give a reason for the rejection; the uploader will see it.")
    with transaction.atomic():
        invoice = lock_invoice(invoice_id, expected_version)
        if invoice.status not in REVIEWABLE_STATUSES:
            raise InvalidTransition(_not_reviewable(invoice, "rejected"))
        invoice_set_status(
            invoice,
            to=Status.REJECTED,
            user=user,
            reason=reason,
            decided_by=user,
            decided_at=timezone.now(),
            rejection_reason=reason,
        )
        audit_record(action=AuditEvent.Action.REJECTED, invoice=invoice, user=user, new=reason)
        outbox_record(invoice=invoice, event_type=OutboxEvent.EventType.REJECTED, actor_name=actor_name(user))
        _after_decision(invoice)
    return invoice


def invoice_reprocess(*, invoice_id, user=None, reason: str = "") -> Invoice:
    """Run extraction again from the stored original. Earlier results stay in processed storage."""
    with transaction.atomic():
        invoice = lock_invoice(invoice_id)
        if invoice.status in WORKING_STATUSES:
            raise InvalidTransition("This invoice is being processed right now; wait for it to finish.")
        if invoice.deleted_at is not None:
            raise InvalidTransition("This invoice was deleted.")
        audit_record(action=AuditEvent.Action.REPROCESS_REQUESTED, invoice=invoice, user=user, new=reason)
        invoice_set_status(
            invoice,
            to=Status.RECEIVED,
            user=user,
            reason="",
            event=OutboxEvent.EventType.REPROCESSING,
            decided_by=None,
            decided_at=None,
            rejection_reason="",
        )
        enqueue_extraction(invoice.pk)
    return invoice


def invoices_reprocess(*, invoice_ids: Iterable, user=None, reason: str = "") -> tuple[int, list[str]]:
    """Reprocess many invoices; returns how many were queued and a message for each one skipped."""
    queued, skipped = 0, []
    for invoice_id in invoice_ids:
        try:
            invoice_reprocess(invoice_id=invoice_id, user=user, reason=reason)
            queued += 1
        except (InvalidTransition, Invoice.DoesNotExist) as exc:
            skipped.append(f"{invoice_id}: {exc}")
    return queued, skipped


def _not_reviewable(invoice: Invoice, verb: str) -> str:
    if invoice.status in FINAL_STATUSES:
        return f"This invoice was already {invoice.get_status_display().lower()}; it cannot be {verb} again."
    return f"This invoice is {invoice.get_status_display().lower()}, so it cannot be {verb} yet."


def _after_decision(invoice: Invoice) -> None:
    from pipeline import hooks

    invoice_id = str(invoice.pk)
    transaction.on_commit(lambda: hooks.invoice_decided(invoice_id))
