"""Upload → real Celery worker (Redis broker, MariaDB, moto S3) → stored result, with one correlation id."""

import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from invoices.models import Invoice, ProcessingAttempt, Status
from tests.conftest import wait_for
from tests.factories import invoice_pdf

pytestmark = [pytest.mark.worker, pytest.mark.slow]


def test_uploaded_invoice_is_processed_by_a_real_worker(client, reviewer, celery_worker, s3):
    client.force_login(reviewer)
    data = invoice_pdf(number="INV-7781", issued="2025-04-04", total="4171.24")
    response = client.post(
        reverse("upload"), {"files": [SimpleUploadedFile("inv.pdf", data, "application/pdf")]},
        HTTP_X_REQUEST_ID="req-e2e-0001",
    )
    assert response.status_code == 200 and response["X-Request-ID"] == "req-e2e-0001"
    invoice = Invoice.objects.get()

    def routed():
        invoice.refresh_from_db()
        return invoice.status in (Status.NEEDS_REVIEW, Status.READY, Status.FAILED)

    wait_for(routed, timeout=90, message=f"the worker to process the invoice; worker log:\n{celery_worker.output()[-2000:]}")
    assert invoice.status in (Status.NEEDS_REVIEW, Status.READY), invoice.status_reason
    assert invoice.invoice_number == "INV-7781"
    assert str(invoice.total) == "4171.2400"
    assert invoice.correlation_id == "req-e2e-0001"

    # The full result JSON sits in the processed bucket, encrypted with the KMS key.
    stored = s3.get_object(Bucket=settings.PROCESSED_BUCKET, Key=invoice.result_path)
    assert stored["ServerSideEncryption"] == "aws:kms"
    result = json.loads(stored["Body"].read())
    assert result["fields"]["invoice_number"]["value"] == "INV-7781"
    assert result["pages"] == 1

    stages = set(ProcessingAttempt.objects.filter(invoice=invoice, outcome="succeeded").values_list("stage", flat=True))
    assert {"extract", "validate"} <= stages

    # The worker's JSON log lines about this invoice carry the request's correlation id, and no contents.
    lines = [json.loads(line) for line in celery_worker.output().splitlines() if line.startswith("{")]
    about_it = [line for line in lines if line.get("invoice_id") == str(invoice.pk)]
    assert about_it, "the worker logged nothing about the invoice"
    assert all(line["correlation_id"] == "req-e2e-0001" for line in about_it)
    assert "INV-7781" not in celery_worker.output() and "4171.24" not in celery_worker.output()
