"""Intake: one service for every channel; originals land in the raw bucket encrypted with the KMS key."""

import pytest
from django.conf import settings
from django.db import IntegrityError

from invoices.models import AuditEvent, Invoice, OutboxEvent, Status
from invoices.services import invoice_intake
from tests.factories import invoice_pdf

pytestmark = pytest.mark.django_db


def test_new_file_is_stored_encrypted_in_the_raw_bucket_and_recorded(s3, django_capture_on_commit_callbacks):
    data = invoice_pdf(number="A-1")
    with django_capture_on_commit_callbacks() as callbacks:
        outcome = invoice_intake(file=data, name="C:\\scans\\a-1.pdf", channel="upload")
    assert outcome.ok, outcome.message
    invoice = Invoice.objects.get(pk=outcome.invoice.pk)
    assert invoice.status == Status.RECEIVED
    assert invoice.original_name == "a-1.pdf"
    assert (invoice.file_kind, invoice.page_count, invoice.size_bytes) == ("pdf", 1, len(data))
    head = s3.head_object(Bucket=settings.RAW_BUCKET, Key=invoice.original.name)
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"].endswith(settings.KMS_KEY_ID.split("/")[-1])
    body = s3.get_object(Bucket=settings.RAW_BUCKET, Key=invoice.original.name)["Body"].read()
    assert body == data
    assert AuditEvent.objects.filter(invoice=invoice, action="created").count() == 1
    assert OutboxEvent.objects.filter(invoice=invoice, event_type="created").count() == 1
    assert len(callbacks) >= 1  # extraction is queued only once the transaction commits


def test_same_bytes_twice_is_reported_not_stored_again(s3):
    data = invoice_pdf(number="DUP-1")
    first = invoice_intake(file=data, name="one.pdf", channel="upload")
    keys_before = s3.list_objects_v2(Bucket=settings.RAW_BUCKET).get("KeyCount", 0)
    second = invoice_intake(file=data, name="two.pdf", channel="api")
    assert second.outcome == "duplicate"
    assert second.invoice.pk == first.invoice.pk
    assert "already received" in second.message
    assert Invoice.objects.filter(sha256=first.invoice.sha256).count() == 1
    assert s3.list_objects_v2(Bucket=settings.RAW_BUCKET).get("KeyCount", 0) == keys_before
    assert AuditEvent.objects.filter(invoice=first.invoice, action="duplicate_refused").exists()


def test_refused_file_stores_nothing(s3):
    before = s3.list_objects_v2(Bucket=settings.RAW_BUCKET).get("KeyCount", 0)
    outcome = invoice_intake(file=b"not a pdf at all", name="x.pdf", channel="upload")
    assert outcome.outcome == "rejected" and outcome.code == "unsupported_type"
    assert Invoice.objects.count() == 0
    assert s3.list_objects_v2(Bucket=settings.RAW_BUCKET).get("KeyCount", 0) == before


def test_a_failed_database_write_removes_the_stored_copy(s3, monkeypatch):
    def boom(*args, **kwargs):
        raise IntegrityError("simulated: database refused the row")

    before = s3.list_objects_v2(Bucket=settings.RAW_BUCKET).get("KeyCount", 0)
    monkeypatch.setattr(Invoice.objects, "create", boom)
    with pytest.raises(IntegrityError):
        invoice_intake(file=invoice_pdf(number="X-9"), name="x.pdf", channel="upload")
    assert s3.list_objects_v2(Bucket=settings.RAW_BUCKET).get("KeyCount", 0) == before


def test_large_upload_is_read_only_up_to_the_limit(settings):
    settings.MAX_UPLOAD_BYTES = 1000

    class Upload:
        size = 11 * 1024 * 1024
        read_sizes: list[int] = []

        def read(self, n=-1):
            self.read_sizes.append(n)
            return b"%PDF-1.4" + b"0" * (n - 8)

    upload = Upload()
    outcome = invoice_intake(file=upload, name="big.pdf", channel="upload")
    assert outcome.code == "too_large" and "11.0" in outcome.message
    assert upload.read_sizes == [1001]
