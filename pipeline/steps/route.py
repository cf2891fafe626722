"""Route: a validated invoice goes to review, to the ready-to-approve list, or (when switched on) is approved.

Any failed rule, or any key field read with less confidence than its threshold, sends it to ``needs_review``
with the reasons; otherwise it is ``ready``, or ``approved`` automatically where PIPELINE_AUTO_APPROVE is on.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from invoices.models import AuditEvent, Invoice, OutboxEvent, ProcessingAttempt, Status
from invoices.services import REQUIRED_FIELDS, audit_record, lock_invoice
from invoices.services.workflow import invoice_set_status

from ..rules.base import LABELS
from .base import RunContext, StepOutcome, finish
from .validate import apply_rules

logger = logging.getLogger("pipeline")


def threshold(name: str) -> float:
    return float(settings.PIPELINE_CONFIDENCE_THRESHOLDS.get(name, settings.AUTO_ACCEPT_CONFIDENCE))


def decide_route(invoice: Invoice, *, auto_approve: bool | None = None) -> tuple[str, list[str]]:
    """Where a validated invoice goes, and the reasons (for people) when that is review."""
    reasons = [r.message for r in invoice.rule_results.all() if not r.passed]
    checked = set(REQUIRED_FIELDS) | set(settings.PIPELINE_CONFIDENCE_THRESHOLDS)
    for field in sorted(invoice.fields.all(), key=lambda f: f.name):
        if field.name in checked and field.value and field.confidence < threshold(field.name):
            label = LABELS.get(field.name, field.name.replace("_", " "))
            reasons.append(f"The {label} is uncertain ({field.confidence:.0f}% confidence); check it against the "
                           "document.")
    if reasons:
        return Status.NEEDS_REVIEW, reasons
    auto = settings.PIPELINE_AUTO_APPROVE if auto_approve is None else auto_approve
    limit = Decimal(str(settings.PIPELINE_AUTO_APPROVE_MAX_TOTAL or 0))
    if auto and (not limit or (invoice.total is not None and abs(invoice.total) <= limit)):
        return Status.APPROVED, []
    return Status.READY, []


def run_route(invoice_id: str, ctx: RunContext | None = None) -> StepOutcome:
    ctx = ctx or RunContext()
    with transaction.atomic():
        try:
            invoice = lock_invoice(invoice_id)
        except Invoice.DoesNotExist:
            return StepOutcome(invoice_id, ran=False, status="missing")
        if invoice.status != Status.VALIDATED or invoice.deleted_at is not None:
            return StepOutcome(invoice_id, ran=False, status=invoice.status)
        attempt = ProcessingAttempt.objects.create(invoice=invoice, stage="route", task_id=ctx.task_id[:64],
                                                   worker=ctx.worker[:150])
        to, reasons = decide_route(invoice)
        now = timezone.now()
        elapsed = int((now - _processing_started(invoice)).total_seconds() * 1000)
        updates: dict = {"review_reasons": reasons, "routed_at": now, "processing_ms": max(0, elapsed)}
        if to == Status.APPROVED:
            updates.update(decided_at=now, decided_by=None, rejection_reason="")
        event = OutboxEvent.EventType.APPROVED if to == Status.APPROVED else OutboxEvent.EventType.ROUTED
        invoice_set_status(invoice, to=to, reason="; ".join(reasons), event=event, **updates)
        if to == Status.APPROVED:
            audit_record(action=AuditEvent.Action.APPROVED, invoice=invoice,
                         new="Approved automatically: every rule passed and every key field was read with confidence.")
        finish(attempt, ProcessingAttempt.Outcome.SUCCEEDED)
        transaction.on_commit(lambda: _routed(invoice_id))
    logger.info("invoice routed", extra={"invoice_id": str(invoice_id), "status": to, "processing_ms": elapsed})
    return StepOutcome(str(invoice_id), ran=True, status=to)


def revalidate_after_correction(invoice: Invoice) -> None:
    """After a person's correction (inside its transaction): the rules again, and back to the right list.

    Never approves: a person is working on the invoice, so the best it becomes is ``ready``.
    """
    apply_rules(invoice)
    to, reasons = decide_route(invoice, auto_approve=False)
    if to != invoice.status:
        invoice_set_status(invoice, to=to, reason="; ".join(reasons), review_reasons=reasons)
    else:
        invoice.review_reasons = reasons
        invoice.status_reason = "; ".join(reasons)
        invoice.save(update_fields=["review_reasons", "status_reason", "updated_at"])


def _processing_started(invoice: Invoice):
    """Intake, or the latest reprocessing request: where this run through the pipeline began."""
    requested = (AuditEvent.objects.filter(invoice=invoice, action=AuditEvent.Action.REPROCESS_REQUESTED)
                 .order_by("-created_at").values_list("created_at", flat=True).first())
    return max(invoice.created_at, requested) if requested else invoice.created_at


def _routed(invoice_id: str) -> None:
    from pipeline import hooks

    hooks.invoice_routed(str(invoice_id))
