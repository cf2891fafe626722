"""The steps in this process (no worker): claims, takeovers, fenced writes, retries, failures, the sweeper.

Storage failures are real: the raw storage is pointed at a loopback port that refuses connections until a
forwarder to the moto server is started there.
"""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from invoices import storage
from invoices.models import AuditEvent, Invoice, OutboxEvent, ProcessingAttempt, Status
from invoices.selectors import InvoiceFilters
from invoices.services import invoice_correct_fields, invoice_reprocess
from pipeline import services
from pipeline.retry import backoff, classify
from pipeline.steps.base import EXTRACT, claim, fenced
from tests.factories import invoice_pdf
from tests.pipeline.netproxy import Proxy

pytestmark = pytest.mark.django_db
Outcome = ProcessingAttempt.Outcome


def ctx(task_id: str = "task-a", retries: int = 0, max_retries: int = 3) -> services.RunContext:
    return services.RunContext(task_id=task_id, worker="test@host", retries=retries, max_retries=max_retries)


@pytest.fixture
def received(make_invoice):
    def make(**kwargs):
        kwargs.setdefault("pdf", invoice_pdf(number=kwargs.pop("number", "INV-2025-0042")))
        return make_invoice(status=Status.RECEIVED, fields={}, **kwargs)

    return make


def run_all(invoice_id) -> Invoice:
    assert services.run_extract(str(invoice_id), ctx()).status == Status.EXTRACTED
    assert services.run_validate(str(invoice_id), ctx("task-v")).status == Status.VALIDATED
    services.run_route(str(invoice_id), ctx("task-r"))
    return Invoice.objects.get(pk=invoice_id)


def attempts(invoice, stage="extract") -> list[str]:
    return list(ProcessingAttempt.objects.filter(invoice=invoice, stage=stage).order_by("started_at", "id")
                .values_list("outcome", flat=True))


def test_the_steps_take_an_invoice_from_received_to_routed_each_once(received):
    invoice = received()
    routed = run_all(invoice.pk)
    assert routed.status in (Status.NEEDS_REVIEW, Status.READY)
    assert routed.invoice_number == "INV-2025-0042" and routed.result_path
    assert routed.processing_ms is not None and routed.routed_at is not None
    # Run again, as a duplicate message would: nothing changes.
    for step in (services.run_extract, services.run_validate, services.run_route):
        assert step(str(invoice.pk), ctx("task-dup")).ran is False
    for stage in ("extract", "validate", "route"):
        assert attempts(invoice, stage) == [Outcome.SUCCEEDED]
    assert AuditEvent.objects.filter(invoice=invoice, action=AuditEvent.Action.EXTRACTED).count() == 1
    assert OutboxEvent.objects.filter(invoice=invoice, event_type="routed").count() == 1
    extracted = OutboxEvent.objects.get(invoice=invoice, event_type="extracted")
    assert extracted.payload["status"] == Status.EXTRACTED  # consumers see the state the event announces
    result = storage.read_result(routed.result_path)
    assert result["fields"]["invoice_number"]["value"] == "INV-2025-0042"
    attempt = ProcessingAttempt.objects.get(invoice=invoice, stage="extract")
    assert attempt.result_path == routed.result_path and attempt.engine and attempt.duration_ms is not None
    assert {"fetch", "engine", "store", "apply"} <= set(attempt.timings_ms)


def test_a_second_run_skips_an_invoice_another_run_holds(received):
    invoice = received()
    first = claim(EXTRACT, str(invoice.pk), ctx("task-a"))
    outcome = services.run_extract(str(invoice.pk), ctx("task-b"))
    assert outcome.ran is False and outcome.status == Status.EXTRACTING
    assert attempts(invoice) == [Outcome.RUNNING]
    with fenced(first) as locked:
        assert locked is not None  # the first run still holds it


def test_a_redelivered_message_takes_over_from_its_lost_run_and_the_lost_run_cannot_write(received):
    invoice = received()
    lost = claim(EXTRACT, str(invoice.pk), ctx("task-a"))  # a run whose worker died: it never finishes
    outcome = services.run_extract(str(invoice.pk), ctx("task-a"))  # its message, redelivered
    assert outcome.status == Status.EXTRACTED
    assert attempts(invoice) == [Outcome.ABANDONED, Outcome.SUCCEEDED]
    with fenced(lost) as locked:
        assert locked is None
    assert AuditEvent.objects.filter(invoice=invoice, action=AuditEvent.Action.EXTRACTED).count() == 1


def test_runs_interrupted_too_often_fail_with_the_reason(received, settings, django_capture_on_commit_callbacks):
    settings.PIPELINE_MAX_INTERRUPTIONS = 2
    invoice = received()
    claim(EXTRACT, str(invoice.pk), ctx("task-a"))
    claim(EXTRACT, str(invoice.pk), ctx("task-a"))  # redelivered once: takes over
    with django_capture_on_commit_callbacks() as callbacks:
        outcome = claim(EXTRACT, str(invoice.pk), ctx("task-a"))  # and again: the limit
    assert outcome.status == Status.FAILED
    invoice.refresh_from_db()
    assert invoice.status == Status.FAILED
    assert invoice.status_reason.startswith("Extraction stopped before it finished 2 times in a row")
    assert attempts(invoice) == [Outcome.ABANDONED, Outcome.ABANDONED]
    assert callbacks  # invoice_failed hook after commit


@pytest.fixture
def raw_storage_down(settings):
    """``raw_storage_down()`` points the raw storage at a proxy of the moto server that is down until started."""
    target = urlparse(django_settings.AWS_ENDPOINT_URL)
    proxy = Proxy(target.hostname, target.port)

    def down() -> Proxy:
        storages = copy.deepcopy(settings.STORAGES)
        storages["raw"]["OPTIONS"]["endpoint_url"] = proxy.url
        settings.STORAGES = storages
        return proxy

    yield down
    proxy.stop()


def test_storage_briefly_unreachable_is_retried_then_done(received, raw_storage_down):
    invoice = received()
    proxy = raw_storage_down()
    outcome = services.run_extract(str(invoice.pk), ctx(retries=0))
    assert outcome.retry_in is not None and outcome.retry_in > 0
    assert outcome.retry_kwargs == {"errors": 1}
    invoice.refresh_from_db()
    assert invoice.status == Status.RECEIVED  # given back, for the retry to claim afresh
    retrying = ProcessingAttempt.objects.get(invoice=invoice)
    assert retrying.outcome == Outcome.RETRYING and "EndpointConnectionError" in retrying.error

    proxy.start()
    assert services.run_extract(str(invoice.pk), ctx(retries=1)).status == Status.EXTRACTED
    assert attempts(invoice) == [Outcome.RETRYING, Outcome.SUCCEEDED]


def test_storage_unreachable_for_every_try_fails_with_the_reason(received, raw_storage_down):
    invoice = received()
    raw_storage_down()
    outcome = services.run_extract(str(invoice.pk), ctx(retries=3, max_retries=3))
    assert outcome.status == Status.FAILED and outcome.retry_in is None
    invoice.refresh_from_db()
    assert invoice.status == Status.FAILED
    assert invoice.status_reason == ("Extraction failed: the file storage could not be reached (4 tries). "
                                     "The original is kept; reprocess the invoice once the service is back.")


def test_an_unreadable_original_fails_at_once_and_stays_downloadable(make_invoice, client, admin_user):
    corrupt = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nthis is not a PDF body\n%%EOF\n"
    invoice = make_invoice(status=Status.RECEIVED, fields={}, pdf=corrupt)
    outcome = services.run_extract(str(invoice.pk), ctx())
    assert outcome.status == Status.FAILED
    invoice.refresh_from_db()
    assert invoice.status == Status.FAILED and "PDF" in invoice.status_reason
    assert attempts(invoice) == [Outcome.FAILED]
    client.force_login(admin_user)
    response = client.get(reverse("invoice-original", args=[invoice.pk]) + "?download=1")
    assert response.status_code == 200 and b"".join(response.streaming_content) == corrupt


def test_a_missing_original_fails_with_a_clear_reason(make_invoice):
    invoice = make_invoice(status=Status.RECEIVED, fields={}, store_original=False)
    services.run_extract(str(invoice.pk), ctx())
    invoice.refresh_from_db()
    assert invoice.status == Status.FAILED
    assert invoice.status_reason == "Extraction failed: the original file is missing from storage; upload it again."


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap():
    for retries in range(12):
        full = min(600.0, 5.0 * 2**retries)
        delays = {backoff(retries, base=5.0, cap=600.0) for _ in range(50)}
        assert all(full / 2 <= d <= full for d in delays)
        assert len(delays) > 1  # jittered
    assert max(backoff(30, base=5.0, cap=600.0) for _ in range(50)) <= 600.0


def test_errors_are_told_apart():
    from botocore.exceptions import ClientError, EndpointConnectionError
    from django.db import OperationalError

    from pipeline.errors import PermanentError, TransientError

    def client_error(code, status):
        return ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "GetObject")

    assert classify(EndpointConnectionError(endpoint_url="http://x")).transient
    assert classify(OperationalError(2006, "MySQL server has gone away")).transient
    assert classify(client_error("SlowDown", 503)).transient
    assert classify(client_error("ThrottlingException", 400)).transient
    assert classify(TransientError("Textract is throttling")).transient
    assert not classify(client_error("NoSuchKey", 404)).transient
    assert not classify(client_error("AccessDenied", 403)).transient
    assert not classify(PermanentError("The document has too many pages for Textract.")).transient
    unexpected = classify(KeyError("x"))
    assert not unexpected.transient and unexpected.unexpected


# --- the sweeper --------------------------------------------------------------------------------------------
def _age(invoice, seconds: int) -> None:
    Invoice.objects.filter(pk=invoice.pk).update(updated_at=timezone.now() - timedelta(seconds=seconds))


def test_the_sweeper_releases_an_invoice_held_too_long_and_it_completes(
    received, settings, django_capture_on_commit_callbacks
):
    settings.PIPELINE_STUCK_AFTER = 600
    invoice = received()
    claim(EXTRACT, str(invoice.pk), ctx("task-lost"))  # the worker died, its message is gone
    _age(invoice, 300)
    assert services.sweep().released == []  # not yet past the limit
    _age(invoice, 700)
    with django_capture_on_commit_callbacks(execute=True):  # eager Celery: the requeued steps run here
        report = services.sweep()
    assert report.released == [str(invoice.pk)]
    invoice.refresh_from_db()
    assert invoice.status in (Status.NEEDS_REVIEW, Status.READY)
    assert attempts(invoice) == [Outcome.ABANDONED, Outcome.SUCCEEDED]
    abandoned = ProcessingAttempt.objects.filter(invoice=invoice, outcome=Outcome.ABANDONED).get()
    assert "released by the sweeper" in abandoned.error


def test_the_sweeper_fails_an_invoice_interrupted_too_often(received, settings):
    settings.PIPELINE_STUCK_AFTER = 600
    settings.PIPELINE_MAX_INTERRUPTIONS = 2
    invoice = received()
    claim(EXTRACT, str(invoice.pk), ctx("task-a"))
    claim(EXTRACT, str(invoice.pk), ctx("task-a"))  # one takeover already
    _age(invoice, 700)
    report = services.sweep()
    assert report.failed == [str(invoice.pk)]
    invoice.refresh_from_db()
    assert invoice.status == Status.FAILED and "2 times in a row" in invoice.status_reason


def test_the_sweeper_requeues_an_invoice_waiting_too_long_once_per_period(received, settings):
    settings.PIPELINE_QUEUED_STUCK_AFTER = 900
    invoice = received()
    _age(invoice, 1000)
    report = services.sweep()  # eager Celery: the queued step runs at once
    assert report.requeued == [str(invoice.pk)]
    invoice.refresh_from_db()
    assert invoice.status == Status.EXTRACTED or invoice.status in (Status.NEEDS_REVIEW, Status.READY)
    second = received(number="INV-2")
    _age(second, 1000)
    Invoice.objects.filter(pk=second.pk).update(status=Status.VALIDATED)
    assert services.sweep().requeued == [str(second.pk)]
    assert services.sweep().requeued == []  # touched: not again before another full period


# --- reprocessing -------------------------------------------------------------------------------------------
def test_reprocessing_keeps_every_result_and_what_people_set(received, reviewer, s3):
    invoice = received()
    first = run_all(invoice.pk)
    invoice_correct_fields(invoice_id=invoice.pk, changes={"vendor_name": "Northwind Traders Ltd (checked)"},
                           user=reviewer, expected_version=first.version)
    invoice_reprocess(invoice_id=invoice.pk, user=reviewer, reason="new engine")  # eager: queued on commit only
    assert Invoice.objects.get(pk=invoice.pk).status == Status.RECEIVED
    second = run_all(invoice.pk)
    assert second.result_path != first.result_path
    keys = s3.list_objects_v2(Bucket=django_settings.PROCESSED_BUCKET, Prefix=f"results/{invoice.pk}/")["Contents"]
    assert len(keys) == 2
    for key in keys:
        body = json.loads(s3.get_object(Bucket=django_settings.PROCESSED_BUCKET, Key=key["Key"])["Body"].read())
        assert body["fields"]["invoice_number"]["value"] == "INV-2025-0042"
    assert second.vendor_name == "Northwind Traders Ltd (checked)"
    assert attempts(invoice) == [Outcome.SUCCEEDED, Outcome.SUCCEEDED]


def test_batch_reprocess_takes_the_invoices_a_filter_selects(make_invoice):
    failed = [make_invoice(status=Status.FAILED, fields={}) for _ in range(3)]
    ready = make_invoice(status=Status.READY)
    queued, skipped = services.invoices_reprocess_matching(filters=InvoiceFilters(statuses=[Status.FAILED]),
                                                           reason="storage outage over")
    assert (queued, skipped) == (3, [])
    assert set(Invoice.objects.filter(status=Status.RECEIVED).values_list("pk", flat=True)) == {f.pk for f in failed}
    ready.refresh_from_db()
    assert ready.status == Status.READY


def test_the_reprocess_command_takes_ids_or_a_filter(make_invoice):
    import io

    from django.core.management import CommandError, call_command

    failed = [make_invoice(status=Status.FAILED, fields={}) for _ in range(2)]
    working = make_invoice(status=Status.EXTRACTING, fields={})
    out = io.StringIO()
    call_command("reprocess", "--status", "failed", "--dry-run", stdout=out)
    assert out.getvalue().strip() == "2 invoice(s) would be reprocessed."
    assert Invoice.objects.filter(status=Status.FAILED).count() == 2

    call_command("reprocess", "--status", "failed", "--reason", "outage over", stdout=out)
    assert "2 invoice(s) queued for reprocessing, 0 skipped." in out.getvalue()
    assert all(Invoice.objects.get(pk=f.pk).status == Status.RECEIVED for f in failed)
    assert AuditEvent.objects.filter(invoice=failed[0], action=AuditEvent.Action.REPROCESS_REQUESTED,
                                     new_value="outage over").exists()

    call_command("reprocess", str(working.pk), stdout=out)
    assert "being processed right now" in out.getvalue() and "0 invoice(s) queued" in out.getvalue()
    with pytest.raises(CommandError, match="Say which invoices"):
        call_command("reprocess", stdout=out)
