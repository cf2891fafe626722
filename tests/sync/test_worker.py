"""The sync with a real Celery worker (Redis broker, MariaDB): nothing is lost while the worker is down, or while
DynamoDB is; both backlogs drain on their own afterwards (no beat here: the drain task reschedules itself)."""

from __future__ import annotations

import pytest

from invoices.models import OutboxEvent
from invoices.services import invoice_approve, invoice_correct_fields
from tests.conftest import wait_for
from tests.sync.conftest import head_of, table_items

pytestmark = [pytest.mark.worker, pytest.mark.slow]


def changes(make_invoice, reviewer, approver, count: int, total: str) -> list:
    invoices = []
    for _ in range(count):
        invoice = make_invoice(uploaded_by=reviewer)
        invoice_correct_fields(invoice_id=invoice.pk, changes={"total": total}, user=reviewer,
                               expected_version=invoice.version)
        invoice_approve(invoice_id=invoice.pk, user=approver)
        invoices.append(invoice)
    return invoices


def pending() -> int:
    return OutboxEvent.objects.filter(dynamodb_done_at__isnull=True).count()


def test_backlogs_from_a_stopped_worker_and_a_dynamodb_outage_drain_afterwards(
    make_invoice, reviewer, approver, ddb, sync_table, second_endpoint, start_worker, settings
):
    worker_env = {"AWS_ENDPOINT_URL": second_endpoint.url, "DYNAMODB_TABLE": sync_table,
                  "OUTBOX_RETRY_BASE_SECONDS": "1", "OUTBOX_RETRY_MAX_SECONDS": "2"}

    # 1. The worker is down: changes are committed, their drain tasks wait in Redis, the outbox keeps them.
    first = changes(make_invoice, reviewer, approver, 3, "10.00")
    assert pending() == 6 and table_items(ddb, sync_table) == []
    worker = start_worker(extra_env=worker_env)
    wait_for(lambda: pending() == 0, timeout=60, message=f"the drain after start; log:\n{worker.output()[-3000:]}")
    assert len(table_items(ddb, sync_table)) == 9

    # 2. DynamoDB is down: the worker's drains fail, back off and keep the backlog.
    second_endpoint.stop()
    second = changes(make_invoice, reviewer, approver, 3, "20.00")
    wait_for(lambda: OutboxEvent.objects.filter(attempts__gte=2, dynamodb_done_at__isnull=True).exists(),
             timeout=60, message=f"retries during the outage; log:\n{worker.output()[-3000:]}")
    assert pending() == 6
    failing = OutboxEvent.objects.filter(attempts__gt=0).first()
    assert "Could not connect" in failing.last_error

    # 3. DynamoDB is back: the self-scheduled retry drains everything, once.
    second_endpoint.start()
    wait_for(lambda: pending() == 0, timeout=60, message=f"the drain after the outage; log:\n{worker.output()[-3000:]}")
    assert len(table_items(ddb, sync_table)) == 18  # 12 versions + 6 heads
    for invoice in first + second:
        invoice.refresh_from_db()
        head = head_of(ddb, sync_table, invoice.pk)
        assert (head["version"], head["status"]) == (invoice.version, "approved")
