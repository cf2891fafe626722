"""Every state change as an SNS event: an SNS → SQS subscription on moto receives them with their attributes, and a
filter policy lets a consumer take only what it wants."""

from __future__ import annotations

import json
import uuid

import pytest
from django.utils import timezone

from invoices import aws
from invoices.models import OutboxEvent
from invoices.services import invoice_approve, invoice_correct_fields, invoice_reject
from pipeline.sync.outbox import outbox_drain, outbox_drain_until_empty

pytestmark = pytest.mark.django_db


@pytest.fixture
def sns():
    return aws.client("sns")


@pytest.fixture
def sqs():
    return aws.client("sqs")


@pytest.fixture
def topic(sns, settings):
    arn = sns.create_topic(Name=f"invoice-events-{uuid.uuid4().hex[:8]}")["TopicArn"]
    settings.SNS_TOPIC_ARN = arn
    settings.DYNAMODB_TABLE = ""
    yield arn
    sns.delete_topic(TopicArn=arn)


def subscribe(sns, sqs, topic: str, *, filter_policy: dict | None = None, raw: bool = False) -> str:
    url = sqs.create_queue(QueueName=f"consumer-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    attributes = {"RawMessageDelivery": "true" if raw else "false"}
    if filter_policy:
        attributes["FilterPolicy"] = json.dumps(filter_policy)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes=attributes)
    return url


def receive_all(sqs, url: str) -> list[dict]:
    messages = []
    while True:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"],
                                    WaitTimeSeconds=0).get("Messages", [])
        if not batch:
            return messages
        messages.extend(batch)
        sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)])


def decided_invoices(make_invoice, reviewer, approver):
    kept = make_invoice(uploaded_by=reviewer)
    invoice_correct_fields(invoice_id=kept.pk, changes={"total": "200.00"}, user=reviewer,
                           expected_version=kept.version)
    invoice_approve(invoice_id=kept.pk, user=approver)
    refused = make_invoice(uploaded_by=reviewer, fields={"vendor_name": ("Contoso GmbH", 97.0),
                                                         "currency": ("USD", 99.0), "total": ("10.00", 90.0)})
    invoice_reject(invoice_id=refused.pk, user=approver, reason="Duplicate of INV-1")
    return kept, refused


def test_subscribers_receive_every_change_with_attributes(make_invoice, reviewer, approver, sns, sqs, topic):
    everything = subscribe(sns, sqs, topic)
    kept, refused = decided_invoices(make_invoice, reviewer, approver)

    report = outbox_drain()

    assert (report.published, report.failed) == (3, 0)
    messages = [json.loads(m["Body"]) for m in receive_all(sqs, everything)]
    assert len(messages) == 3
    events = sorted((json.loads(m["Message"]) for m in messages), key=lambda e: e["eventId"])
    assert [e["eventType"] for e in events] == ["corrected", "approved", "rejected"]
    approved = events[1]
    kept.refresh_from_db()
    assert approved["invoiceId"] == str(kept.pk) and approved["status"] == "approved"
    assert approved["version"] == kept.version and approved["actor"] == approver.username
    assert approved["invoice"]["totalAmount"] == "200.0000" and approved["invoice"]["vendorName"] == "Northwind Traders"
    assert approved["eventId"] == OutboxEvent.objects.get(invoice=kept, event_type="approved").pk
    attributes = {m["MessageId"]: m["MessageAttributes"] for m in messages}
    by_type = {a["eventType"]["Value"]: a for a in attributes.values()}
    assert by_type["approved"]["status"] == {"Type": "String", "Value": "approved"}
    assert by_type["approved"]["vendor"] == {"Type": "String", "Value": "Northwind Traders"}
    assert by_type["rejected"]["vendor"]["Value"] == "Contoso GmbH"
    assert by_type["rejected"]["currency"]["Value"] == "USD"
    assert by_type["rejected"]["version"]["Type"] == "Number"
    assert OutboxEvent.objects.filter(sns_done_at__isnull=True).count() == 0


def test_a_filter_policy_delivers_only_what_the_consumer_asked_for(make_invoice, reviewer, approver, sns, sqs, topic):
    payments = subscribe(sns, sqs, topic, filter_policy={"eventType": ["approved"]}, raw=True)
    contoso = subscribe(sns, sqs, topic, filter_policy={"vendor": ["Contoso GmbH"], "status": ["rejected"]}, raw=True)
    kept, refused = decided_invoices(make_invoice, reviewer, approver)

    outbox_drain()

    to_payments = receive_all(sqs, payments)
    assert len(to_payments) == 1
    assert json.loads(to_payments[0]["Body"])["invoiceId"] == str(kept.pk)  # raw delivery: the event itself
    assert to_payments[0]["MessageAttributes"]["eventType"]["StringValue"] == "approved"
    to_contoso = receive_all(sqs, contoso)
    assert [json.loads(m["Body"])["invoiceId"] for m in to_contoso] == [str(refused.pk)]


def test_a_missing_topic_keeps_events_until_it_exists_while_dynamodb_goes_on(
    make_invoice, reviewer, approver, sns, sqs, settings, ddb, sync_table
):
    name = f"not-yet-{uuid.uuid4().hex[:8]}"
    settings.SNS_TOPIC_ARN = f"arn:aws:sns:{settings.AWS_REGION}:123456789012:{name}"
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    decided_invoices(make_invoice, reviewer, approver)

    first = outbox_drain(threads=1)

    assert "NotFound" in first.stopped
    assert OutboxEvent.objects.filter(dynamodb_done_at__isnull=False).count() >= 1  # the table got the probe
    assert OutboxEvent.objects.filter(sns_done_at__isnull=True).count() == 3

    arn = sns.create_topic(Name=name)["TopicArn"]
    queue = subscribe(sns, sqs, arn)
    report, _ = outbox_drain_until_empty(now=timezone.now() + timezone.timedelta(hours=1))

    assert report.failed == 0 and report.published == 3
    assert len(receive_all(sqs, queue)) == 3
    assert OutboxEvent.objects.filter(sns_done_at__isnull=True).count() == 0
    assert OutboxEvent.objects.filter(dynamodb_done_at__isnull=True).count() == 0
    sns.delete_topic(TopicArn=arn)
