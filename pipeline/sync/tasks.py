"""Celery tasks of the sync: thin wrappers around ``pipeline.sync.outbox`` (listed in CELERY_IMPORTS).

``drain_outbox`` runs after commit (``hooks.outbox_committed`` → :func:`request_drain`) and on the beat schedule.
When a batch stops at an outage it schedules itself again for when the backed-off events are due, so the backlog
drains after the outage even without beat; when the time budget runs out with events left it continues at once.
"""

from __future__ import annotations

import logging
import threading
import time

from celery import shared_task

from .outbox import outbox_drain_until_empty, outbox_prune, sync_targets

logger = logging.getLogger(__name__)

# Requests within this window share one drain: a transaction that wrote many events, or a burst of transactions,
# queues one task (run this many seconds later, so it sees every event committed in the window).
COALESCE_SECONDS = 1.0
_lock = threading.Lock()
_last_request = 0.0


def request_drain() -> None:
    """Ask for the outbox to be delivered soon. Cheap; does nothing when no target is configured."""
    global _last_request
    table, topic = sync_targets()
    if not table and not topic:
        return
    if drain_outbox.app.conf.task_always_eager:
        drain_outbox.delay()
        return
    with _lock:
        now = time.monotonic()
        if now - _last_request < COALESCE_SECONDS:
            return
        _last_request = now
    drain_outbox.apply_async(countdown=COALESCE_SECONDS)


@shared_task(
    name="pipeline.sync.drain_outbox", bind=True, acks_late=True, ignore_result=True,
    soft_time_limit=240, time_limit=300,
)
def drain_outbox(self, budget_seconds: float = 60.0) -> dict:
    report, more = outbox_drain_until_empty(budget_seconds=budget_seconds)
    if not self.request.is_eager and report.enabled:
        if more:
            drain_outbox.apply_async()
        elif report.retry_at is not None:
            drain_outbox.apply_async(eta=report.retry_at)
    return report.as_dict()



@shared_task(name="pipeline.sync.prune_outbox", acks_late=True, ignore_result=True, soft_time_limit=240, time_limit=300)
def prune_outbox() -> int:
    """Daily: drop delivered events older than OUTBOX_KEEP_DAYS, so the outbox holds the backlog, not history."""
    deleted = outbox_prune()
    if deleted:
        logger.info("outbox pruned", extra={"deleted": deleted})
    return deleted
