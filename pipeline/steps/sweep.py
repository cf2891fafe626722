"""The sweeper: nothing stays stuck. Run periodically (Celery beat, ``PIPELINE_SWEEP_INTERVAL``).

- An invoice held in a working status (extracting, validating) for longer than ``PIPELINE_STUCK_AFTER`` (past
  the hard time limit: no live run can still hold it) is released to the status before and its step queued
  again; its running attempt is marked abandoned. After ``PIPELINE_MAX_INTERRUPTIONS`` such runs in a row it
  fails with the reason instead.
- An invoice waiting in a queued status (received, extracted, validated) for longer than
  ``PIPELINE_QUEUED_STUCK_AFTER`` gets its next step queued again (its message may have been lost, or never
  sent while the broker was down). Steps are claims, so a message that was only slow does no harm.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from invoices.models import QUEUED_STATUSES, WORKING_STATUSES, Invoice, ProcessingAttempt
from invoices.services import invoice_claim, invoice_fail, lock_invoice

from .base import STAGES_BY_WORKING, finish, interrupted_reason, interruptions, on_commit_failed

logger = logging.getLogger("pipeline")
BATCH = 500


@dataclass(slots=True)
class SweepReport:
    released: list[str] = field(default_factory=list)  # held too long: back to waiting, step queued again
    failed: list[str] = field(default_factory=list)  # held too long too often: failed with the reason
    requeued: list[str] = field(default_factory=list)  # waiting too long: step queued again


def sweep(*, now: datetime | None = None) -> SweepReport:
    now = now or timezone.now()
    report = SweepReport()
    held_since = now - timedelta(seconds=settings.PIPELINE_STUCK_AFTER)
    stuck = (Invoice.objects.filter(status__in=WORKING_STATUSES, updated_at__lt=held_since, deleted_at__isnull=True)
             .order_by("updated_at").values_list("pk", flat=True)[:BATCH])
    for invoice_id in stuck:
        _release(invoice_id, held_since, report)
    waiting_since = now - timedelta(seconds=settings.PIPELINE_QUEUED_STUCK_AFTER)
    waiting = (Invoice.objects.filter(status__in=QUEUED_STATUSES, updated_at__lt=waiting_since,
                                      deleted_at__isnull=True)
               .order_by("updated_at").values_list("pk", "status", "updated_at")[:BATCH])
    for invoice_id, status, updated_at in waiting:
        # Touch it (a conditional update, so two sweepers do not both requeue) to wait a full period again.
        if Invoice.objects.filter(pk=invoice_id, status=status, updated_at=updated_at).update(updated_at=now):
            report.requeued.append(str(invoice_id))
            _enqueue(str(invoice_id), status)
    if report.released or report.failed or report.requeued:
        logger.warning("sweeper acted", extra={"released": len(report.released), "failed": len(report.failed),
                                               "requeued": len(report.requeued)})
    return report


def _release(invoice_id, held_since: datetime, report: SweepReport) -> None:
    with transaction.atomic():
        invoice = lock_invoice(invoice_id)
        stage = STAGES_BY_WORKING.get(invoice.status)
        if stage is None or invoice.updated_at >= held_since:
            return  # finished or renewed since the query
        for attempt in ProcessingAttempt.objects.filter(invoice=invoice, stage=stage.name,
                                                        outcome=ProcessingAttempt.Outcome.RUNNING):
            finish(attempt, ProcessingAttempt.Outcome.ABANDONED,
                   f"Held for more than {settings.PIPELINE_STUCK_AFTER} s without finishing; released by the sweeper.")
        if interruptions(invoice, stage) >= settings.PIPELINE_MAX_INTERRUPTIONS:
            invoice_fail(invoice_id=invoice.pk, reason=interrupted_reason(stage))
            on_commit_failed(invoice.pk)
            report.failed.append(str(invoice.pk))
            return
        invoice_claim(invoice_id=invoice.pk, expected=stage.working, to=stage.waiting)
        report.released.append(str(invoice.pk))
        transaction.on_commit(lambda: _enqueue(str(invoice.pk), stage.waiting))


def _enqueue(invoice_id: str, status: str) -> None:
    from pipeline import tasks

    tasks.enqueue_for_status(invoice_id, status)
