"""Extract: the stored original → an engine's result, stored as its own JSON file, applied to the invoice.

The engine is chosen per file by ``textract.choose_engine`` from EXTRACTION_ENGINE (local | textract | auto).
The local engine and Textract's synchronous AnalyzeExpense (one page, ≤ 10 MB) run within the task. Longer
documents go through a Textract job: the task starts it (idempotent by a token derived from the invoice and
this attempt), looks once, and while Textract works it schedules itself again with a growing delay
(PIPELINE_TEXTRACT_POLL_FIRST … _POLL_MAX) carrying the attempt id and job id, so no worker waits; the attempt
keeps the invoice meanwhile (each look is a heartbeat for the sweeper) until PIPELINE_TEXTRACT_JOB_TIMEOUT.
"""

from __future__ import annotations

import logging
import random
import time
from decimal import Decimal, InvalidOperation

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone

from invoices import storage
from invoices.models import Invoice, ProcessingAttempt, Status
from invoices.services import invoice_apply_extraction
from invoices.services.workflow import invoice_set_status

from .. import extraction
from ..errors import PermanentError
from ..extraction import textract
from ..failpoints import failpoint
from .base import EXTRACT, Claim, RunContext, StepOutcome, claim, fail_run, fenced, finish
from .errors import handle_error, time_limit_reason

logger = logging.getLogger("pipeline")
Outcome = ProcessingAttempt.Outcome


def run_extract(invoice_id: str, ctx: RunContext, *, attempt_id: int | None = None, job_id: str = "",
                polls: int = 0) -> StepOutcome:
    run = claim(EXTRACT, invoice_id, ctx, resume_attempt=attempt_id)
    if isinstance(run, StepOutcome):
        return run
    started = time.monotonic()
    timings: dict[str, float] = {}
    job = {"attempt_id": run.attempt.pk, "job_id": job_id, "polls": polls} if run.resumed else None
    try:
        failpoint("extract.start")
        if job is not None:  # an earlier task of this attempt started a Textract job: look at it again
            return _textract_job(run, job)
        t = time.perf_counter()
        data = storage.read_original(run.invoice.original.name)
        timings["fetch"] = _ms(t)
        engine = _choose_engine(run.invoice, data)
        failpoint("extract.engine")
        if engine == textract.TEXTRACT and textract.needs_async(page_count=run.invoice.page_count or 1,
                                                                size_bytes=len(data)):
            job = {"attempt_id": run.attempt.pk, "job_id": "", "polls": 0}
            return _textract_job(run, job)
        t = time.perf_counter()
        if engine == textract.TEXTRACT:
            result = textract.analyze_expense_bytes(data, name=run.invoice.original_name)
        else:
            result = extraction.extract(data, name=run.invoice.original_name)
        timings["engine"] = _ms(t)
        if result.error:
            if _soft_limit_reached(started):  # the engine turned the time limit into an error result
                raise SoftTimeLimitExceeded()
            fail_run(run, reason=result.error, engine=(result.engine or engine)[:30], timings_ms=timings)
            return StepOutcome(invoice_id, ran=True, status=Status.FAILED)
        return _store(run, result, timings)
    except SoftTimeLimitExceeded:
        fail_run(run, reason=time_limit_reason(run, settings.CELERY_TASK_SOFT_TIME_LIMIT), timings_ms=timings)
        return StepOutcome(invoice_id, ran=True, status=Status.FAILED)
    except Exception as exc:
        # Textract's own errors arrive as TransientError/PermanentError with their message for people.
        return handle_error(run, exc, ctx, what="Textract" if job is not None else "the file storage",
                            keep_claim=job)


def _choose_engine(invoice: Invoice, data: bytes) -> str:
    has_text = None
    if settings.EXTRACTION_ENGINE == textract.AUTO and invoice.file_kind == "pdf":
        has_text = _has_text_layer(data)
    return textract.choose_engine(file_kind=invoice.file_kind, page_count=invoice.page_count or 1,
                                  has_text_layer=has_text)


def _has_text_layer(data: bytes) -> bool | None:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return None
    try:
        textpage = pdf[0].get_textpage()
        return textpage.count_chars() > 0
    except pdfium.PdfiumError:
        return None
    finally:
        pdf.close()


def _textract_job(run: Claim, job: dict) -> StepOutcome:
    """Start (or keep looking at) the Textract job of this attempt; ``job`` holds what resumes it
    (attempt id, job id, polls so far) and is kept up to date for a retry after a transient error."""
    invoice = run.invoice
    invoice_id = str(invoice.pk)
    waited = (timezone.now() - run.attempt.started_at).total_seconds()
    if waited > settings.PIPELINE_TEXTRACT_JOB_TIMEOUT:
        fail_run(run, reason=f"Textract did not finish analysing the document within "
                             f"{settings.PIPELINE_TEXTRACT_JOB_TIMEOUT // 60} minutes. The original is kept; "
                             "reprocess the invoice to try again.", engine=textract.ENGINE)
        return StepOutcome(invoice_id, ran=True, status=Status.FAILED)
    if not job["job_id"]:
        bucket, key = _s3_location(invoice.original.name)
        job["job_id"] = textract.start_expense_job(bucket=bucket, key=key,
                                                   token=textract.job_token(invoice.pk, run.attempt.pk))
    state = textract.get_expense_job(job["job_id"], name=invoice.original_name)
    polls = job["polls"]
    if state.status == textract.IN_PROGRESS:
        delay = min(settings.PIPELINE_TEXTRACT_POLL_MAX, settings.PIPELINE_TEXTRACT_POLL_FIRST * 2 ** polls)
        return StepOutcome(invoice_id, ran=True, status=Status.EXTRACTING, poll=True,
                           retry_in=delay * random.uniform(0.9, 1.1), retry_kwargs={**job, "polls": polls + 1})
    if state.status == textract.FAILED or state.result is None:
        fail_run(run, reason=state.reason or "Textract could not analyse the document.", engine=textract.ENGINE)
        return StepOutcome(invoice_id, ran=True, status=Status.FAILED)
    timings = {"engine": round(waited * 1000, 1), "polls": float(polls + 1)}
    return _store(run, state.result, timings)


def _s3_location(name: str) -> tuple[str, str]:
    """Where Textract finds the original: the raw storage's bucket and the object's key."""
    raw = storage.raw_storage()
    bucket = getattr(raw, "bucket_name", "")
    if not bucket:
        raise PermanentError("Textract reads documents of more than one page from S3, but originals are kept in a "
                             "local folder on this installation: set RAW_BUCKET, or use EXTRACTION_ENGINE=local.")
    location = (getattr(raw, "location", "") or "").strip("/")
    return bucket, f"{location}/{name}" if location else name


def _store(run: Claim, result, timings: dict[str, float]) -> StepOutcome:
    """Keep the result as its own file (the history reprocessing keeps), then apply it if the run still holds."""
    invoice_id = str(run.invoice.pk)
    payload = result.to_dict(words=True)  # the review screen reads the words for click-to-fill
    t = time.perf_counter()
    path = storage.save_result(invoice_id=invoice_id, attempt_id=run.attempt.pk, result=payload)
    timings["store"] = _ms(t)
    failpoint("extract.apply")
    t = time.perf_counter()
    with fenced(run) as invoice:
        if invoice is None:  # another run took over meanwhile; its result is the one that counts
            return StepOutcome(invoice_id, ran=False)
        # Status first, so that the "extracted" outbox event the fields' write records carries the new status.
        invoice_set_status(invoice, to=Status.EXTRACTED)
        invoice_apply_extraction(invoice=invoice, result=payload, result_path=path)
        timings["apply"] = _ms(t)
        engine_timings = {f"engine.{k}": float(v) for k, v in (payload.get("timings_ms") or {}).items()}
        finish(run.attempt, Outcome.SUCCEEDED, engine=result.engine[:30], result_path=path,
               timings_ms={**{k: round(v, 1) for k, v in timings.items()}, **engine_timings},
               pages_billed=result.pages_billed or 0, cost_usd=_cost(result.cost_usd))
    logger.info("invoice extracted", extra={"invoice_id": invoice_id, "engine": result.engine,
                                            "pages": result.pages, "fields": len(result.fields)})
    return StepOutcome(invoice_id, ran=True, status=Status.EXTRACTED)


def _soft_limit_reached(started: float) -> bool:
    return time.monotonic() - started >= settings.CELERY_TASK_SOFT_TIME_LIMIT - 1


def _cost(value) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal("0")
    except InvalidOperation:
        return Decimal("0")


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000
