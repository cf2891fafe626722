"""The points where the domain's services and the pipeline's steps hand work to other parts.

Callers: ``invoices.services`` (inside or just after their transaction) and the pipeline's own steps. Each hook
must be cheap and must not raise for a side effect that can be retried later (the outbox keeps every change).
Owners: the pipeline fills enqueue_extraction and invoice_fields_changed; sync and notifications fill the rest.
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def enqueue_extraction(invoice_id: str) -> None:
    """Called after commit for a new or reprocessed invoice. A broker that refuses is logged, not raised: the
    invoice is stored, and the sweeper queues it again (PIPELINE_QUEUED_STUCK_AFTER)."""
    from . import tasks

    tasks.enqueue_for_status(str(invoice_id), "received")


def invoice_fields_changed(invoice) -> None:
    """Called inside the transaction of a person's correction: re-run the rules and routing for the new values
    (the failed_rules / has_duplicates counters and the review reasons follow; never auto-approves)."""
    from .services import revalidate_after_correction

    revalidate_after_correction(invoice)


def outbox_committed() -> None:
    """Called after commit when outbox events were written: deliver them soon (DynamoDB, SNS)."""
    # Sync (issue 7): a drain task shortly after commit; the scheduled drain delivers whatever this misses.
    try:
        from .sync.tasks import request_drain

        request_drain()
    except Exception:
        logger.warning("could not request an outbox drain; the scheduled drain will deliver", exc_info=True)


def invoice_routed(invoice_id: str) -> None:
    """Called after commit when the pipeline has routed an invoice (needs_review / ready / approved)."""
    # Notifications (issue 7): an auto-approval tells the uploader; reviewers hear about the rest in their digest.
    _request_notifications(invoice_id)


def invoice_failed(invoice_id: str) -> None:
    """Called after commit when an invoice went to ``failed``."""
    _request_notifications(invoice_id)  # the uploader and administrators, with the reason (issue 7)


def invoice_decided(invoice_id: str) -> None:
    """Called after commit when a person approved or rejected an invoice."""
    _request_notifications(invoice_id)  # the uploader, as their preferences say (issue 7)


# --- notifications (issue 7) -------------------------------------------------------------------------------------
def _request_notifications(invoice_id: str) -> None:
    """Plan the emails an invoice's newest change calls for, in a task of its own (never in the caller's
    transaction). If this is lost, the backstop planner finds the change in the outbox within a minute."""
    try:
        from .notify.tasks import plan_invoice_notifications

        plan_invoice_notifications.delay(str(invoice_id))
    except Exception:
        logger.warning("could not request notifications; the backstop planner will", exc_info=True,
                       extra={"invoice_id": str(invoice_id)})
