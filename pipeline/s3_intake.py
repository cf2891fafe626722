"""The S3 drop: files put under ``incoming/`` in the raw bucket are taken in like uploads.

S3 announces each new object on an SQS queue (ObjectCreated notifications, configured by ``setup_aws``); a
consumer (``python manage.py consume_s3_events``, or the Celery beat task) reads the queue and passes each file
through the same intake as every other channel. Then the object leaves the drop folder:

- taken in (or the same bytes already were): deleted from ``incoming/``; the invoice's original is its own copy
  under ``originals/``;
- refused (not an invoice document, too large, damaged): moved to ``rejected/<date>/...`` with the reason in the
  object's metadata and in a ``.reason.txt`` beside it, for whoever dropped it.

A message is deleted from the queue only once its files are dealt with; if intake fails on a transient error
the message comes back after the queue's visibility timeout, and after five tries goes to the dead-letter queue.
Lost notifications (a file dropped before the notification existed) are found by ``consume_s3_events --scan``.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from urllib.parse import unquote_plus

from botocore.exceptions import ClientError
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from config.logging import correlation_id, set_correlation_id
from invoices import aws
from invoices.models import Channel
from invoices.services import invoice_intake
from invoices.services.intake import CREATED, DUPLICATE

logger = logging.getLogger("pipeline.s3_drop")
REJECTED_PREFIX = "rejected/"


@dataclass(slots=True)
class DropReport:
    messages: int = 0
    created: int = 0
    duplicates: int = 0
    rejected: int = 0
    ignored: int = 0
    failed: int = 0  # left on the queue to be tried again

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def count(self, outcome: str) -> None:
        if outcome == CREATED:
            self.created += 1
        elif outcome == DUPLICATE:
            self.duplicates += 1
        elif outcome == "rejected":
            self.rejected += 1
        else:
            self.ignored += 1


class _Body:
    """An S3 object body as intake reads it: ``read(n)`` plus its real ``size`` (intake reads ≤ limit + 1)."""

    def __init__(self, stream, size: int):
        self._stream, self.size = stream, size

    def read(self, amount: int = -1) -> bytes:
        return self._stream.read(None if amount is None or amount < 0 else amount)


def take_in(*, bucket: str, key: str, version_id: str | None = None, s3=None) -> str:
    """Take one dropped object in; returns created | duplicate | rejected | ignored | gone."""
    s3 = s3 or aws.client("s3")
    prefix = settings.S3_DROP_PREFIX
    if bucket != settings.RAW_BUCKET or not key.startswith(prefix) or key.endswith("/"):
        return "ignored"
    version = {"VersionId": version_id} if version_id else {}
    try:
        obj = s3.get_object(Bucket=bucket, Key=key, **version)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "NoSuchVersion", "404"):
            return "gone"  # taken in already (a redelivered message, or the scan got there first)
        raise
    name = key.rsplit("/", 1)[-1]
    token = set_correlation_id(None)  # one correlation id per dropped file, as per web request
    try:
        with obj["Body"] as stream:
            outcome = invoice_intake(file=_Body(stream, obj["ContentLength"]), name=name, channel=Channel.S3)
        if outcome.outcome not in (CREATED, DUPLICATE):
            _keep_rejected(s3, bucket, key, version, outcome.code, outcome.message)
        s3.delete_object(Bucket=bucket, Key=key, **version)
        logger.info("s3 drop taken in", extra={"outcome": outcome.outcome, "code": outcome.code,
                                               "invoice_id": str(outcome.invoice.pk) if outcome.invoice else ""})
        return outcome.outcome
    finally:
        correlation_id.reset(token)


def _keep_rejected(s3, bucket: str, key: str, version: dict, code: str, message: str) -> None:
    relative = key[len(settings.S3_DROP_PREFIX):]
    target = f"{REJECTED_PREFIX}{datetime.now(UTC):%Y/%m/%d}/{relative}"
    source = {"Bucket": bucket, "Key": key, **version}
    ascii_message = message.encode("ascii", "replace").decode()[:1500]
    s3.copy_object(Bucket=bucket, Key=target, CopySource=source, MetadataDirective="REPLACE",
                   Metadata={"rejection-code": code or "rejected", "rejection-reason": ascii_message})
    s3.put_object(Bucket=bucket, Key=f"{target}.reason.txt", Body=f"{message}\n".encode(),
                  ContentType="text/plain; charset=utf-8")


def handle_message(body: str, *, s3=None) -> list[str]:
    """Deal with one SQS message (an S3 event, possibly several records); returns each record's outcome."""
    try:
        event = json.loads(body)
    except ValueError:
        logger.warning("s3 drop: message is not JSON; dropped")
        return ["ignored"]
    if "Message" in event and "Records" not in event:  # delivered through SNS: the S3 event is inside
        try:
            event = json.loads(event["Message"])
        except (TypeError, ValueError):
            return ["ignored"]
    if event.get("Event") == "s3:TestEvent":
        return ["ignored"]
    results = []
    for record in event.get("Records") or []:
        if not str(record.get("eventName", "")).startswith("ObjectCreated"):
            results.append("ignored")
            continue
        s3_part = record.get("s3") or {}
        bucket = (s3_part.get("bucket") or {}).get("name", "")
        obj = s3_part.get("object") or {}
        key = unquote_plus(obj.get("key", ""))  # keys arrive URL-encoded, spaces as "+"
        results.append(take_in(bucket=bucket, key=key, version_id=obj.get("versionId"), s3=s3))
    return results or ["ignored"]


def consume(*, max_seconds: float | None = None, wait_seconds: int = 20, stop_when_empty: bool = True,
            sqs=None, s3=None) -> DropReport:
    """Read the drop queue and take the files in. Stops when the queue is empty (or after ``max_seconds``)."""
    if not settings.S3_DROP_QUEUE:
        raise ValueError("S3_DROP_QUEUE is not set: there is no S3 drop to read.")
    sqs, s3 = sqs or aws.client("sqs"), s3 or aws.client("s3")
    url = sqs.get_queue_url(QueueName=settings.S3_DROP_QUEUE)["QueueUrl"]
    report = DropReport()
    deadline = time.monotonic() + max_seconds if max_seconds else None
    while deadline is None or time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait_seconds,
                                       AttributeNames=["ApproximateReceiveCount"]).get("Messages", [])
        if not messages and stop_when_empty:
            break
        for message in messages:
            report.messages += 1
            try:
                outcomes = handle_message(message["Body"], s3=s3)
            except SoftTimeLimitExceeded:
                raise  # the beat task's time is up: this message comes back after its visibility timeout
            except Exception as exc:
                report.failed += 1
                logger.warning("s3 drop: will retry", exc_info=not isinstance(exc, ClientError),
                               extra={"error_type": type(exc).__name__,
                                      "receives": message.get("Attributes", {}).get("ApproximateReceiveCount")})
                continue  # not deleted: it comes back after the visibility timeout
            for outcome in outcomes:
                report.count(outcome)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return report


def scan(*, s3=None) -> DropReport:
    """Take in every file lying in the drop folder, whatever happened to its notification."""
    s3 = s3 or aws.client("s3")
    report = DropReport()
    paginator = s3.get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=settings.RAW_BUCKET, Prefix=settings.S3_DROP_PREFIX):
        for item in page.get("Contents", []):
            report.count(take_in(bucket=settings.RAW_BUCKET, key=item["Key"], s3=s3))
    return report
