"""The outbox drainer against a moto DynamoDB: schema, idempotent replays, ordering, throttling and outages."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from invoices.models import OutboxEvent, Status
from invoices.services import invoice_approve, invoice_correct_fields, invoice_reject
from pipeline.sync.backfill import outbox_replay
from pipeline.sync.outbox import _claim, outbox_drain, outbox_drain_until_empty
from tests.sync.conftest import head_of, table_items

pytestmark = pytest.mark.django_db

SORT_KEY = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z#v\d{10}$")


def correct(invoice, user, **changes):
    invoice.refresh_from_db()
    invoice_correct_fields(invoice_id=invoice.pk, changes=changes, user=user, expected_version=invoice.version)
    invoice.refresh_from_db()
    return invoice


def later(seconds: float = 3600):
    return timezone.now() + timedelta(seconds=seconds)


def test_each_change_becomes_a_version_item_with_the_schema(make_invoice, approver, reviewer, ddb, sync_table):
    invoice = make_invoice(uploaded_by=reviewer)
    correct(invoice, reviewer, total="120.50")
    invoice_approve(invoice_id=invoice.pk, user=approver)
    events = list(OutboxEvent.objects.filter(invoice=invoice).order_by("id"))
    assert [e.event_type for e in events] == ["corrected", "approved"]

    report = outbox_drain()

    assert (report.claimed, report.written, report.failed) == (2, 2, 0)
    items = table_items(ddb, sync_table)
    versions = [i for i in items if i["itemType"] == "version"]
    assert len(versions) == 2 and len(items) == 3  # two versions + one head
    approved = next(i for i in versions if i["eventType"] == "approved")
    invoice.refresh_from_db()
    assert approved["invoiceId"] == str(invoice.pk)
    assert SORT_KEY.match(approved["timestamp"])
    assert approved["timestamp"].startswith(events[1].occurred_at.strftime("%Y-%m-%dT%H:%M:%S.%f"))
    assert approved["version"] == invoice.version == events[1].invoice_version
    assert approved["status"] == "approved"
    assert approved["invoiceNumber"] == "INV-1001"
    assert approved["totalAmount"] == Decimal("120.50")
    assert approved["vendorName"] == "Northwind Traders"
    assert approved["currency"] == "EUR"
    assert approved["updatedBy"] == approver.username
    assert approved["confidence"] == Decimal(str(invoice.min_confidence))
    assert approved["extractedData"]["total"] == {"value": "120.50", "confidence": Decimal("100.0"),
                                                  "source": "person"}
    assert approved["extractedData"]["invoice_number"]["source"] == "engine"
    assert approved["deleted"] is False and approved["eventId"] == events[1].pk
    # Types as DynamoDB stores them: amounts are Numbers, fields a Map.
    raw = ddb.get_item(TableName=sync_table, Key={"invoiceId": {"S": str(invoice.pk)},
                                                  "timestamp": {"S": approved["timestamp"]}})["Item"]
    assert "N" in raw["totalAmount"] and "N" in raw["version"] and "M" in raw["extractedData"]
    assert "S" in raw["invoiceNumber"] and "N" in raw["extractedData"]["M"]["total"]["M"]["confidence"]

    # The head is the newest version; the consumer's natural query returns it first.
    head = head_of(ddb, sync_table, invoice.pk)
    assert head["version"] == invoice.version and head["status"] == "approved"
    assert head["latestTimestamp"] == approved["timestamp"]
    newest = ddb.query(TableName=sync_table, KeyConditionExpression="invoiceId = :i",
                       ExpressionAttributeValues={":i": {"S": str(invoice.pk)}}, ScanIndexForward=False, Limit=1)
    assert newest["Items"][0]["status"] == {"S": "approved"}
    assert OutboxEvent.objects.filter(dynamodb_done_at__isnull=True).count() == 0


def test_a_replayed_outbox_writes_nothing_twice(make_invoice, approver, reviewer, ddb, sync_table):
    for _ in range(3):
        invoice = make_invoice(uploaded_by=reviewer)
        correct(invoice, reviewer, total="99.00")
        invoice_reject(invoice_id=invoice.pk, user=approver, reason="Not ours")
    first = outbox_drain()
    before = table_items(ddb, sync_table)
    assert first.written == 6 and len(before) == 9

    assert outbox_replay() == 6
    second, _ = outbox_drain_until_empty()

    assert (second.claimed, second.written, second.stale, second.already) == (6, 0, 0, 6)
    assert table_items(ddb, sync_table) == before  # same items, same content: nothing duplicated or changed


def test_a_stale_version_never_overwrites_a_newer_one(make_invoice, reviewer, ddb, sync_table):
    invoice = make_invoice(uploaded_by=reviewer)
    correct(invoice, reviewer, total="10.00")
    correct(invoice, reviewer, total="20.00")
    correct(invoice, reviewer, total="30.00")
    old, middle, new = OutboxEvent.objects.filter(invoice=invoice).order_by("invoice_version")
    # The older two are held back (as if their first delivery failed); the newest goes first.
    OutboxEvent.objects.filter(pk__in=[old.pk, middle.pk]).update(next_attempt_at=later())
    assert outbox_drain().written == 1
    assert head_of(ddb, sync_table, invoice.pk)["totalAmount"] == Decimal("30.00")

    report = outbox_drain(now=later(7200))  # now the older ones arrive, out of order

    assert (report.written, report.stale) == (0, 2)
    head = head_of(ddb, sync_table, invoice.pk)
    assert head["version"] == new.invoice_version and head["totalAmount"] == Decimal("30.00")
    history = [i for i in table_items(ddb, sync_table) if i["itemType"] == "version"]
    assert sorted(i["version"] for i in history) == [old.invoice_version, middle.invoice_version, new.invoice_version]
    assert OutboxEvent.objects.filter(dynamodb_done_at__isnull=True).count() == 0


def test_many_invoices_drain_concurrently_and_every_head_is_the_newest(make_invoice, reviewer, ddb, sync_table,
                                                                         settings):
    settings.OUTBOX_BATCH_SIZE = 7  # several batches, several threads
    invoices = [make_invoice(uploaded_by=reviewer) for _ in range(8)]
    for invoice in invoices:
        for total in ("1.00", "2.00", "3.00"):
            correct(invoice, reviewer, total=total)

    report, more = outbox_drain_until_empty()

    assert (report.claimed, report.written, report.failed, more) == (24, 24, 0, False)
    for invoice in invoices:
        invoice.refresh_from_db()
        head = head_of(ddb, sync_table, invoice.pk)
        assert (head["version"], head["totalAmount"]) == (invoice.version, Decimal("3.00"))


def test_throttling_within_botocore_retries_is_absorbed(make_invoice, reviewer, ddb, sync_table, throttle):
    invoice = make_invoice(uploaded_by=reviewer)
    correct(invoice, reviewer, total="5.00")
    injected = throttle(2)  # botocore's standard mode makes 3 attempts

    report = outbox_drain(dynamodb_client=ddb)

    assert injected.thrown == 2
    assert (report.written, report.failed) == (1, 0)


def test_throttling_beyond_retries_backs_off_and_converges(make_invoice, reviewer, ddb, sync_table, throttle,
                                                          settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    invoices = [make_invoice(uploaded_by=reviewer) for _ in range(4)]
    for invoice in invoices:
        correct(invoice, reviewer, total="7.00")
    injected = throttle(5)

    first = outbox_drain(dynamodb_client=ddb, threads=1)

    # The first event spent botocore's three attempts on throttling: the batch stopped, nothing was lost.
    assert "ProvisionedThroughputExceededException" in first.stopped
    assert first.failed == 1 and first.released == 3 and first.written == 0
    failed = OutboxEvent.objects.get(attempts=1)
    assert "ProvisionedThroughputExceededException" in failed.last_error
    assert failed.next_attempt_at > timezone.now() and failed.dynamodb_done_at is None
    assert OutboxEvent.objects.filter(next_attempt_at__gt=timezone.now(), dynamodb_done_at__isnull=True).count() == 4
    assert outbox_drain(dynamodb_client=ddb).claimed == 0  # backing off: not retried at once

    later_report, _ = outbox_drain_until_empty(dynamodb_client=ddb, now=later())

    assert injected.thrown == 5
    assert later_report.written == 4 and later_report.failed == 0
    assert OutboxEvent.objects.filter(dynamodb_done_at__isnull=True).count() == 0
    assert len(table_items(ddb, sync_table)) == 8


def test_an_outage_keeps_the_backlog_and_it_drains_when_dynamodb_is_back(
    make_invoice, reviewer, approver, ddb, sync_table, second_endpoint, settings
):
    settings.AWS_ENDPOINT_URL = second_endpoint.url
    invoices = [make_invoice(uploaded_by=reviewer) for _ in range(5)]
    for invoice in invoices:
        correct(invoice, reviewer, total="8.00")
        invoice_approve(invoice_id=invoice.pk, user=approver)
    second_endpoint.stop()  # DynamoDB is down

    for hours in (0, 1, 2):  # three drains while it is down: each one probe, then back off
        report = outbox_drain(now=later(hours * 3600 + 1))
        assert report.stopped and "Could not connect" in report.stopped
        assert report.written == 0 and report.failed == 1
    assert OutboxEvent.objects.filter(dynamodb_done_at__isnull=True).count() == 10
    assert sum(OutboxEvent.objects.values_list("attempts", flat=True)) == 3  # not 30: one probe per drain
    assert table_items(ddb, sync_table) == []

    second_endpoint.start()  # it is back
    report, _ = outbox_drain_until_empty(now=later(5 * 3600))

    assert report.written == 10 and report.failed == 0
    assert OutboxEvent.objects.filter(dynamodb_done_at__isnull=True).count() == 0
    assert len(table_items(ddb, sync_table)) == 15  # 10 versions + 5 heads: nothing lost, nothing twice
    for invoice in invoices:
        assert head_of(ddb, sync_table, invoice.pk)["status"] == Status.APPROVED


def test_a_drainer_that_dies_after_claiming_only_delays_its_batch(make_invoice, reviewer, ddb, sync_table, settings):
    invoice = make_invoice(uploaded_by=reviewer)
    correct(invoice, reviewer, total="9.00")
    now = timezone.now()
    claimed = _claim(table=True, topic=False, limit=10, now=now)  # ... and then the process was killed
    assert len(claimed) == 1

    assert outbox_drain(now=now).claimed == 0  # leased: another drainer leaves it alone
    report = outbox_drain(now=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1))

    assert report.written == 1
    assert head_of(ddb, sync_table, invoice.pk)["totalAmount"] == Decimal("9.00")


def test_with_no_table_configured_changes_wait_in_the_outbox(make_invoice, reviewer, settings):
    settings.DYNAMODB_TABLE = ""
    settings.SNS_TOPIC_ARN = ""
    invoice = make_invoice(uploaded_by=reviewer)
    correct(invoice, reviewer, total="11.00")

    report = outbox_drain()

    assert report.enabled is False and report.claimed == 0
    assert OutboxEvent.objects.get(invoice=invoice).dynamodb_done_at is None  # kept for a later backfill


def test_a_committed_change_reaches_the_table_without_anyone_asking(
    make_invoice, reviewer, approver, ddb, sync_table, django_capture_on_commit_callbacks
):
    invoice = make_invoice(uploaded_by=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        invoice_approve(invoice_id=invoice.pk, user=approver)  # hooks.outbox_committed → drain (eager in tests)

    head = head_of(ddb, sync_table, invoice.pk)
    assert head is not None and head["status"] == "approved" and head["updatedBy"] == approver.username
    assert OutboxEvent.objects.get(invoice=invoice).dynamodb_done_at is not None


def test_prune_keeps_waiting_events_and_drops_old_delivered_ones(make_invoice, reviewer, ddb, sync_table, settings):
    from pipeline.sync.outbox import outbox_prune

    settings.OUTBOX_KEEP_DAYS = 30
    invoice = make_invoice(uploaded_by=reviewer)
    correct(invoice, reviewer, total="120.50")
    correct(invoice, reviewer, total="121.50")
    old, recent = OutboxEvent.objects.filter(invoice=invoice).order_by("id")
    outbox_drain()
    OutboxEvent.objects.filter(pk=old.pk).update(occurred_at=timezone.now() - timedelta(days=31))
    correct(invoice, reviewer, total="122.50")  # not delivered yet
    OutboxEvent.objects.filter(dynamodb_done_at__isnull=True).update(occurred_at=timezone.now() - timedelta(days=90))

    assert outbox_prune() == 1

    left = set(OutboxEvent.objects.filter(invoice=invoice).values_list("id", flat=True))
    assert old.pk not in left and recent.pk in left and len(left) == 2  # the waiting one stays however old
