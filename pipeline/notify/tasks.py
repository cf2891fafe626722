"""Celery tasks of the notifications: thin, id-taking, safe to run twice (listed in CELERY_IMPORTS)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="pipeline.notify.plan_invoice", acks_late=True, ignore_result=True, soft_time_limit=60,
             time_limit=90)
def plan_invoice_notifications(invoice_id: str) -> int:
    return len(services.notifications_plan_for_invoice(invoice_id))


@shared_task(name="pipeline.notify.plan_pending", acks_late=True, ignore_result=True, soft_time_limit=120,
             time_limit=180)
def plan_pending() -> int:
    return services.notifications_plan_pending()


@shared_task(name="pipeline.notify.send", acks_late=True, ignore_result=True, soft_time_limit=60, time_limit=90)
def send_notification(notification_id: int, probe: bool = False) -> str:
    return services.notification_send(notification_id, probe=probe)


@shared_task(name="pipeline.notify.retry_due", acks_late=True, ignore_result=True, soft_time_limit=240,
             time_limit=300)
def retry_due() -> dict:
    return dict(services.notifications_retry_due())


@shared_task(name="pipeline.notify.send_digests", acks_late=True, ignore_result=True, soft_time_limit=240,
             time_limit=300)
def send_digests() -> int:
    return services.digests_send_due()
