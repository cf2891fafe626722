"""Turning an exception in a step into a retry (transient) or a visible failure (permanent)."""

from __future__ import annotations

import logging

from invoices.models import Status

from ..retry import backoff, classify
from .base import Claim, RunContext, StepOutcome, fail_run, release_for_retry

logger = logging.getLogger("pipeline")


def handle_error(run: Claim, exc: BaseException, ctx: RunContext, *, what: str = "the file storage",
                 keep_claim: dict | None = None) -> StepOutcome:
    """Retry a transient error later, or fail the invoice with the reason.

    A retry normally gives the invoice back (the retry claims it afresh); with ``keep_claim`` (the task arguments
    that resume this attempt, e.g. a running Textract job) the attempt keeps the invoice and resumes instead.
    """
    failure = classify(exc, what=what)
    invoice_id = str(run.invoice.pk)
    detail = f"{type(exc).__name__}: {exc}"[:4000]
    log = {"invoice_id": invoice_id, "stage": run.stage.name, "error_type": type(exc).__name__, "tries": ctx.retries + 1}
    if failure.transient and not ctx.final_try:
        delay = backoff(ctx.retries)
        logger.warning("transient error, retrying", extra={**log, "retry_in_s": round(delay, 1)})
        if keep_claim is not None:
            return StepOutcome(invoice_id, ran=True, status=run.stage.working, retry_in=delay,
                               retry_kwargs={**keep_claim, "errors": ctx.retries + 1})
        if not release_for_retry(run, detail):
            return StepOutcome(invoice_id, ran=False)
        return StepOutcome(invoice_id, ran=True, status=run.stage.waiting, retry_in=delay,
                           retry_kwargs={"errors": ctx.retries + 1})
    if failure.transient:
        reason = (f"{run.stage.label} failed: {failure.reason} ({ctx.retries + 1} tries). "
                  "The original is kept; reprocess the invoice once the service is back.")
        logger.error("transient error, giving up", extra=log)
    else:
        reason = f"{run.stage.label} failed: {failure.reason}"
        if failure.unexpected:
            logger.error("step failed unexpectedly", exc_info=exc, extra=log)
        else:
            logger.warning("step failed", extra=log)
    fail_run(run, reason=reason, error=detail)
    return StepOutcome(invoice_id, ran=True, status=Status.FAILED)


def time_limit_reason(run: Claim, seconds: int) -> str:
    return (f"{run.stage.label} took longer than {seconds} seconds and was stopped; the document may be unusually "
            "long or complex. The original is kept; reprocess the invoice to try again.")
