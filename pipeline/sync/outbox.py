"""Draining the transactional outbox into DynamoDB and SNS.

One drain: claim a batch of due, undelivered events (rows locked with SKIP LOCKED, then leased by setting
``next_attempt_at`` in the future, so concurrent drainers never share work and a drainer that dies only delays its
batch by the lease), deliver them outside any transaction, then record per event what was delivered, or the error
and when to try again. Events are never dropped: a failing event is retried with exponential backoff and jitter,
capped at ``OUTBOX_RETRY_MAX_SECONDS``, for as long as it takes.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from invoices import aws
from invoices.models import OutboxEvent

from . import dynamodb
from .items import Change

logger = logging.getLogger(__name__)

STUCK_AFTER_ATTEMPTS = 10  # log an error (alerting) when one event has failed this often


@dataclass
class EventOutcome:
    event: OutboxEvent
    dynamodb: str = ""  # WRITTEN / STALE / ALREADY when the table took it
    published: bool = False
    error: BaseException | None = None
    released: bool = False  # not attempted: the batch stopped at a service-wide error first


@dataclass
class DrainReport:
    enabled: bool = True
    claimed: int = 0
    written: int = 0
    stale: int = 0
    already: int = 0
    published: int = 0
    failed: int = 0
    released: int = 0
    stopped: str = ""  # the service-wide error that stopped the batch, if any
    retry_at: datetime | None = None  # when the failed or released events are due again
    errors: list[str] = field(default_factory=list)

    def add(self, other: DrainReport) -> None:
        for name in ("claimed", "written", "stale", "already", "published", "failed", "released"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.stopped = other.stopped or self.stopped
        self.retry_at = other.retry_at or self.retry_at
        self.errors.extend(other.errors[: max(0, 20 - len(self.errors))])

    def as_dict(self) -> dict:
        return {
            "enabled": self.enabled, "claimed": self.claimed, "written": self.written, "stale": self.stale,
            "already": self.already, "published": self.published, "failed": self.failed, "released": self.released,
            "stopped": self.stopped, "retry_at": self.retry_at.isoformat() if self.retry_at else None,
        }


def sync_targets() -> tuple[str, str]:
    """(DynamoDB table, SNS topic ARN); an empty value means that target is off."""
    return settings.DYNAMODB_TABLE, settings.SNS_TOPIC_ARN


def backoff_seconds(attempts: int) -> float:
    """Exponential from OUTBOX_RETRY_BASE_SECONDS, capped, with 'equal jitter' (half fixed, half random)."""
    delay = min(settings.OUTBOX_RETRY_MAX_SECONDS, settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return delay / 2 + random.uniform(0, delay / 2)


def outbox_drain(
    *,
    limit: int | None = None,
    now: datetime | None = None,
    dynamodb_client=None,
    sns_client=None,
    threads: int | None = None,
) -> DrainReport:
    """Deliver one batch of due outbox events to the configured targets. Never raises for delivery errors."""
    table, topic = sync_targets()
    if not table and not topic:
        return DrainReport(enabled=False)
    now = now or timezone.now()
    events = _claim(table=bool(table), topic=bool(topic), limit=limit or settings.OUTBOX_BATCH_SIZE, now=now)
    report = DrainReport(claimed=len(events))
    if not events:
        return report
    if table and dynamodb_client is None:
        dynamodb_client = aws.client("dynamodb")
    if topic and sns_client is None:
        sns_client = aws.client("sns")
    outcomes = _deliver(events, table=table, topic=topic, dynamodb_client=dynamodb_client, sns_client=sns_client,
                        threads=threads or settings.OUTBOX_DRAIN_THREADS)
    _record(outcomes, report, now=now)
    return report


def outbox_drain_until_empty(*, budget_seconds: float | None = None, **kwargs) -> tuple[DrainReport, bool]:
    """Drain batch after batch until nothing is due, a service-wide error stops it, or the time budget is spent.

    Returns the combined report and whether due events remain (the budget ran out).
    """
    total = DrainReport()
    started = time.monotonic()
    while True:
        report = outbox_drain(**kwargs)
        if not report.enabled:
            return report, False
        total.add(report)
        if report.claimed == 0 or report.stopped:
            return total, False
        if budget_seconds is not None and time.monotonic() - started > budget_seconds:
            return total, True


def outbox_prune(*, now: datetime | None = None, batch: int = 5000) -> int:
    """Delete events delivered to every configured target more than OUTBOX_KEEP_DAYS ago. Returns how many.

    An event still waiting for a configured target is never deleted, however old. With no target configured the
    events have nowhere to go: once old they are pruned too (``dynamodb_sync --all`` rebuilds the table from the
    invoices when one is configured later).
    """
    table, topic = sync_targets()
    cutoff = (now or timezone.now()) - timedelta(days=settings.OUTBOX_KEEP_DAYS)
    done = Q(occurred_at__lt=cutoff)
    if table:
        done &= Q(dynamodb_done_at__isnull=False)
    if topic:
        done &= Q(sns_done_at__isnull=False)
    deleted = 0
    while True:
        ids = list(OutboxEvent.objects.filter(done).order_by("id").values_list("id", flat=True)[:batch])
        if not ids:
            return deleted
        deleted += OutboxEvent.objects.filter(id__in=ids).delete()[0]


def outbox_retry_now(*, event_ids: list[int]) -> int:
    """Make waiting events due at once (admin action) and ask for a drain. Returns how many were waiting."""
    waiting = Q(dynamodb_done_at__isnull=True) | Q(sns_done_at__isnull=True)
    count = OutboxEvent.objects.filter(waiting, id__in=event_ids).update(next_attempt_at=None)
    from .tasks import request_drain

    transaction.on_commit(request_drain)
    return count


def _claim(*, table: bool, topic: bool, limit: int, now: datetime) -> list[OutboxEvent]:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    skip_locked = connection.features.has_select_for_update_skip_locked
    with transaction.atomic():
        ids: set[int] = set()
        # One query per target, each on its (done_at, id) index: cost follows the backlog, not the table.
        for wanted, done_field in ((table, "dynamodb_done_at"), (topic, "sns_done_at")):
            if wanted:
                ids.update(
                    OutboxEvent.objects.select_for_update(skip_locked=skip_locked)
                    .filter(due, **{f"{done_field}__isnull": True})
                    .order_by("id")
                    .values_list("id", flat=True)[:limit]
                )
        claimed = sorted(ids)[:limit]
        if claimed:
            lease = now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
            for chunk in _chunks(claimed):
                OutboxEvent.objects.filter(id__in=chunk).update(next_attempt_at=lease)
    # Per invoice in version order, so one thread writes one invoice's versions oldest first.
    return list(OutboxEvent.objects.filter(id__in=claimed).order_by("invoice_id", "invoice_version", "id"))


def _deliver(events: list[OutboxEvent], *, table: str, topic: str, dynamodb_client, sns_client,
             threads: int) -> list[EventOutcome]:
    stop = threading.Event()

    def fail(outcome: EventOutcome, exc: BaseException) -> None:
        outcome.error = exc
        if dynamodb.is_systemic(exc):
            stop.set()

    def deliver_invoice(group: list[OutboxEvent]) -> list[EventOutcome]:
        """One invoice's events, oldest first: each version item, then the head once, then the SNS events."""
        outcomes = [EventOutcome(event) for event in group]
        if table:
            written: list[tuple[EventOutcome, bool]] = []
            for outcome in outcomes:
                if outcome.event.dynamodb_done_at is not None:
                    continue
                if stop.is_set():
                    outcome.released = True
                    continue
                try:
                    written.append((outcome, dynamodb.put_version_item(
                        client=dynamodb_client, table_name=table, change=Change.from_event(outcome.event))))
                except Exception as exc:  # recorded on the event and retried; never lost, never raised
                    fail(outcome, exc)
            if written:
                newest = written[-1][0].event
                try:
                    moved = dynamodb.put_head(client=dynamodb_client, table_name=table,
                                              change=Change.from_event(newest))
                except Exception as exc:
                    for outcome, _ in written:
                        fail(outcome, exc)
                else:
                    for outcome, new in written:
                        outcome.dynamodb = dynamodb.outcome(version_written=new, head_moved=moved)
        if topic:
            from pipeline.notify.sns import publish_change

            for outcome in outcomes:
                if outcome.event.sns_done_at is not None or outcome.released or outcome.error is not None:
                    continue
                if stop.is_set():
                    outcome.released = True
                    continue
                try:
                    publish_change(client=sns_client, topic_arn=topic, change=Change.from_event(outcome.event))
                    outcome.published = True
                except Exception as exc:
                    fail(outcome, exc)
        return outcomes

    groups = [list(group) for _, group in groupby(events, key=lambda e: e.invoice_id)]
    # The first invoice goes alone: if the service is down, that one probe is all the batch costs.
    outcomes = deliver_invoice(groups[0])
    rest = groups[1:]
    if threads <= 1 or len(rest) <= 1:
        return outcomes + [outcome for group in rest for outcome in deliver_invoice(group)]
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="outbox") as pool:
        return outcomes + [outcome for group_outcomes in pool.map(deliver_invoice, rest) for outcome in group_outcomes]


def _record(outcomes: list[EventOutcome], report: DrainReport, *, now: datetime) -> None:
    dynamodb_done = [o.event.pk for o in outcomes if o.dynamodb]
    sns_done = [o.event.pk for o in outcomes if o.published]
    clean = [o.event.pk for o in outcomes if o.error is None and not o.released]
    failed = [o for o in outcomes if o.error is not None]
    released = [o.event.pk for o in outcomes if o.released]
    for outcome in outcomes:
        if outcome.dynamodb == dynamodb.WRITTEN:
            report.written += 1
        elif outcome.dynamodb == dynamodb.STALE:
            report.stale += 1
        elif outcome.dynamodb == dynamodb.ALREADY:
            report.already += 1
    report.published = len(sns_done)
    report.failed = len(failed)
    report.released = len(released)

    for chunk in _chunks(dynamodb_done):
        OutboxEvent.objects.filter(id__in=chunk).update(dynamodb_done_at=now)
    for chunk in _chunks(sns_done):
        OutboxEvent.objects.filter(id__in=chunk).update(sns_done_at=now)
    for chunk in _chunks(clean):
        OutboxEvent.objects.filter(id__in=chunk).update(next_attempt_at=None)

    latest_retry: datetime | None = None
    for outcome in failed:
        attempts = outcome.event.attempts + 1
        retry_at = now + timedelta(seconds=backoff_seconds(attempts))
        latest_retry = max(latest_retry or retry_at, retry_at)
        error = dynamodb.describe_error(outcome.error)
        OutboxEvent.objects.filter(pk=outcome.event.pk).update(
            attempts=F("attempts") + 1, last_error=error, next_attempt_at=retry_at
        )
        if dynamodb.is_systemic(outcome.error):
            report.stopped = report.stopped or error
        report.errors.append(f"event {outcome.event.pk}: {error}")
        if attempts >= STUCK_AFTER_ATTEMPTS and attempts % STUCK_AFTER_ATTEMPTS == 0:
            logger.error("outbox event keeps failing", extra={"event_id": outcome.event.pk, "attempts": attempts,
                                                              "error": error})
    if released:
        # The service is down: the untried events wait as long as the probe that failed, without an attempt.
        retry_at = latest_retry or now + timedelta(seconds=backoff_seconds(1))
        for chunk in _chunks(released):
            OutboxEvent.objects.filter(id__in=chunk).update(next_attempt_at=retry_at)
    report.retry_at = latest_retry
    if failed:
        logger.warning("outbox delivery failed", extra={
            "failed": len(failed), "released": len(released), "error": report.errors[0] if report.errors else "",
            "retry_at": latest_retry.isoformat() if latest_retry else None})
    else:
        logger.info("outbox drained", extra=report.as_dict())


def _chunks(ids: Iterable[int], size: int = 1000):
    ids = list(ids)
    for start in range(0, len(ids), size):
        yield ids[start:start + size]
