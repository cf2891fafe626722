"""Backfill and replay (``manage.py dynamodb_sync``).

A replay marks outbox events as not yet delivered to DynamoDB and lets the ordinary drainer deliver them again:
the same code path, the same conditional writes (existing version items are left alone, heads never go back), and
if the command is interrupted the rest stays in the outbox for the scheduled drain. Invoices that have no outbox
event at all get one snapshot item of their current state.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Max, Min

from invoices.models import Invoice, OutboxEvent

from . import dynamodb
from .selectors import snapshot_change

RESET_CHUNK = 5000


def outbox_replay(*, since: datetime | None = None, invoice_ids: Iterable | None = None) -> int:
    """Mark the selected events (all, those since a moment, or of some invoices) for delivery again."""
    events = OutboxEvent.objects.all()
    if since is not None:
        events = events.filter(occurred_at__gte=since)
    if invoice_ids is not None:
        events = events.filter(invoice_id__in=[str(i) for i in invoice_ids])
    bounds = events.aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return 0
    total = 0
    # In id ranges: short transactions, no long lock on a large outbox.
    for start in range(bounds["low"], bounds["high"] + 1, RESET_CHUNK):
        total += events.filter(id__gte=start, id__lt=start + RESET_CHUNK).update(
            dynamodb_done_at=None, next_attempt_at=None
        )
    return total


def backfill_snapshots(*, client, table_name: str, invoice_ids: Iterable | None = None) -> Counter:
    """Write the current state of every invoice that has no outbox event (conditional, so safe to repeat)."""
    invoices = Invoice.objects.filter(outbox_events__isnull=True).select_related("vendor").order_by("pk")
    if invoice_ids is not None:
        invoices = invoices.filter(pk__in=[str(i) for i in invoice_ids])
    outcomes: Counter = Counter()
    for invoice in invoices.iterator(chunk_size=500):
        outcomes[dynamodb.write_change(client=client, table_name=table_name, change=snapshot_change(invoice))] += 1
    return outcomes
