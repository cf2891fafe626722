"""Writes for notifications: planning emails from outbox events and digests, sending them, preferences.

Planning and sending are separate on purpose. Planning runs in a short transaction of its own (never the
pipeline's) and only writes rows; sending happens in tasks after commit, one email per task, and a failure there
only reschedules that email.
"""

from __future__ import annotations

import logging
import random
import smtplib
from collections import Counter
from datetime import datetime, timedelta
from email.errors import MessageError

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.utils import timezone

from invoices.models import Invoice, OutboxEvent, Status

from ..models import Notification, NotificationPreference, NotifiedEvent, NotifyCursor
from . import links
from .selectors import digest_candidates, digest_sections, failure_admins, preferences_of

logger = logging.getLogger(__name__)

# Outbox events that may lead to an email; planning also requires the event to still describe the invoice.
RELEVANT_EVENTS = Q(event_type__in=[OutboxEvent.EventType.FAILED, OutboxEvent.EventType.APPROVED,
                                    OutboxEvent.EventType.REJECTED]) | Q(
    event_type=OutboxEvent.EventType.ROUTED, status=Status.APPROVED
)
# Events older than this are never turned into emails (e.g. the history present when this feature is deployed).
MAX_EVENT_AGE = timedelta(hours=24)
# The backstop only moves its cursor past events this old: by then every transaction that took a lower id has
# committed or rolled back (tasks are killed after 6 minutes), so no event can appear behind the cursor.
SETTLE = timedelta(minutes=15)
CURSOR = "outbox"
# A send that is still "sending" after this lease is considered lost and sent again.
SEND_LEASE = timedelta(minutes=10)

SENT, DEFERRED, SKIPPED, RETRYING, GAVE_UP = "sent", "deferred", "skipped", "retrying", "failed"


# --- planning: events → emails -----------------------------------------------------------------------------------
def notifications_plan_event(event: OutboxEvent, *, now: datetime | None = None) -> list[int]:
    """Plan the emails for one outbox event, exactly once. Returns the new notification ids (sent after commit)."""
    now = now or timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                mark = NotifiedEvent.objects.create(event=event)
        except IntegrityError:
            return []  # planned already (by the hook or the backstop, whichever came first)
        invoice = Invoice.objects.select_related("uploaded_by", "vendor").get(pk=event.invoice_id)
        if not _still_current(event, invoice, now):
            return []
        kind, recipients = _recipients(event, invoice)
        ids = [_create_notice(kind, user, event, invoice).pk for user in recipients]
        mark.notifications = len(ids)
        mark.save(update_fields=["notifications"])
        transaction.on_commit(lambda: send_soon(ids))
    if ids:
        logger.info("notifications planned", extra={"invoice_id": str(invoice.pk), "event_id": event.pk,
                                                    "kind": kind, "count": len(ids)})
    return ids


def notifications_plan_for_invoice(invoice_id, *, now: datetime | None = None) -> list[int]:
    """The prompt path (hooks, after commit): plan the invoice's newest event if it calls for emails."""
    event = OutboxEvent.objects.filter(invoice_id=invoice_id).order_by("-invoice_version", "-id").first()
    if event is None or not OutboxEvent.objects.filter(RELEVANT_EVENTS, pk=event.pk).exists():
        return []
    return notifications_plan_event(event, now=now)


def notifications_plan_pending(*, now: datetime | None = None, limit: int = 500) -> int:
    """The backstop (every minute): plan relevant events the prompt path missed (a lost hook, a worker down).

    Scans the outbox from a cursor, so its cost follows recent traffic, not the size of the outbox.
    """
    now = now or timezone.now()
    cursor, _ = NotifyCursor.objects.get_or_create(name=CURSOR)
    start = cursor.position
    planned_marks = NotifiedEvent.objects.filter(event_id__gt=start).values("event_id")
    events = list(
        OutboxEvent.objects.filter(RELEVANT_EVENTS, id__gt=start, occurred_at__gte=now - MAX_EVENT_AGE)
        .exclude(id__in=planned_marks)
        .order_by("id")[:limit]
    )
    for event in events:
        notifications_plan_event(event, now=now)
    settled = OutboxEvent.objects.filter(id__gt=start, occurred_at__lt=now - SETTLE).aggregate(top=Max("id"))["top"]
    if settled is not None:
        position = min(settled, events[-1].pk) if len(events) == limit else settled
        NotifyCursor.objects.filter(name=CURSOR, position=start).update(position=max(start, position))
    return len(events)


def _still_current(event: OutboxEvent, invoice: Invoice, now: datetime) -> bool:
    """Only the newest change of an invoice, still true and recent, is worth an email."""
    if invoice.status != event.status or event.occurred_at < now - MAX_EVENT_AGE:
        return False
    newer = OutboxEvent.objects.filter(invoice_id=event.invoice_id).filter(
        Q(invoice_version__gt=event.invoice_version) | Q(invoice_version=event.invoice_version, id__gt=event.pk)
    )
    return not newer.exists()


def _recipients(event: OutboxEvent, invoice: Invoice) -> tuple[str, list]:
    uploader = invoice.uploaded_by
    uploader = uploader if uploader is not None and uploader.is_active and uploader.email else None
    if event.event_type == OutboxEvent.EventType.FAILED:
        admins = list(failure_admins())
        people = {u.pk: u for u in [*admins, *([uploader] if uploader else [])]}
        prefs = preferences_of(people.values())
        admin_ids = {u.pk for u in admins}
        chosen = [
            user for pk, user in people.items()
            if (uploader is not None and pk == uploader.pk and prefs[pk].my_uploads_failed)
            or (pk in admin_ids and prefs[pk].any_failed)
        ]
        return Notification.Kind.FAILED, chosen
    if uploader is None:
        return "", []
    pref = preferences_of([uploader])[uploader.pk]
    if event.event_type == OutboxEvent.EventType.REJECTED:
        return Notification.Kind.REJECTED, [uploader] if pref.my_uploads_rejected else []
    return Notification.Kind.APPROVED, [uploader] if pref.my_uploads_approved else []


TEMPLATES = {
    Notification.Kind.FAILED: "invoice_failed",
    Notification.Kind.APPROVED: "invoice_approved",
    Notification.Kind.REJECTED: "invoice_rejected",
    Notification.Kind.DIGEST: "review_digest",
}


def render_email(template: str, context: dict) -> tuple[str, str, str]:
    """(subject, plain text, HTML) from templates/emails/<template>{_subject.txt,.txt,.html}."""
    context = {"site_url": settings.SITE_URL, "preferences_url": links.preferences_link(), **context}
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    return subject[:255], render_to_string(f"emails/{template}.txt", context), render_to_string(
        f"emails/{template}.html", context
    )


def _create_notice(kind: str, user, event: OutboxEvent, invoice: Invoice) -> Notification:
    reason = invoice.rejection_reason if kind == Notification.Kind.REJECTED else invoice.status_reason
    subject, text, html = render_email(TEMPLATES[kind], {
        "user": user,
        "invoice": invoice,
        "label": invoice.invoice_number or invoice.original_name,
        "vendor": invoice.vendor.name if invoice.vendor_id else invoice.vendor_name,
        "reason": reason,
        "actor": event.actor_name,
        "automatic": event.event_type == OutboxEvent.EventType.ROUTED,
        "uploader": invoice.uploaded_by,
        "is_uploader": invoice.uploaded_by_id == user.pk,
        "occurred_at": event.occurred_at,
        "invoice_url": links.invoice_link(invoice.pk),
    })
    return Notification.objects.create(
        kind=kind, recipient=user, to_email=user.email, subject=subject, body_text=text, body_html=html,
        invoice=invoice, event=event, dedupe_key=f"event:{event.pk}:user:{user.pk}",
    )


# --- digests -------------------------------------------------------------------------------------------------------
def digests_send_due(*, now: datetime | None = None) -> int:
    """Plan a digest for everyone whose interval has passed and who has something new. Returns how many."""
    now = now or timezone.now()
    interval = timedelta(minutes=settings.NOTIFY_DIGEST_MINUTES)
    users = list(digest_candidates())
    prefs = preferences_of(users)
    planned: list[int] = []
    for user in users:
        pref = prefs[user.pk]
        if not pref.review_digest or (pref.digest_sent_until and now - pref.digest_sent_until < interval):
            continue
        notification_id = _plan_digest(user, now=now, interval=interval)
        if notification_id:
            planned.append(notification_id)
    return len(planned)


def _plan_digest(user, *, now: datetime, interval: timedelta) -> int | None:
    with transaction.atomic():
        pref, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        if not pref.review_digest or (pref.digest_sent_until and now - pref.digest_sent_until < interval):
            return None  # another run did it a moment ago
        since = pref.digest_sent_until or now - interval
        sections = digest_sections(user, since, now)
        pref.digest_sent_until = now
        pref.save(update_fields=["digest_sent_until", "updated_at"])
        if not sections:
            return None
        count = sum(s.new_count for s in sections)
        subject, text, html = render_email(TEMPLATES[Notification.Kind.DIGEST], {
            "user": user, "sections": [_section_context(s) for s in sections], "count": count,
            "since": since, "until": now, "interval_minutes": settings.NOTIFY_DIGEST_MINUTES,
        })
        notification = Notification.objects.create(
            kind=Notification.Kind.DIGEST, recipient=user, to_email=user.email, subject=subject, body_text=text,
            body_html=html, invoice_count=count, dedupe_key=f"digest:{user.pk}:{now.isoformat()}",
        )
        transaction.on_commit(lambda: send_soon([notification.pk]))
    logger.info("digest planned", extra={"user_id": user.pk, "invoices": count})
    return notification.pk


def _section_context(section) -> dict:
    return {
        "title": section.title,
        "new_count": section.new_count,
        "waiting_count": section.waiting_count,
        "more": max(0, section.new_count - len(section.invoices)),
        "queue_url": links.queue_link(section.status),
        "invoices": [
            {
                "label": inv.invoice_number or inv.original_name,
                "vendor": inv.vendor.name if inv.vendor_id else inv.vendor_name,
                "total": inv.total,
                "currency": inv.currency,
                "due_date": inv.due_date,
                "reasons": inv.review_reasons or ([inv.status_reason] if inv.status_reason else []),
                "url": links.invoice_link(inv.pk),
            }
            for inv in section.invoices
        ],
    }


# --- sending -------------------------------------------------------------------------------------------------------
def send_soon(notification_ids: list[int], *, probe: bool = False) -> None:
    """Queue one send task per email (after commit). A broker problem only delays them to the retry pass.

    ``probe``: try even while the mail server is failing (a person asked for it)."""
    if not notification_ids:
        return
    from .tasks import send_notification

    for notification_id in notification_ids:
        try:
            send_notification.delay(notification_id, probe=probe)
        except Exception:
            logger.warning("could not queue an email; the retry pass will send it", exc_info=True,
                           extra={"notification_id": notification_id})


def backoff_seconds(attempts: int) -> float:
    delay = min(settings.NOTIFY_RETRY_MAX_SECONDS, settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return delay / 2 + random.uniform(0, delay / 2)


def is_server_error(exc: BaseException) -> bool:
    """Whether the mail service itself failed (unreachable, timed out, refused us), rather than this one message."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPSenderRefused | smtplib.SMTPDataError
                  | BadHeaderError | MessageError | ValueError | UnicodeError):
        return False
    return True


def mail_server_failing(now: datetime) -> bool:
    """True while the latest send attempt, within the last retry interval, failed because of the server."""
    window = now - timedelta(seconds=settings.NOTIFY_RETRY_BASE_SECONDS)
    latest = (Notification.objects.filter(last_attempt_at__gte=window).order_by("-last_attempt_at", "-id")
              .values_list("state", "last_error").first())
    return latest is not None and latest[0] != Notification.State.SENT and latest[1].startswith("server: ")


def notification_send(notification_id: int, *, now: datetime | None = None, probe: bool = False) -> str:
    """Send one email if it is due and nobody else is sending it. Never raises for a mail failure.

    While the mail server is failing, emails wait (``deferred``) for the retry pass, which probes with the oldest
    one (``probe=True``), instead of each spending a connection timeout.
    """
    now = now or timezone.now()
    if not probe and mail_server_failing(now):
        return DEFERRED
    due = Q(state=Notification.State.QUEUED) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    lost = Q(state=Notification.State.SENDING, next_attempt_at__lte=now)
    claimed = Notification.objects.filter(due | lost, pk=notification_id).update(
        state=Notification.State.SENDING, next_attempt_at=now + SEND_LEASE
    )
    if not claimed:
        return SKIPPED
    notification = Notification.objects.get(pk=notification_id)
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to_email],
        headers={"X-Invoices-Notification": f"{notification.kind}/{notification.pk}"},
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    try:
        message.send(fail_silently=False)
    except Exception as exc:
        return _send_failed(notification, exc, now)
    Notification.objects.filter(pk=notification.pk).update(
        state=Notification.State.SENT, sent_at=timezone.now(), attempts=notification.attempts + 1,
        last_attempt_at=now, next_attempt_at=None,
    )
    logger.info("email sent", extra={"notification_id": notification.pk, "kind": notification.kind})
    return SENT


def _send_failed(notification: Notification, exc: BaseException, now: datetime) -> str:
    attempts = notification.attempts + 1
    prefix = "server: " if is_server_error(exc) else "message: "
    error = f"{prefix}{type(exc).__name__}: {exc}"[:2000]
    gave_up = attempts >= settings.NOTIFY_MAX_ATTEMPTS
    Notification.objects.filter(pk=notification.pk).update(
        state=Notification.State.FAILED if gave_up else Notification.State.QUEUED,
        attempts=attempts,
        last_error=error,
        last_attempt_at=now,
        next_attempt_at=None if gave_up else now + timedelta(seconds=backoff_seconds(attempts)),
    )
    log = logger.error if gave_up else logger.warning
    log("email not sent", extra={"notification_id": notification.pk, "attempts": attempts, "error": error,
                                 "gave_up": gave_up})
    return GAVE_UP if gave_up else RETRYING


def notifications_retry_due(*, now: datetime | None = None, limit: int = 200) -> Counter:
    """Send what is due (retries, deferred emails, lost sends), oldest first; stop at the first server failure."""
    now = now or timezone.now()
    due = (Q(state=Notification.State.QUEUED) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))) | Q(
        state=Notification.State.SENDING, next_attempt_at__lte=now
    )
    outcomes: Counter = Counter()
    for notification_id in Notification.objects.filter(due).order_by("created_at", "id").values_list("pk", flat=True)[
        :limit
    ]:
        outcome = notification_send(notification_id, now=now, probe=True)
        outcomes[outcome] += 1
        if outcome in (RETRYING, GAVE_UP) and mail_server_failing(now):
            break  # the server is down: one probe per pass is enough
    return outcomes


def notification_resend(*, notification_ids: list[int]) -> int:
    """Send again (admin action): a failed or sent email goes back to the queue with a fresh set of attempts."""
    changed = Notification.objects.filter(pk__in=notification_ids).exclude(state=Notification.State.SENDING).update(
        state=Notification.State.QUEUED, attempts=0, next_attempt_at=None
    )
    transaction.on_commit(lambda: send_soon(list(notification_ids), probe=True))
    return changed


# --- preferences -----------------------------------------------------------------------------------------------------
PREFERENCE_FIELDS = ("review_digest", "my_uploads_failed", "any_failed", "my_uploads_approved", "my_uploads_rejected")


def notification_preferences_update(*, user, **values: bool) -> NotificationPreference:
    unknown = set(values) - set(PREFERENCE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown notification preference(s): {', '.join(sorted(unknown))}")
    with transaction.atomic():
        pref, _ = NotificationPreference.objects.select_for_update().get_or_create(user=user)
        changed = [name for name, value in values.items() if getattr(pref, name) != bool(value)]
        if not changed:
            return pref  # check, then do
        for name in changed:
            setattr(pref, name, bool(values[name]))
        pref.save(update_fields=[*changed, "updated_at"])
    logger.info("notification preferences changed", extra={"user_id": user.pk, "fields": changed})
    return pref
