"""The pipeline end to end through Redis and real Celery workers (MariaDB, moto S3): kills, outages, races.

Workers run exactly the production code; where a test needs a worker to be mid-extraction when it is killed,
the worker is started with a failpoint (PIPELINE_FAILPOINTS) that pauses it there.
"""

from __future__ import annotations

import time
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from invoices.models import AuditEvent, Invoice, OutboxEvent, ProcessingAttempt, Status
from invoices.services import invoice_intake
from pipeline import services, tasks
from tests.conftest import wait_for
from tests.factories import invoice_pdf, png_bytes
from tests.pipeline.netproxy import Proxy

pytestmark = [pytest.mark.worker, pytest.mark.slow]
Outcome = ProcessingAttempt.Outcome
ROUTED = (Status.NEEDS_REVIEW, Status.READY, Status.APPROVED)
# Redelivery of a message whose worker died, within seconds rather than the production hour.
FAST_REDELIVERY = {"CELERY_VISIBILITY_TIMEOUT": "6", "CELERY_UNACKED_RESTORE_INTERVAL": "1"}
FAST_RETRIES = {"PIPELINE_RETRY_BACKOFF": "0.5", "PIPELINE_RETRY_BACKOFF_MAX": "2"}


def intake(number: str = "INV-5001", data: bytes | None = None, name: str = "inv.pdf") -> Invoice:
    outcome = invoice_intake(file=data or invoice_pdf(number=number), name=name, channel="upload")
    assert outcome.ok, outcome.message
    return outcome.invoice


def wait_status(invoice: Invoice, statuses, worker, timeout: float = 120) -> Invoice:
    def done():
        invoice.refresh_from_db()
        return invoice.status in statuses

    wait_for(done, timeout=timeout, message=f"{invoice.pk} to reach {statuses} (now {invoice.status}); "
                                            f"worker log:\n{worker.output()[-3000:]}")
    return invoice


def outcomes(invoice: Invoice, stage: str = "extract") -> list[str]:
    return list(ProcessingAttempt.objects.filter(invoice=invoice, stage=stage).order_by("started_at", "id")
                .values_list("outcome", flat=True))


def assert_processed_exactly_once(invoice: Invoice) -> None:
    assert outcomes(invoice).count(Outcome.SUCCEEDED) == 1
    assert outcomes(invoice, "validate") == [Outcome.SUCCEEDED]
    assert outcomes(invoice, "route") == [Outcome.SUCCEEDED]
    assert AuditEvent.objects.filter(invoice=invoice, action=AuditEvent.Action.EXTRACTED).count() == 1
    assert OutboxEvent.objects.filter(invoice=invoice, event_type="extracted").count() == 1
    assert OutboxEvent.objects.filter(invoice=invoice, event_type__in=["routed", "approved"]).count() == 1


def test_a_pdf_and_a_photo_go_through_every_step_with_page_images(celery_worker, s3):
    pdf = intake("INV-5001")
    photo = intake(data=png_bytes(1200, 900, mode="RGB"), name="photo.png")
    for invoice in (pdf, photo):
        wait_status(invoice, ROUTED, celery_worker)
        assert_processed_exactly_once(invoice)
    assert pdf.invoice_number == "INV-5001" and pdf.rule_results.exists()
    for invoice in (pdf, photo):
        wait_for(lambda i=invoice: Invoice.objects.get(pk=i.pk).page_images, timeout=60, message="page images")
        invoice.refresh_from_db()
        for name in invoice.page_images:
            head = s3.head_object(Bucket=settings.PROCESSED_BUCKET, Key=name)
            assert head["ContentLength"] > 1000
    assert len(photo.page_images) == 1 and len(pdf.page_images) == 1


def test_a_worker_killed_mid_extraction_and_restarted_completes_the_invoice_exactly_once(start_worker, s3):
    doomed = start_worker(name="doomed", extra_env={**FAST_REDELIVERY, "PIPELINE_FAILPOINTS": "extract.engine=sleep:300"})
    invoice = intake("INV-KILL-1")
    running = wait_for(lambda: ProcessingAttempt.objects.filter(invoice=invoice, stage="extract",
                                                                outcome=Outcome.RUNNING).first(),
                       timeout=60, message=f"extraction to start; log:\n{doomed.output()[-2000:]}")
    doomed.kill()  # SIGKILL mid-extraction: no cleanup, no ack
    invoice.refresh_from_db()
    assert invoice.status == Status.EXTRACTING

    survivor = start_worker(name="survivor", extra_env=FAST_REDELIVERY)
    wait_status(invoice, ROUTED, survivor)
    assert_processed_exactly_once(invoice)
    extract = list(ProcessingAttempt.objects.filter(invoice=invoice, stage="extract").order_by("started_at", "id"))
    assert [a.outcome for a in extract] == [Outcome.ABANDONED, Outcome.SUCCEEDED]
    # The same message came back (same task id) and took the invoice over from its lost run.
    assert extract[0].task_id == extract[1].task_id == running.task_id
    assert extract[0].worker.startswith("doomed@") and extract[1].worker.startswith("survivor@")
    results = s3.list_objects_v2(Bucket=settings.PROCESSED_BUCKET, Prefix=f"results/{invoice.pk}/")
    assert results["KeyCount"] == 1


def test_a_killed_workers_invoice_is_released_by_the_sweeper_when_its_message_is_not_redelivered(
    start_worker, settings
):
    doomed = start_worker(name="doomed", extra_env={"PIPELINE_FAILPOINTS": "extract.engine=sleep:300"})
    invoice = intake("INV-KILL-2")
    wait_for(lambda: outcomes(invoice) == [Outcome.RUNNING], timeout=60,
             message=f"extraction to start; log:\n{doomed.output()[-2000:]}")
    doomed.kill()
    survivor = start_worker(name="survivor")  # visibility timeout of an hour: the lost message stays lost
    time.sleep(1.5)
    settings.PIPELINE_STUCK_AFTER = 1
    report = services.sweep()
    assert report.released == [str(invoice.pk)]
    wait_status(invoice, ROUTED, survivor)
    assert_processed_exactly_once(invoice)
    lost, done = ProcessingAttempt.objects.filter(invoice=invoice, stage="extract").order_by("started_at", "id")
    assert (lost.outcome, done.outcome) == (Outcome.ABANDONED, Outcome.SUCCEEDED)
    assert lost.task_id != done.task_id  # queued afresh by the sweeper


def test_storage_briefly_unreachable_is_retried_then_done(start_worker):
    moto = urlparse(settings.AWS_ENDPOINT_URL)
    proxy = Proxy(moto.hostname, moto.port)  # the worker's only way to S3; down for now
    worker = start_worker(extra_env={"AWS_ENDPOINT_URL": proxy.url, **FAST_RETRIES})
    try:
        invoice = intake("INV-OUTAGE")
        wait_for(lambda: outcomes(invoice).count(Outcome.RETRYING) >= 2, timeout=60,
                 message=f"retries while S3 is down; log:\n{worker.output()[-2000:]}")
        invoice.refresh_from_db()
        assert invoice.status in (Status.RECEIVED, Status.EXTRACTING)  # waiting for its retry, not failed
        proxy.start()
        wait_status(invoice, ROUTED, worker)
    finally:
        proxy.stop()
    history = outcomes(invoice)
    assert history[-1] == Outcome.SUCCEEDED and set(history[:-1]) == {Outcome.RETRYING}
    retry = ProcessingAttempt.objects.filter(invoice=invoice, outcome=Outcome.RETRYING).first()
    assert "EndpointConnectionError" in retry.error
    assert_processed_exactly_once(invoice)


def test_a_corrupt_file_fails_with_the_reason_and_the_original_stays_downloadable(
    celery_worker, make_invoice, client, admin_user
):
    corrupt = b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nnot a PDF body at all\n%%EOF\n"
    invoice = make_invoice(status=Status.RECEIVED, fields={}, pdf=corrupt)
    tasks.extract_invoice.delay(str(invoice.pk))
    wait_status(invoice, (Status.FAILED,), celery_worker)
    assert "PDF" in invoice.status_reason  # the engine's reason, as people see it
    assert outcomes(invoice) == [Outcome.FAILED]
    client.force_login(admin_user)
    response = client.get(reverse("invoice-original", args=[invoice.pk]) + "?download=1")
    assert response.status_code == 200 and b"".join(response.streaming_content) == corrupt


def test_two_workers_given_the_same_invoice_produce_one_result(start_worker):
    slow = {"PIPELINE_FAILPOINTS": "extract.start=sleep:2"}
    first, second = start_worker(name="w1", extra_env=slow), start_worker(name="w2", extra_env=slow)
    invoice = intake("INV-RACE")
    for _ in range(3):
        tasks.extract_invoice.delay(str(invoice.pk))  # the same invoice, four messages, two workers
    wait_status(invoice, ROUTED, first)
    time.sleep(3)  # let the losing messages finish their no-op
    assert_processed_exactly_once(invoice)
    assert outcomes(invoice) == [Outcome.SUCCEEDED]  # the losers did not even start an attempt
    received = [w.output().count("Task pipeline.tasks.extract_invoice[") for w in (first, second)]
    assert all(n >= 1 for n in received), received  # both workers had the invoice in hand


def test_two_hundred_files_uploaded_at_once_are_all_processed(start_worker, client, admin_user):
    worker = start_worker(concurrency=2)
    client.force_login(admin_user)
    files = [SimpleUploadedFile(f"batch-{n:03}.pdf", invoice_pdf(number=f"B-{n:04}", total=f"{100 + n}.00"),
                                "application/pdf") for n in range(200)]
    response = client.post(reverse("upload"), {"files": files})
    assert response.status_code == 200
    assert Invoice.objects.count() == 200
    assert response.content.count(b"received, processing started") == 200
    wait_for(lambda: Invoice.objects.filter(status__in=ROUTED).count() == 200, timeout=900, interval=2,
             message=f"200 invoices routed (now {Invoice.objects.filter(status__in=ROUTED).count()}); "
                     f"log:\n{worker.output()[-2000:]}")
    succeeded = ProcessingAttempt.objects.filter(stage="extract", outcome=Outcome.SUCCEEDED)
    assert succeeded.count() == 200 and succeeded.values("invoice").distinct().count() == 200
