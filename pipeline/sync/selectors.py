"""Reads about the sync: the outbox backlog, and the changes each invoice should have in the table."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Min, Q

from invoices.models import Invoice, OutboxEvent
from invoices.services.outbox import invoice_snapshot

from .items import Change

SNAPSHOT = "snapshot"  # event type of an item backfilled from an invoice that has no outbox event


@dataclass(frozen=True, slots=True)
class Backlog:
    dynamodb_pending: int
    sns_pending: int
    failing: int  # pending events that have failed at least once
    oldest_pending_at: datetime | None


def outbox_backlog(*, dynamodb: bool = True, sns: bool = True) -> Backlog:
    pending = Q()
    if dynamodb:
        pending |= Q(dynamodb_done_at__isnull=True)
    if sns:
        pending |= Q(sns_done_at__isnull=True)
    if not dynamodb and not sns:
        return Backlog(0, 0, 0, None)
    events = OutboxEvent.objects.filter(pending)
    return Backlog(
        dynamodb_pending=OutboxEvent.objects.filter(dynamodb_done_at__isnull=True).count() if dynamodb else 0,
        sns_pending=OutboxEvent.objects.filter(sns_done_at__isnull=True).count() if sns else 0,
        failing=events.filter(attempts__gt=0).count(),
        oldest_pending_at=events.aggregate(oldest=Min("occurred_at"))["oldest"],
    )


def snapshot_change(invoice: Invoice) -> Change:
    """The current state of an invoice that has no outbox event (created before the outbox, or by hand)."""
    return Change(
        invoice_id=str(invoice.pk),
        version=invoice.version,
        status=invoice.status,
        event_type=SNAPSHOT,
        occurred_at=invoice.updated_at,
        actor="backfill",
        payload=invoice_snapshot(invoice),
    )


@dataclass
class ExpectedChanges:
    """What the table should hold for one invoice, from MySQL."""

    invoice_id: str
    delivered: list[Change]  # version items that must exist (delivered outbox events, or the backfill snapshot)
    latest: Change | None  # the newest change, delivered or not
    latest_delivered: Change | None
    pending: int  # events not delivered yet (not drift: the drainer will write them)


def expected_changes(invoice_ids: Iterable) -> dict[str, ExpectedChanges]:
    ids = [str(i) for i in invoice_ids]
    by_invoice: dict[str, list[OutboxEvent]] = defaultdict(list)
    for event in OutboxEvent.objects.filter(invoice_id__in=ids).order_by("invoice_id", "invoice_version", "id"):
        by_invoice[str(event.invoice_id)].append(event)
    without_events = [i for i in ids if i not in by_invoice]
    snapshots = {
        str(invoice.pk): snapshot_change(invoice)
        for invoice in Invoice.objects.filter(pk__in=without_events).select_related("vendor")
    }
    result: dict[str, ExpectedChanges] = {}
    for invoice_id in ids:
        events = by_invoice.get(invoice_id)
        if events:
            delivered = [Change.from_event(e) for e in events if e.dynamodb_done_at is not None]
            result[invoice_id] = ExpectedChanges(
                invoice_id, delivered, Change.from_event(events[-1]), delivered[-1] if delivered else None,
                pending=sum(1 for e in events if e.dynamodb_done_at is None),
            )
        elif invoice_id in snapshots:
            snapshot = snapshots[invoice_id]
            result[invoice_id] = ExpectedChanges(invoice_id, [snapshot], snapshot, snapshot, pending=0)
    return result
