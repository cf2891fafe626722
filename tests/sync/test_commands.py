"""manage.py dynamodb_sync (backfill, replay) and dynamodb_reconcile (report and repair drift)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from invoices.models import OutboxEvent
from invoices.services import invoice_approve, invoice_correct_fields
from pipeline.sync.items import serialize
from pipeline.sync.outbox import outbox_drain_until_empty
from tests.sync.conftest import head_of, table_items

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def changed_invoice(make_invoice, reviewer, approver, total="50.00", approve=True):
    invoice = make_invoice(uploaded_by=reviewer)
    invoice_correct_fields(invoice_id=invoice.pk, changes={"total": total}, user=reviewer,
                           expected_version=invoice.version)
    if approve:
        invoice_approve(invoice_id=invoice.pk, user=approver)
    invoice.refresh_from_db()
    return invoice


def test_sync_all_backfills_every_change_and_invoices_without_any(make_invoice, reviewer, approver, ddb, sync_table):
    changed = [changed_invoice(make_invoice, reviewer, approver) for _ in range(3)]
    untouched = make_invoice(uploaded_by=reviewer)  # made before the outbox existed: no recorded change

    out = run("dynamodb_sync", "--all")

    assert "6 recorded change(s) queued" in out
    assert "6 new version(s)" in out and "1 invoice(s) without recorded changes written as a snapshot (1 new)" in out
    for invoice in changed:
        assert head_of(ddb, sync_table, invoice.pk)["version"] == invoice.version
    snapshot = head_of(ddb, sync_table, untouched.pk)
    assert snapshot["eventType"] == "snapshot" and snapshot["version"] == untouched.version
    assert snapshot["totalAmount"] == Decimal("119.00")
    before = table_items(ddb, sync_table)
    assert len(before) == 3 * 3 + 2

    again = run("dynamodb_sync", "--all")  # a replay: nothing new, nothing changed

    assert "0 new version(s)" in again and "6 already present" in again and "(0 new)" in again
    assert table_items(ddb, sync_table) == before


def test_sync_since_replays_only_recent_changes(make_invoice, reviewer, approver, ddb, sync_table):
    old = changed_invoice(make_invoice, reviewer, approver)
    new = changed_invoice(make_invoice, reviewer, approver)
    OutboxEvent.objects.filter(invoice=old).update(occurred_at=timezone.now() - timedelta(days=10))
    outbox_drain_until_empty()
    ddb.delete_item(TableName=sync_table, Key={"invoiceId": {"S": str(new.pk)}, "timestamp": {"S": "LATEST"}})

    day = (timezone.now() - timedelta(days=2)).date().isoformat()
    out = run("dynamodb_sync", "--since", day)

    assert "2 recorded change(s) queued" in out  # the new invoice's two, not the old one's
    assert OutboxEvent.objects.filter(invoice=old, dynamodb_done_at__isnull=True).count() == 0
    assert "0 new version(s)" in out and "2 already present" in out  # version items are never rewritten ...
    new.refresh_from_db()
    assert head_of(ddb, sync_table, new.pk)["version"] == new.version  # ... but a lost head is put back


def test_sync_refuses_without_a_table_and_explains_bad_dates(settings):
    settings.DYNAMODB_TABLE = ""
    with pytest.raises(CommandError, match="DYNAMODB_TABLE is not set"):
        run("dynamodb_sync", "--all")
    settings.DYNAMODB_TABLE = "anything"
    with pytest.raises(CommandError, match="is not a date"):
        run("dynamodb_sync", "--since", "last tuesday")
    with pytest.raises(CommandError, match="is not an invoice id"):
        run("dynamodb_sync", "--invoice", "INV-1001")
    with pytest.raises(CommandError, match="Cannot read anything: ResourceNotFoundException"):
        run("dynamodb_reconcile")


def test_sync_during_an_outage_says_so_and_keeps_the_backlog(make_invoice, reviewer, approver, sync_table,
                                                            second_endpoint, settings):
    changed_invoice(make_invoice, reviewer, approver)
    settings.AWS_ENDPOINT_URL = second_endpoint.url
    second_endpoint.stop()
    with pytest.raises(CommandError, match=r"DynamoDB is not available .*2 change\(s\) wait in the outbox"):
        run("dynamodb_sync", "--all")
    assert OutboxEvent.objects.filter(dynamodb_done_at__isnull=True).count() == 2


def _put(ddb, table, item: dict) -> None:
    ddb.put_item(TableName=table, Item=serialize(item))


def test_reconcile_finds_and_fixes_drift(make_invoice, reviewer, approver, ddb, sync_table):
    a, b, c, d = (changed_invoice(make_invoice, reviewer, approver) for _ in range(4))
    pending = changed_invoice(make_invoice, reviewer, approver, approve=False)
    outbox_drain_until_empty()
    OutboxEvent.objects.filter(invoice=pending).update(dynamodb_done_at=None)  # waiting: backlog, not drift
    assert "No drift" in run("dynamodb_reconcile")

    items = {(i["invoiceId"], i["itemType"], i["version"]): i for i in table_items(ddb, sync_table)}
    a_versions = sorted(k for k in items if k[0] == str(a.pk) and k[1] == "version")
    # 1. a version item lost; 2. someone edited an amount; 3. a head deleted; 4. a head gone back a version;
    # 5. items of an invoice MySQL never had; 6. a version MySQL knows nothing of.
    ddb.delete_item(TableName=sync_table, Key={"invoiceId": {"S": str(a.pk)},
                                               "timestamp": {"S": items[a_versions[0]]["timestamp"]}})
    b_version = next(v for k, v in items.items() if k[0] == str(b.pk) and k[1] == "version")
    _put(ddb, sync_table, {**b_version, "totalAmount": Decimal("1.00")})
    ddb.delete_item(TableName=sync_table, Key={"invoiceId": {"S": str(c.pk)}, "timestamp": {"S": "LATEST"}})
    d_old = min((v for k, v in items.items() if k[0] == str(d.pk) and k[1] == "version"), key=lambda v: v["version"])
    _put(ddb, sync_table, {**d_old, "timestamp": "LATEST", "itemType": "latest", "latestTimestamp": d_old["timestamp"]})
    orphan = str(uuid.uuid4())
    _put(ddb, sync_table, {**d_old, "invoiceId": orphan})
    _put(ddb, sync_table, {**d_old, "timestamp": "2020-01-01T00:00:00.000000Z#v0000000001", "version": 1})

    out = run("dynamodb_reconcile")

    assert "1 change(s) still waiting in the outbox" in out
    for line in (f"missing_version: {a.pk}", f"changed_version: {b.pk}", "totalAmount",
                 f"missing_head: {c.pk}", f"stale_head: {d.pk}", f"orphan_invoice: {orphan}",
                 f"unexpected_version: {d.pk} 2020-01-01T00:00:00.000000Z#v0000000001"):
        assert line in out, line
    assert "6 difference(s)" in out
    with pytest.raises(CommandError, match="6 difference"):
        run("dynamodb_reconcile", "--check")

    fixed = run("dynamodb_reconcile", "--fix")

    assert "Fixed 4; 2 left for a person to decide" in fixed
    assert head_of(ddb, sync_table, c.pk)["version"] == c.version
    assert head_of(ddb, sync_table, d.pk)["version"] == d.version
    restored = [i for i in table_items(ddb, sync_table) if i["invoiceId"] == str(b.pk) and i["itemType"] == "version"]
    assert {i["totalAmount"] for i in restored} == {Decimal("50.00")}
    after = run("dynamodb_reconcile")
    assert "2 difference(s)" in after and "orphan_invoice" in after and "unexpected_version" in after
    assert "missing_" not in after and "stale_head" not in after and "changed_" not in after


def test_reconcile_never_moves_a_head_back_when_the_table_is_ahead(make_invoice, reviewer, approver, ddb,
                                                                    sync_table):
    invoice = changed_invoice(make_invoice, reviewer, approver)
    outbox_drain_until_empty()
    head = head_of(ddb, sync_table, invoice.pk)
    _put(ddb, sync_table, {**head, "version": invoice.version + 5, "status": "rejected"})  # e.g. MySQL restored

    out = run("dynamodb_reconcile", "--fix")

    assert f"head_ahead_of_database: {invoice.pk}" in out
    assert "head item is newer than anything in the database" in out and "1 left for a person" in out
    assert head_of(ddb, sync_table, invoice.pk)["version"] == invoice.version + 5
