"""What every step shares: claiming an invoice for a stage, recording the attempt, and fenced commits.

A stage (extract, validate) moves an invoice from a waiting status to a working one with a conditional update
and records a :class:`ProcessingAttempt`; the attempt that is ``running`` holds the invoice. The step writes its
result only inside :func:`fenced`, which re-checks under the row lock that its attempt still holds the invoice.
So a task run twice, two workers racing, a message redelivered after its worker died, or a run the sweeper gave
up on, each leave exactly one result: the holder's.

A message redelivered after its worker was killed carries the same task id as the lost run; finding its own
task id on the running attempt, it takes the invoice over. Runs that keep stopping half-way (killed, hard time
limit) are counted: after ``PIPELINE_MAX_INTERRUPTIONS`` in a row the invoice fails with the reason.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from invoices.models import Invoice, ProcessingAttempt, Status
from invoices.services import invoice_claim, invoice_fail, lock_invoice

logger = logging.getLogger("pipeline")
Outcome = ProcessingAttempt.Outcome


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    waiting: str  # the status the stage takes invoices from
    working: str  # the status while a run holds the invoice
    done: str
    label: str  # for people: "Extraction", "Validation"


EXTRACT = Stage("extract", Status.RECEIVED, Status.EXTRACTING, Status.EXTRACTED, "Extraction")
VALIDATE = Stage("validate", Status.EXTRACTED, Status.VALIDATING, Status.VALIDATED, "Validation")
STAGES_BY_WORKING = {EXTRACT.working: EXTRACT, VALIDATE.working: VALIDATE}


@dataclass(frozen=True, slots=True)
class RunContext:
    """Who runs a step: the Celery task id and worker, and how many retries it has had and may have."""

    task_id: str = ""
    worker: str = ""
    retries: int = 0
    max_retries: int = 0

    @property
    def final_try(self) -> bool:
        return self.retries >= self.max_retries


@dataclass(slots=True)
class StepOutcome:
    invoice_id: str
    ran: bool  # False when the step had nothing to do (already done, or another run holds the invoice)
    status: str = ""
    retry_in: float | None = None  # seconds: the task should run again (transient error, or a job to poll)
    retry_kwargs: dict[str, Any] = field(default_factory=dict)
    poll: bool = False  # the retry only looks at a remote job: cheap, so it goes to the quick steps' queue


@dataclass(slots=True)
class Claim:
    stage: Stage
    invoice: Invoice
    attempt: ProcessingAttempt
    resumed: bool = False  # an earlier task of the same attempt started work that this one continues


def claim(stage: Stage, invoice_id: str, ctx: RunContext, *, resume_attempt: int | None = None) -> Claim | StepOutcome:
    """Take the invoice for ``stage``, or say why not (a StepOutcome with ``ran=False``, or the failure)."""
    failed_reason = ""
    with transaction.atomic():
        try:
            invoice = lock_invoice(invoice_id)
        except Invoice.DoesNotExist:
            return StepOutcome(invoice_id, ran=False, status="missing")
        if invoice.deleted_at is not None:
            return StepOutcome(invoice_id, ran=False, status=invoice.status)
        live = _live_attempt(invoice, stage)
        if invoice.status == stage.waiting:
            if live is not None:  # left over by a run that never came back; the invoice was released since
                finish(live, Outcome.ABANDONED, "Released before it finished.")
        elif invoice.status == stage.working:
            if live is not None and resume_attempt is not None and live.pk == resume_attempt:
                # Heartbeat: a long job (Textract) polled by successive tasks is alive, not stuck.
                Invoice.objects.filter(pk=invoice.pk).update(updated_at=timezone.now())
                return Claim(stage, invoice, live, resumed=True)
            if live is not None and live.task_id != ctx.task_id:
                return StepOutcome(invoice_id, ran=False, status=invoice.status)  # another run holds it
            # The run holding it is gone: this is its own message, redelivered after its worker was lost.
            if live is not None:
                finish(live, Outcome.ABANDONED, "The worker was lost before it finished; the task was redelivered.")
            if interruptions(invoice, stage) >= settings.PIPELINE_MAX_INTERRUPTIONS:
                failed_reason = interrupted_reason(stage)
                invoice_fail(invoice_id=invoice.pk, reason=failed_reason)
                on_commit_failed(invoice.pk)
        else:
            return StepOutcome(invoice_id, ran=False, status=invoice.status)
        if failed_reason:
            return StepOutcome(invoice_id, ran=True, status=Status.FAILED)
        invoice_claim(invoice_id=invoice.pk, expected=invoice.status, to=stage.working)
        invoice.status = stage.working
        invoice.version += 1
        attempt = ProcessingAttempt.objects.create(
            invoice=invoice, stage=stage.name, task_id=ctx.task_id[:64], worker=ctx.worker[:150]
        )
    return Claim(stage, invoice, attempt)


@contextmanager
def fenced(run: Claim) -> Iterator[Invoice | None]:
    """A transaction holding the invoice's row lock, yielding it only if this run still holds the invoice.

    Yields None when another run took the invoice over (or the sweeper released it): write nothing then.
    """
    with transaction.atomic():
        invoice = lock_invoice(run.invoice.pk)
        outcome = ProcessingAttempt.objects.filter(pk=run.attempt.pk).values_list("outcome", flat=True).first()
        if invoice.status != run.stage.working or outcome != Outcome.RUNNING:
            logger.warning(
                "run lost its claim", extra={"invoice_id": str(invoice.pk), "stage": run.stage.name,
                                             "attempt": run.attempt.pk, "status": invoice.status}
            )
            yield None
        else:
            yield invoice


def finish(attempt: ProcessingAttempt, outcome: str, error: str = "", **values: Any) -> None:
    """Close an attempt (inside the fenced transaction) with its outcome and facts."""
    attempt.outcome = outcome
    attempt.error = error[:4000]
    attempt.finished_at = timezone.now()
    attempt.duration_ms = max(0, int((attempt.finished_at - attempt.started_at).total_seconds() * 1000))
    for key, value in values.items():
        setattr(attempt, key, value)
    attempt.save()


def release_for_retry(run: Claim, error: str) -> bool:
    """Give the invoice back to the waiting status so the retry claims it afresh. False if no longer ours."""
    with fenced(run) as invoice:
        if invoice is None:
            return False
        finish(run.attempt, Outcome.RETRYING, error)
        invoice_claim(invoice_id=invoice.pk, expected=run.stage.working, to=run.stage.waiting)
    return True


def fail_run(run: Claim, *, reason: str, error: str = "", **values: Any) -> bool:
    """The run failed for good: close the attempt and put the invoice in ``failed`` with a reason people read."""
    with fenced(run) as invoice:
        if invoice is None:
            return False
        finish(run.attempt, Outcome.FAILED, error or reason, **values)
        invoice_fail(invoice_id=invoice.pk, reason=reason)
        on_commit_failed(invoice.pk)
    return True


def on_commit_failed(invoice_id) -> None:
    from pipeline import hooks

    transaction.on_commit(lambda: hooks.invoice_failed(str(invoice_id)))


def interruptions(invoice: Invoice, stage: Stage) -> int:
    """How many runs of the stage in a row, most recent first, stopped without finishing."""
    count = 0
    outcomes = (ProcessingAttempt.objects.filter(invoice=invoice, stage=stage.name)
                .order_by("-started_at", "-id").values_list("outcome", flat=True)[:50])
    for outcome in outcomes:
        if outcome != Outcome.ABANDONED:
            break
        count += 1
    return count


def interrupted_reason(stage: Stage) -> str:
    return (
        f"{stage.label} stopped before it finished {settings.PIPELINE_MAX_INTERRUPTIONS} times in a row "
        "(the worker was lost or the time limit was reached, for example on a very long or complex document). "
        "The original is kept; reprocess the invoice to try again."
    )


def _live_attempt(invoice: Invoice, stage: Stage) -> ProcessingAttempt | None:
    return (ProcessingAttempt.objects.filter(invoice=invoice, stage=stage.name, outcome=Outcome.RUNNING)
            .order_by("-started_at", "-id").first())
