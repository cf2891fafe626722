"""The AWS Textract engine: AnalyzeExpense for one page, StartExpenseAnalysis/GetExpenseAnalysis for more.

Public functions (those that call AWS take ``client``, defaulting to ``invoices.aws.client("textract")``):

* :func:`choose_engine` — which engine ``EXTRACTION_ENGINE`` (local | textract | auto) picks for a file.
* :func:`needs_async` — whether a file must go through the asynchronous API (more than one page, or > 10 MB).
* :func:`analyze_expense_bytes` — synchronous AnalyzeExpense of one page (image or 1-page PDF, ≤ 10 MB).
* :func:`job_token` — the ``ClientRequestToken`` for an invoice's extraction attempt.
* :func:`start_expense_job` — StartExpenseAnalysis of the original in S3; returns the JobId.
* :func:`get_expense_job` — one look at the job: IN_PROGRESS, SUCCEEDED with the assembled result, or FAILED.

Results are :class:`ExtractionResult` objects (the extraction contract) mapped by ``textract_mapping`` and
already passed through ``cross_check``, with ``pages_billed`` and ``cost_usd`` set.

Errors: throttling, provisioned-throughput and concurrent-job limits, Textract's internal errors and network
failures raise :class:`TransientError` (retry with backoff); a document Textract cannot read, a file missing
from S3, a missing permission or an expired job raise :class:`PermanentError` whose message is for people.

Driving the asynchronous job from Celery
----------------------------------------
Nothing here sleeps or polls. A task starts the job (idempotently) and looks at it once; while Textract is
still working the task schedules itself again with ``self.retry``, so no worker is held while waiting::

    from pipeline.errors import PermanentError, TransientError
    from pipeline.extraction import textract

    @shared_task(bind=True, acks_late=True, autoretry_for=(TransientError,), retry_backoff=5,
                 retry_backoff_max=300, retry_jitter=True, max_retries=textract.MAX_POLLS)
    def extract_invoice_textract(self, invoice_id: str, attempt: int, job_id: str = "") -> None:
        invoice = Invoice.objects.get(pk=invoice_id)
        if not job_id:
            # Same (invoice, attempt) → same token → Textract returns the same JobId: a task that crashed
            # after starting and runs again never starts (or pays for) a second job.
            job_id = textract.start_expense_job(
                bucket=settings.RAW_BUCKET, key=invoice.original.name, token=textract.job_token(invoice_id, attempt)
            )
        state = textract.get_expense_job(job_id, name=invoice.original_name)
        if state.status == textract.IN_PROGRESS:
            raise self.retry(kwargs={"invoice_id": invoice_id, "attempt": attempt, "job_id": job_id},
                             countdown=textract.poll_delay(self.request.retries))
        if state.status == textract.FAILED:
            invoice_fail(invoice_id=invoice_id, reason=state.reason)  # a message for people
            return
        save(state.result)  # an ExtractionResult, as from the local engine
        # PermanentError from start/get: fail the invoice with str(exc); it is not retried.

``attempt`` counts the invoice's extraction runs (1, then +1 each time someone asks to reprocess it), *not*
Celery's retries: a retry must reuse the job, a reprocess must start a new one. (An autoretry after a
TransientError comes back without ``job_id``; starting again with the same token returns the same job.)
``key`` is the original's S3 object key in ``RAW_BUCKET`` (with django-storages, the storage ``location``
prefix plus ``invoice.original.name``). The retry budget is shared by
transient errors and "still in progress"; ``MAX_POLLS`` with :func:`poll_delay` waits about 37 minutes in all,
well beyond the seconds-to-minutes an invoice takes. Job results stay with Textract for 7 days, so a job id
kept longer than that gives a PermanentError (reprocess with a new attempt).

Single page: ``result = textract.analyze_expense_bytes(data, name=invoice.original_name)`` (same errors).
"""

from __future__ import annotations

import logging
import random
import re
import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from hashlib import sha256
from typing import Any

from botocore import exceptions as boto_errors
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from pipeline.errors import PermanentError, TransientError

from .textract_mapping import ENGINE, map_expense_response
from .types import ExtractionResult

logger = logging.getLogger(__name__)

LOCAL, TEXTRACT, AUTO = "local", "textract", "auto"
IN_PROGRESS, SUCCEEDED, FAILED = "IN_PROGRESS", "SUCCEEDED", "FAILED"

SYNC_MAX_BYTES = 10 * 1024 * 1024  # AnalyzeExpense with Bytes: one page, at most 10 MB
DEFAULT_PRICE_PER_PAGE = "0.01"  # USD, AnalyzeExpense list price (first million pages a month, us-east-1)
DEFAULT_AUTO_MAX_PAGES = 10  # at the list price: the design's $0.10 per document
MAX_POLLS = 40  # with poll_delay: about 37 minutes of waiting for one job

# Textract error codes worth retrying: the same call can succeed a moment later.
TRANSIENT_CODES = frozenset({
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "InternalServerError",
    "LimitExceededException",  # too many concurrent jobs for the account
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "RequestTimeout",
    "RequestTimeoutException",
})
# Error codes after which retrying cannot help, with what people are told.
PERMANENT_MESSAGES = {
    "UnsupportedDocumentException": (
        "Textract cannot read this file's format. It reads PNG, JPEG, TIFF and PDF; a PDF sent directly must "
        "have one page."
    ),
    "BadDocumentException": (
        "Textract could not read the document: the file is damaged or cannot be opened. Export or scan it "
        "again and upload the new file."
    ),
    "DocumentTooLargeException": (
        "The document is too large for Textract (10 MB for one page sent directly; 500 MB and 3,000 pages "
        "for a PDF in S3). Scan it at a lower resolution or split it."
    ),
    "InvalidS3ObjectException": (
        "Textract could not read the stored original from S3: it is missing, in another AWS region, or "
        "Textract is not allowed to read it."
    ),
    "InvalidParameterException": "Textract refused the request as invalid; an administrator should check the logs.",
    "AccessDeniedException": (
        "This installation is not allowed to use Textract: check the IAM permissions of its AWS role."
    ),
    "InvalidKMSKeyException": "Textract could not use the KMS key that encrypts the stored original.",
    "IdempotentParameterMismatchException": (
        "A Textract job was already started for this attempt with a different file; reprocess the invoice."
    ),
    "InvalidJobIdException": (
        "The Textract job is unknown or its results have expired (they are kept 7 days); reprocess the invoice."
    ),
}


# --- which engine -------------------------------------------------------------------------------------------

def choose_engine(*, file_kind: str, page_count: int, has_text_layer: bool | None) -> str:
    """The engine ("local" or "textract") for a file, following ``settings.EXTRACTION_ENGINE``.

    ``local`` and ``textract`` are taken as they are. ``auto`` decides per file:

    * A PDF with a text layer → **local**. The text layer gives exact characters and positions for free in
      milliseconds; Textract would rasterise the page, OCR it again and charge for it, adding latency and
      OCR errors where there were none. (``has_text_layer`` comes from ``invoices.filecheck``; if the local
      engine then finds the layer unusable it says so in its issues, and reprocessing with
      ``EXTRACTION_ENGINE=textract`` is the remedy.)
    * Scans and photos (images, PDFs without a text layer) → **textract**: there the choice is between our
      OCR and Textract's, and Textract's expense model (trained on invoices and receipts, with line items,
      confidences and boxes) is markedly better on noisy, skewed or handwritten documents — the case where
      reviewers otherwise spend their time.
    * Except when Textract cannot or should not take it: a multi-page scan needs the asynchronous API, which
      reads the original from S3, so without ``RAW_BUCKET`` (originals in a local folder) it stays local; and
      a scan of more than ``TEXTRACT_AUTO_MAX_PAGES`` pages (default 10, i.e. $0.10 at the list price — the
      design's cost ceiling per document) stays local to bound the bill.
    """
    engine = getattr(settings, "EXTRACTION_ENGINE", LOCAL)
    if engine in (LOCAL, TEXTRACT):
        return engine
    if engine != AUTO:
        raise ImproperlyConfigured(f"EXTRACTION_ENGINE must be local, textract or auto, not {engine!r}.")
    if file_kind == "pdf" and has_text_layer:
        return LOCAL
    if page_count > int(getattr(settings, "TEXTRACT_AUTO_MAX_PAGES", DEFAULT_AUTO_MAX_PAGES)):
        return LOCAL
    if page_count > 1 and not getattr(settings, "RAW_BUCKET", ""):
        return LOCAL
    return TEXTRACT


def needs_async(*, page_count: int, size_bytes: int) -> bool:
    """True when the file must go through Start/GetExpenseAnalysis (S3) rather than AnalyzeExpense (bytes)."""
    return page_count > 1 or size_bytes > SYNC_MAX_BYTES


# --- errors -------------------------------------------------------------------------------------------------

class _TextractCall:
    """``with _TextractCall("AnalyzeExpense"):`` turns botocore's exceptions into TransientError/PermanentError."""

    def __init__(self, operation: str):
        self.operation = operation

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is None or isinstance(exc, (TransientError, PermanentError)):
            return False
        if isinstance(exc, boto_errors.ClientError):
            error = exc.response.get("Error", {})
            code = error.get("Code", "")
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            logger.warning("textract %s failed: %s %s", self.operation, code, error.get("Message", ""))
            if code in TRANSIENT_CODES or status >= 500:
                raise TransientError(f"Textract {self.operation} is unavailable for now ({code}).") from exc
            message = PERMANENT_MESSAGES.get(code, f"Textract refused the document ({code}).")
            raise PermanentError(message) from exc
        if isinstance(exc, (boto_errors.NoCredentialsError, boto_errors.PartialCredentialsError)):
            raise PermanentError("AWS credentials for Textract are not configured on this server.") from exc
        if isinstance(exc, (boto_errors.ConnectionError, boto_errors.HTTPClientError)):
            logger.warning("textract %s: network error: %s", self.operation, exc)
            raise TransientError(f"Textract could not be reached ({type(exc).__name__}).") from exc
        if isinstance(exc, boto_errors.BotoCoreError):
            raise PermanentError(f"Textract could not be called ({type(exc).__name__}).") from exc
        return False


def _client(client):
    if client is not None:
        return client
    from invoices import aws

    return aws.client("textract")


# --- billing ------------------------------------------------------------------------------------------------

def price_per_page() -> Decimal:
    return Decimal(str(getattr(settings, "TEXTRACT_PRICE_PER_PAGE", DEFAULT_PRICE_PER_PAGE)))


def _bill(result: ExtractionResult, pages: int) -> None:
    """Record the pages Textract charges for and their estimated cost (list price; no free tier, no discounts).

    A partially successful job is billed for every page: we do not know that AWS waives the failed ones.
    """
    result.pages_billed = pages
    result.cost_usd = str((price_per_page() * pages).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


# --- synchronous: one page ----------------------------------------------------------------------------------

def analyze_expense_bytes(data: bytes, *, name: str, client=None) -> ExtractionResult:
    """AnalyzeExpense of a single-page document (PNG, JPEG, TIFF or 1-page PDF, ≤ 10 MB) sent as bytes."""
    if len(data) > SYNC_MAX_BYTES:
        raise PermanentError(PERMANENT_MESSAGES["DocumentTooLargeException"])
    started = time.perf_counter()
    with _TextractCall("AnalyzeExpense"):
        response = _client(client).analyze_expense(Document={"Bytes": data})
    called = time.perf_counter()
    result = map_expense_response(response, name=name)
    _bill(result, result.pages or 1)
    result.timings_ms.update({"textract": (called - started) * 1000, "parse": (time.perf_counter() - called) * 1000})
    return result


# --- asynchronous: a PDF in S3 ------------------------------------------------------------------------------

_TOKEN_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def job_token(invoice_id: Any, attempt: int) -> str:
    """The ClientRequestToken for one extraction attempt of one invoice: the same inputs give the same token.

    Readable (``inv-<id>-a<attempt>``) when that fits Textract's limit of 64 characters from [A-Za-z0-9_-],
    otherwise a SHA-256 digest of the same.
    """
    token = f"inv-{_TOKEN_UNSAFE.sub('-', str(invoice_id))}-a{int(attempt)}"
    if len(token) <= 64:
        return token
    return "inv-" + sha256(f"{invoice_id}:{attempt}".encode()).hexdigest()[:60]


def start_expense_job(*, bucket: str, key: str, token: str, client=None, tag: str | None = None) -> str:
    """StartExpenseAnalysis on ``s3://bucket/key``; returns the JobId.

    ``token`` (see :func:`job_token`) makes the call idempotent: Textract answers a repeated start with the same
    token with the same JobId instead of starting a second job. ``tag`` (the JobTag, shown in Textract's
    notifications and console) defaults to the token.
    """
    with _TextractCall("StartExpenseAnalysis"):
        response = _client(client).start_expense_analysis(
            DocumentLocation={"S3Object": {"Bucket": bucket, "Name": key}},
            ClientRequestToken=token,
            JobTag=(tag or token)[:64],
        )
    job_id = response["JobId"]
    logger.info("textract job started", extra={"job_id": job_id, "token": token})
    return job_id


@dataclass(slots=True)
class JobState:
    """One look at an asynchronous job. ``result`` is set when SUCCEEDED, ``reason`` (for people) when FAILED."""

    job_id: str
    status: str  # IN_PROGRESS | SUCCEEDED | FAILED
    result: ExtractionResult | None = None
    reason: str = ""
    warnings: list[dict[str, Any]] = field(default_factory=list)


def get_expense_job(job_id: str, *, name: str, client=None) -> JobState:
    """GetExpenseAnalysis once; when the job is done, every page of its results (following NextToken), mapped.

    PARTIAL_SUCCESS (some pages could not be analysed) counts as SUCCEEDED, with an issue naming the pages.
    """
    textract = _client(client)
    started = time.perf_counter()
    with _TextractCall("GetExpenseAnalysis"):
        first = textract.get_expense_analysis(JobId=job_id)
    status = first.get("JobStatus", "")
    if status == IN_PROGRESS:
        return JobState(job_id, IN_PROGRESS)
    if status == FAILED:
        detail = first.get("StatusMessage") or "no reason given"
        logger.warning("textract job failed", extra={"job_id": job_id, "status_message": detail})
        return JobState(job_id, FAILED, reason=f"Textract could not analyse the document: {detail}")
    if status not in (SUCCEEDED, "PARTIAL_SUCCESS"):
        raise TransientError(f"Textract reported an unexpected job status {status!r}.")

    documents = list(first.get("ExpenseDocuments", []))
    warnings = list(first.get("Warnings", []))
    page, calls = first, 1
    while token := page.get("NextToken"):
        with _TextractCall("GetExpenseAnalysis"):
            page = textract.get_expense_analysis(JobId=job_id, NextToken=token)
        calls += 1
        documents.extend(page.get("ExpenseDocuments", []))
        warnings.extend(page.get("Warnings", []))
    fetched = time.perf_counter()

    merged = {"DocumentMetadata": first.get("DocumentMetadata", {}), "ExpenseDocuments": documents}
    result = map_expense_response(merged, name=name)
    for warning in warnings:
        pages = ", ".join(str(p) for p in warning.get("Pages", []))
        result.issues.append(f"Textract could not analyse page(s) {pages} ({warning.get('ErrorCode', 'unknown')})")
    _bill(result, result.pages)
    result.timings_ms.update({"textract": (fetched - started) * 1000, "parse": (time.perf_counter() - fetched) * 1000})
    logger.info("textract job read", extra={"job_id": job_id, "status": status, "pages": result.pages, "calls": calls})
    return JobState(job_id, SUCCEEDED, result=result, warnings=warnings)


def poll_delay(retries: int) -> float:
    """Seconds before looking at a running job again: 5, 10, 20, 40, then 60, with a little jitter."""
    return min(5.0 * 2 ** max(retries, 0), 60.0) * random.uniform(0.9, 1.1)


__all__ = [
    "AUTO", "ENGINE", "FAILED", "IN_PROGRESS", "LOCAL", "MAX_POLLS", "SUCCEEDED", "TEXTRACT", "JobState",
    "analyze_expense_bytes", "choose_engine", "get_expense_job", "job_token", "needs_async", "poll_delay",
    "start_expense_job",
]
