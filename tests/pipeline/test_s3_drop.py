"""The S3 drop end to end on moto: a file put under incoming/ → S3 notification → SQS → consumer → intake →
worker → routed; refused files kept with their reason; duplicates and lost notifications handled."""

from __future__ import annotations

import copy
import io
import os

import pytest
from django.core.management import call_command

from invoices import aws
from invoices.models import Channel, Invoice, Status
from pipeline import tasks
from pipeline.s3_intake import consume, scan
from tests.conftest import wait_for
from tests.factories import invoice_pdf

PREFIX = os.environ.get("INVOICES_TEST_NAME", "invoices").replace("_", "-")
ROUTED = (Status.NEEDS_REVIEW, Status.READY, Status.APPROVED)


@pytest.fixture
def drop(settings, request):
    """A raw bucket with the drop configured for real by setup_aws; the raw storage uses that bucket."""
    tag = request.node.name.rsplit("_", 1)[-1][:10].lower()
    raw = f"{PREFIX}-drop-{tag}"
    settings.RAW_BUCKET = raw
    settings.S3_DROP_QUEUE = f"{PREFIX}-drop-{tag}"
    settings.DYNAMODB_TABLE = ""
    storages = copy.deepcopy(settings.STORAGES)
    storages["raw"]["OPTIONS"]["bucket_name"] = raw
    settings.STORAGES = storages
    call_command("setup_aws", stdout=io.StringIO())
    return settings


def put(key: str, data: bytes) -> None:
    from django.conf import settings

    aws.client("s3").put_object(Bucket=settings.RAW_BUCKET, Key=key, Body=data)


def keys(prefix: str) -> list[str]:
    from django.conf import settings

    listing = aws.client("s3").list_objects_v2(Bucket=settings.RAW_BUCKET, Prefix=prefix)
    return sorted(item["Key"] for item in listing.get("Contents", []))


@pytest.mark.worker
@pytest.mark.slow
def test_a_dropped_file_is_taken_in_and_processed_by_a_worker(drop, start_worker):
    worker = start_worker(extra_env={"RAW_BUCKET": drop.RAW_BUCKET, "S3_DROP_QUEUE": drop.S3_DROP_QUEUE})
    data = invoice_pdf(number="S3-0001")
    put("incoming/acme corp/march invoice.pdf", data)  # a space: S3 events carry keys URL-encoded
    tasks.consume_s3_drop.delay()  # the Celery beat task, run by the worker
    invoice = wait_for(lambda: Invoice.objects.filter(channel=Channel.S3).first(), timeout=60,
                       message=f"the dropped file to be taken in; log:\n{worker.output()[-2000:]}")

    def routed():
        invoice.refresh_from_db()
        return invoice.status in ROUTED

    wait_for(routed, timeout=120, message=f"the dropped invoice to be processed; log:\n{worker.output()[-2000:]}")
    assert invoice.original_name == "march invoice.pdf" and invoice.invoice_number == "S3-0001"
    assert keys("incoming/") == []  # moved out of the drop folder...
    assert keys("originals/") == [invoice.original.name]  # ...to its final key
    body = aws.client("s3").get_object(Bucket=drop.RAW_BUCKET, Key=invoice.original.name)["Body"].read()
    assert body == data


@pytest.mark.django_db(transaction=True)
def test_refused_and_duplicate_drops_leave_the_folder_and_say_why(drop):
    data = invoice_pdf(number="S3-0002")
    put("incoming/first.pdf", data)
    assert consume(wait_seconds=0).created == 1
    put("incoming/again.pdf", data)  # the same bytes under another name
    put("incoming/notes.pdf", b"Meeting notes, not an invoice")
    report = consume(wait_seconds=0)
    assert (report.created, report.duplicates, report.rejected, report.failed) == (0, 1, 1, 0)
    assert Invoice.objects.count() == 1
    assert keys("incoming/") == []
    rejected = keys("rejected/")
    assert len(rejected) == 2 and rejected[0].endswith("/notes.pdf") and rejected[1].endswith("/notes.pdf.reason.txt")
    s3 = aws.client("s3")
    head = s3.head_object(Bucket=drop.RAW_BUCKET, Key=rejected[0])
    assert head["Metadata"]["rejection-code"] == "unsupported_type"
    reason = s3.get_object(Bucket=drop.RAW_BUCKET, Key=rejected[1])["Body"].read().decode()
    assert reason.startswith("This is a text file although its name ends in .pdf, not an invoice document.")
    assert s3.get_object(Bucket=drop.RAW_BUCKET, Key=rejected[0])["Body"].read() == b"Meeting notes, not an invoice"


@pytest.mark.django_db(transaction=True)
def test_a_redelivered_notification_for_a_file_already_taken_in_does_nothing(drop):
    put("incoming/one.pdf", invoice_pdf(number="S3-0003"))
    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName=drop.S3_DROP_QUEUE)["QueueUrl"]
    message = next(m for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
                   if "ObjectCreated" in m["Body"])
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    sqs.send_message(QueueUrl=url, MessageBody=message["Body"])  # the same event, twice
    report = consume(wait_seconds=0)
    assert report.created == 1 and report.failed == 0
    assert Invoice.objects.count() == 1
    assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"]["ApproximateNumberOfMessages"] == "0"


@pytest.mark.django_db(transaction=True)
def test_files_whose_notification_was_lost_are_found_by_the_scan(drop, settings):
    aws.client("s3").put_bucket_notification_configuration(Bucket=drop.RAW_BUCKET, NotificationConfiguration={})
    put("incoming/before-setup.pdf", invoice_pdf(number="S3-0004"))
    assert consume(wait_seconds=0).created == 0  # no notification, nothing on the queue
    report = scan()
    assert report.created == 1 and keys("incoming/") == []
    assert Invoice.objects.get().original_name == "before-setup.pdf"
