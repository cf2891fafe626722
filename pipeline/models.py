"""The pipeline's own records: who wants which emails, every email we send (with its retries), and the outbox as
an admin sees it.

The invoice domain lives in ``invoices``; these models only hold delivery state, never invoice data of their own.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from invoices.models import OutboxEvent


class NotificationPreference(models.Model):
    """What one person wants to receive. No row = the defaults below (everything relevant to their role)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    review_digest = models.BooleanField(
        "Digest of invoices waiting for me",
        default=True,
        help_text="One email per interval listing invoices that newly need review (reviewers) or approval (approvers).",
    )
    my_uploads_failed = models.BooleanField(
        "When an invoice I uploaded cannot be processed", default=True
    )
    any_failed = models.BooleanField(
        "When any invoice cannot be processed", default=True, help_text="For administrators, who can reprocess it."
    )
    my_uploads_approved = models.BooleanField("When an invoice I uploaded is approved", default=True)
    my_uploads_rejected = models.BooleanField("When an invoice I uploaded is rejected", default=True)
    # The end of the window covered by this person's last digest; the next one starts there.
    digest_sent_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "notification preference"

    def __str__(self) -> str:
        return f"Notification preferences of {self.user}"


class Notification(models.Model):
    """One email to one person: rendered once, then sent (and retried) by tasks outside any pipeline transaction."""

    class Kind(models.TextChoices):
        DIGEST = "digest", "Review digest"
        FAILED = "invoice_failed", "Invoice failed"
        APPROVED = "invoice_approved", "Invoice approved"
        REJECTED = "invoice_rejected", "Invoice rejected"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"  # waiting for its first send or its next retry (next_attempt_at)
        SENDING = "sending", "Sending"  # claimed by a task until next_attempt_at (a lease), then retried
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (gave up)"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    to_email = models.EmailField()
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    invoice = models.ForeignKey(
        "invoices.Invoice", null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    event = models.ForeignKey(OutboxEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    invoice_count = models.PositiveIntegerField(default=1, help_text="Invoices listed (a digest lists several).")
    # Makes planning idempotent: one email per (event, person) or per (digest window, person).
    dedupe_key = models.CharField(max_length=120, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["recipient", "created_at"]),
            models.Index(fields=["last_attempt_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to_email} ({self.get_state_display().lower()})"


class NotifiedEvent(models.Model):
    """An outbox event whose emails have been planned (possibly none): planning happens exactly once per event."""

    event = models.OneToOneField(OutboxEvent, primary_key=True, on_delete=models.CASCADE, related_name="+")
    planned_at = models.DateTimeField(auto_now_add=True)
    notifications = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"event {self.event_id}: {self.notifications} email(s)"


class NotifyCursor(models.Model):
    """How far the backstop planner has looked through the outbox (all events up to ``position`` are planned)."""

    name = models.CharField(max_length=30, primary_key=True)
    position = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} at {self.position}"


class OutboxDelivery(OutboxEvent):
    """The transactional outbox as the admin shows it: what is delivered to DynamoDB/SNS, what waits and why."""

    class Meta:
        proxy = True
        verbose_name = "outbox delivery"
        verbose_name_plural = "outbox deliveries"
