"""How extraction tasks use Textract: the engine choice, AnalyzeExpense in the task, and jobs polled by
Celery retries (no worker waits), with Textract's service replaced by botocore's Stubber fed the real recorded
responses of ../shared/corpus/textract. Everything else is real (MariaDB, moto S3)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from botocore.stub import ANY, Stubber
from django.conf import settings as django_settings
from django.utils import timezone

from invoices import aws
from invoices.models import Invoice, ProcessingAttempt, Status
from pipeline import services, tasks
from pipeline.extraction import textract
from tests.factories import invoice_pdf

CORPUS = Path(django_settings.BASE_DIR).parent / "shared" / "corpus" / "textract"
ONE_PAGE = CORPUS / "default_invoice_1.analyze_expense.json"
MULTIPAGE = CORPUS / "analyzeExpenseResponse-multipage.analyze_expense.json"
if not MULTIPAGE.exists():
    pytest.skip(f"the recorded Textract responses are not at {CORPUS}", allow_module_level=True)

pytestmark = [pytest.mark.django_db, pytest.mark.corpus]
JOB_ID = "5f0e7c1b2a3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f"
Outcome = ProcessingAttempt.Outcome


@pytest.fixture
def stub():
    with Stubber(aws.client("textract")) as stubber:  # the very client the pipeline gets from invoices.aws
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def engine(settings):
    def use(name: str):
        settings.EXTRACTION_ENGINE = name
        settings.PIPELINE_TEXTRACT_POLL_FIRST = 0.01
        settings.PIPELINE_TEXTRACT_POLL_MAX = 0.05

    return use


def ctx(retries: int = 0) -> services.RunContext:
    return services.RunContext(task_id="task-t", worker="test@host", retries=retries, max_retries=3)


def scan_png() -> bytes:
    return (CORPUS / "default_invoice_1.png").read_bytes()


def in_progress() -> dict:
    return {"JobStatus": "IN_PROGRESS"}


def succeeded() -> dict:
    return json.loads(MULTIPAGE.read_text())


def test_one_page_goes_to_analyze_expense_within_the_task(make_invoice, stub, engine):
    engine("textract")
    invoice = make_invoice(status=Status.RECEIVED, fields={}, pdf=scan_png())
    Invoice.objects.filter(pk=invoice.pk).update(file_kind="png", content_type="image/png")
    stub.add_response("analyze_expense", json.loads(ONE_PAGE.read_text()), {"Document": {"Bytes": ANY}})
    assert services.run_extract(str(invoice.pk), ctx()).status == Status.EXTRACTED
    attempt = ProcessingAttempt.objects.get(invoice=invoice, stage="extract")
    assert attempt.engine == textract.ENGINE and attempt.pages_billed == 1 and str(attempt.cost_usd) == "0.0100"
    invoice.refresh_from_db()
    assert invoice.engine == textract.ENGINE and invoice.fields.exists()


def test_a_multipage_document_is_a_job_polled_by_later_tasks(make_invoice, stub, engine):
    engine("textract")
    invoice = make_invoice(status=Status.RECEIVED, fields={}, pdf=invoice_pdf(pages=2))
    Invoice.objects.filter(pk=invoice.pk).update(page_count=2)
    stub.add_response("start_expense_analysis", {"JobId": JOB_ID}, {
        "DocumentLocation": {"S3Object": {"Bucket": django_settings.RAW_BUCKET, "Name": invoice.original.name}},
        "ClientRequestToken": ANY, "JobTag": ANY})
    stub.add_response("get_expense_analysis", in_progress(), {"JobId": JOB_ID})

    first = services.run_extract(str(invoice.pk), ctx())
    attempt = ProcessingAttempt.objects.get(invoice=invoice, stage="extract")
    assert first.poll and 0 < first.retry_in < 1
    assert first.retry_kwargs == {"attempt_id": attempt.pk, "job_id": JOB_ID, "polls": 1}
    invoice.refresh_from_db()
    assert invoice.status == Status.EXTRACTING and attempt.outcome == Outcome.RUNNING  # held while Textract works

    stub.add_response("get_expense_analysis", succeeded(), {"JobId": JOB_ID})
    done = services.run_extract(str(invoice.pk), ctx(), **first.retry_kwargs)
    assert done.status == Status.EXTRACTED
    attempt.refresh_from_db()
    assert attempt.outcome == Outcome.SUCCEEDED and attempt.pages_billed == 2 and str(attempt.cost_usd) == "0.0200"
    assert ProcessingAttempt.objects.filter(invoice=invoice, stage="extract").count() == 1


def test_the_celery_task_polls_by_retrying_itself(make_invoice, stub, engine, monkeypatch):
    from config.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)  # eager retries re-apply instead of raising
    engine("textract")
    invoice = make_invoice(status=Status.RECEIVED, fields={}, pdf=invoice_pdf(pages=2))
    Invoice.objects.filter(pk=invoice.pk).update(page_count=2)
    stub.add_response("start_expense_analysis", {"JobId": JOB_ID}, None)
    stub.add_response("get_expense_analysis", in_progress(), {"JobId": JOB_ID})
    stub.add_response("get_expense_analysis", in_progress(), {"JobId": JOB_ID})
    stub.add_response("get_expense_analysis", succeeded(), {"JobId": JOB_ID})
    tasks.extract_invoice.apply(args=[str(invoice.pk)])  # eager: each retry runs at once, in order
    invoice.refresh_from_db()
    assert invoice.status in (Status.NEEDS_REVIEW, Status.READY) and invoice.engine == textract.ENGINE
    assert list(ProcessingAttempt.objects.filter(invoice=invoice, stage="extract")
                .values_list("outcome", flat=True)) == [Outcome.SUCCEEDED]


def test_throttling_while_polling_keeps_the_job_and_retries(make_invoice, stub, engine):
    engine("textract")
    invoice = make_invoice(status=Status.RECEIVED, fields={}, pdf=invoice_pdf(pages=2))
    Invoice.objects.filter(pk=invoice.pk).update(page_count=2)
    stub.add_response("start_expense_analysis", {"JobId": JOB_ID}, None)
    stub.add_client_error("get_expense_analysis", service_error_code="ThrottlingException", http_status_code=400)
    outcome = services.run_extract(str(invoice.pk), ctx())
    attempt = ProcessingAttempt.objects.get(invoice=invoice)
    assert outcome.retry_in is not None and not outcome.poll
    assert outcome.retry_kwargs == {"attempt_id": attempt.pk, "job_id": JOB_ID, "polls": 0, "errors": 1}
    assert Invoice.objects.get(pk=invoice.pk).status == Status.EXTRACTING  # no second job, no second charge


def test_a_failed_job_fails_the_invoice_with_textracts_reason(make_invoice, stub, engine):
    engine("textract")
    invoice = make_invoice(status=Status.RECEIVED, fields={}, pdf=invoice_pdf(pages=2))
    Invoice.objects.filter(pk=invoice.pk).update(page_count=2)
    stub.add_response("start_expense_analysis", {"JobId": JOB_ID}, None)
    stub.add_response("get_expense_analysis", {"JobStatus": "FAILED", "StatusMessage": "Unable to read page 2"},
                      {"JobId": JOB_ID})
    assert services.run_extract(str(invoice.pk), ctx()).status == Status.FAILED
    invoice.refresh_from_db()
    assert invoice.status_reason == "Textract could not analyse the document: Unable to read page 2"


def test_a_job_that_never_finishes_fails_after_the_timeout(make_invoice, stub, engine, settings):
    engine("textract")
    settings.PIPELINE_TEXTRACT_JOB_TIMEOUT = 600
    invoice = make_invoice(status=Status.RECEIVED, fields={}, pdf=invoice_pdf(pages=2))
    Invoice.objects.filter(pk=invoice.pk).update(page_count=2)
    stub.add_response("start_expense_analysis", {"JobId": JOB_ID}, None)
    stub.add_response("get_expense_analysis", in_progress(), {"JobId": JOB_ID})
    first = services.run_extract(str(invoice.pk), ctx())
    ProcessingAttempt.objects.filter(invoice=invoice).update(started_at=timezone.now() - timedelta(minutes=11))
    assert services.run_extract(str(invoice.pk), ctx(), **first.retry_kwargs).status == Status.FAILED
    invoice.refresh_from_db()
    assert invoice.status_reason.startswith("Textract did not finish analysing the document within 10 minutes")


def test_auto_keeps_digital_pdfs_local_and_sends_scans_to_textract(make_invoice, stub, engine):
    engine("auto")
    digital = make_invoice(status=Status.RECEIVED, fields={}, pdf=invoice_pdf(number="AUTO-1"))
    assert services.run_extract(str(digital.pk), ctx()).status == Status.EXTRACTED  # no Textract call stubbed
    assert Invoice.objects.get(pk=digital.pk).engine != textract.ENGINE

    scan = make_invoice(status=Status.RECEIVED, fields={}, pdf=scan_png())
    Invoice.objects.filter(pk=scan.pk).update(file_kind="png", content_type="image/png")
    stub.add_response("analyze_expense", json.loads(ONE_PAGE.read_text()), None)
    assert services.run_extract(str(scan.pk), ctx()).status == Status.EXTRACTED
    assert Invoice.objects.get(pk=scan.pk).engine == textract.ENGINE
