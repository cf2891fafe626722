"""The invoice domain: invoices, their fields and line items, vendors, the audit trail and processing attempts.

Writes go through ``invoices.services``; reads through ``invoices.selectors``. The key fields exist twice on
purpose: as typed columns on :class:`Invoice` (for filters, sorting and the API) and as :class:`InvoiceField`
rows with confidence, position and who set them. The services keep the two in step.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from pipeline.extraction.types import FIELD_NAMES


def _raw_storage():
    from django.core.files.storage import storages

    return storages["raw"]


class Status(models.TextChoices):
    RECEIVED = "received", "Received"  # stored, waiting for extraction
    EXTRACTING = "extracting", "Extracting"
    EXTRACTED = "extracted", "Extracted"  # waiting for the business rules
    VALIDATING = "validating", "Validating"
    VALIDATED = "validated", "Validated"  # waiting to be routed
    NEEDS_REVIEW = "needs_review", "Needs review"
    READY = "ready", "Ready to approve"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    FAILED = "failed", "Failed"


# States in which a worker holds the invoice; the sweeper requeues those held too long.
WORKING_STATUSES = frozenset({Status.EXTRACTING, Status.VALIDATING})
# States waiting for the pipeline's next step (queued); the sweeper requeues those waiting too long.
QUEUED_STATUSES = frozenset({Status.RECEIVED, Status.EXTRACTED, Status.VALIDATED})
# States a person acts on.
REVIEWABLE_STATUSES = frozenset({Status.NEEDS_REVIEW, Status.READY})
FINAL_STATUSES = frozenset({Status.APPROVED, Status.REJECTED})

# Which status may follow which. Reprocessing may start again from any state but a working one.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset({Status.EXTRACTING, Status.FAILED}),
    Status.EXTRACTING: frozenset({Status.EXTRACTED, Status.FAILED, Status.RECEIVED}),
    Status.EXTRACTED: frozenset({Status.VALIDATING, Status.FAILED, Status.RECEIVED}),
    Status.VALIDATING: frozenset({Status.VALIDATED, Status.FAILED, Status.EXTRACTED}),
    Status.VALIDATED: frozenset({Status.NEEDS_REVIEW, Status.READY, Status.APPROVED, Status.FAILED}),
    Status.NEEDS_REVIEW: frozenset({Status.READY, Status.APPROVED, Status.REJECTED, Status.RECEIVED, Status.EXTRACTED}),
    Status.READY: frozenset({Status.NEEDS_REVIEW, Status.APPROVED, Status.REJECTED, Status.RECEIVED, Status.EXTRACTED}),
    Status.APPROVED: frozenset({Status.RECEIVED}),
    Status.REJECTED: frozenset({Status.RECEIVED}),
    Status.FAILED: frozenset({Status.RECEIVED}),
}


class Channel(models.TextChoices):
    UPLOAD = "upload", "Web upload"
    API = "api", "REST API"
    S3 = "s3", "S3 drop"
    IMPORT = "import", "Bulk import"
    DEMO = "demo", "Demo data"


class FileKind(models.TextChoices):
    PDF = "pdf", "PDF"
    PNG = "png", "PNG image"
    JPEG = "jpeg", "JPEG image"
    TIFF = "tiff", "TIFF image"


class Source(models.TextChoices):
    ENGINE = "engine", "Extraction engine"
    PERSON = "person", "Person"


AMOUNT = {"max_digits": 18, "decimal_places": 4, "null": True, "blank": True}
FIELD_CHOICES = [(name, name.replace("_", " ").capitalize()) for name in FIELD_NAMES]


class Vendor(models.Model):
    name = models.CharField(max_length=255)
    # Lower-cased name without punctuation or legal-form suffixes: how an extracted name finds its vendor.
    name_key = models.CharField(max_length=255, unique=True)
    tax_id = models.CharField(max_length=64, blank=True)
    iban = models.CharField(max_length=42, blank=True)
    default_currency = models.CharField(max_length=3, blank=True)
    country = models.CharField(max_length=2, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["tax_id"])]

    def __str__(self) -> str:
        return self.name


class Invoice(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    status_reason = models.TextField(blank=True, help_text="Why it failed or needs review, for people.")
    review_reasons = models.JSONField(default=list, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    correlation_id = models.CharField(max_length=64, blank=True)

    # The original file, as received.
    original = models.FileField(storage=_raw_storage, max_length=500)
    sha256 = models.CharField(max_length=64, unique=True)
    original_name = models.CharField(max_length=255)
    file_kind = models.CharField(max_length=5, choices=FileKind.choices)
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveBigIntegerField()
    page_count = models.PositiveIntegerField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="uploaded_invoices"
    )

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    extracted_at = models.DateTimeField(null=True, blank=True)
    routed_at = models.DateTimeField(null=True, blank=True)
    processing_ms = models.PositiveIntegerField(null=True, blank=True, help_text="Intake to routing.")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="decided_invoices"
    )
    rejection_reason = models.TextField(blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking: every saved change increments it; a write naming an older version is refused.
    version = models.PositiveIntegerField(default=1)

    # The key fields as typed columns (mirrors of the InvoiceField rows).
    invoice_number = models.CharField(max_length=100, blank=True, db_index=True)
    invoice_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    vendor = models.ForeignKey(Vendor, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices")
    vendor_name = models.CharField(max_length=255, blank=True)
    vendor_tax_id = models.CharField(max_length=64, blank=True)
    customer_name = models.CharField(max_length=255, blank=True)
    po_number = models.CharField(max_length=100, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    subtotal = models.DecimalField(**AMOUNT)
    tax = models.DecimalField(**AMOUNT)
    total = models.DecimalField(**AMOUNT)
    amount_due = models.DecimalField(**AMOUNT)
    iban = models.CharField(max_length=42, blank=True)

    # Extraction facts and review helpers (denormalised so the queue sorts and filters on indexed columns).
    engine = models.CharField(max_length=30, blank=True)
    result_path = models.CharField(max_length=500, blank=True, help_text="Latest result JSON in processed storage.")
    page_images = models.JSONField(default=list, blank=True, help_text="Rendered page images in processed storage.")
    min_confidence = models.FloatField(null=True, blank=True, help_text="Lowest confidence of the key fields.")
    failed_rules = models.PositiveSmallIntegerField(default=0)
    has_duplicates = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Lists filter on status and "not deleted", then sort: with deleted_at in the key, a page of ids and the
            # counts per status are read from the index alone (the queue with 100,000 invoices, issue 5).
            models.Index(fields=["status", "deleted_at", "created_at"], name="inv_status_age_idx"),
            models.Index(fields=["status", "deleted_at", "due_date"], name="inv_status_due_idx"),
            models.Index(fields=["status", "deleted_at", "total"], name="inv_status_total_idx"),
            models.Index(fields=["status", "deleted_at", "min_confidence"], name="inv_status_conf_idx"),
            models.Index(fields=["vendor", "invoice_number"]),
            models.Index(fields=["vendor", "total", "invoice_date"]),
            models.Index(fields=["invoice_date"]),
        ]
        permissions = [
            ("review_invoice", "Can correct invoice fields"),
            ("approve_invoice", "Can approve or reject invoices"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_number or self.original_name} ({self.get_status_display()})"

    @property
    def is_working(self) -> bool:
        return self.status in WORKING_STATUSES

    @property
    def key_values(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in TYPED_FIELDS}


# Contract field → typed column on Invoice (the rest live only as InvoiceField rows).
TYPED_FIELDS: dict[str, str] = {
    "invoice_number": "text",
    "invoice_date": "date",
    "due_date": "date",
    "vendor_name": "text",
    "vendor_tax_id": "text",
    "customer_name": "text",
    "po_number": "text",
    "currency": "text",
    "subtotal": "amount",
    "tax": "amount",
    "total": "amount",
    "amount_due": "amount",
    "iban": "text",
}


class InvoiceField(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="fields")
    name = models.CharField(max_length=30, choices=FIELD_CHOICES)
    value = models.TextField(blank=True)
    confidence = models.FloatField(default=0.0)
    page = models.PositiveIntegerField(null=True, blank=True)
    bbox = models.JSONField(null=True, blank=True, help_text="[left, top, width, height] as page fractions")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ENGINE)
    engine = models.CharField(max_length=30, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["invoice", "name"], name="one_value_per_field")]
        ordering = ["invoice", "name"]

    def __str__(self) -> str:
        return f"{self.name}={self.value!r} ({self.confidence:.0f})"


class LineItem(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="line_items")
    position = models.PositiveIntegerField()
    description = models.TextField(blank=True)
    quantity = models.DecimalField(**AMOUNT)
    unit_price = models.DecimalField(**AMOUNT)
    amount = models.DecimalField(**AMOUNT)
    confidence = models.FloatField(default=0.0)
    page = models.PositiveIntegerField(null=True, blank=True)
    bbox = models.JSONField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ENGINE)

    class Meta:
        ordering = ["invoice", "position"]
        constraints = [models.UniqueConstraint(fields=["invoice", "position"], name="one_item_per_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.description[:40]} {self.amount}"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ValidationError("The audit trail is append-only.")

    def delete(self):
        raise ValidationError("The audit trail is append-only.")


class AuditEvent(models.Model):
    """One change by a person or the pipeline. Append-only: rows are never updated or deleted."""

    class Action(models.TextChoices):
        CREATED = "created", "Received"
        DUPLICATE_REFUSED = "duplicate_refused", "Duplicate upload refused"
        EXTRACTED = "extracted", "Fields extracted"
        STATUS_CHANGED = "status_changed", "Status changed"
        FIELD_CORRECTED = "field_corrected", "Field corrected"
        FIELD_CONFIRMED = "field_confirmed", "Field confirmed"
        LINE_ITEMS_CHANGED = "line_items_changed", "Line items changed"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        REPROCESS_REQUESTED = "reprocess_requested", "Reprocessing requested"
        DUPLICATE_DISMISSED = "duplicate_dismissed", "Marked not a duplicate"
        VENDOR_CHANGED = "vendor_changed", "Vendor changed"
        DELETED = "deleted", "Deleted"

    invoice = models.ForeignKey(Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="audit")
    vendor = models.ForeignKey(Vendor, null=True, blank=True, on_delete=models.PROTECT, related_name="audit")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_name = models.CharField(max_length=150, help_text="Who, as it read at the time ('pipeline' for the engine).")
    action = models.CharField(max_length=30, choices=Action.choices)
    field = models.CharField(max_length=30, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)
    invoice_version = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["invoice", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("The audit trail is append-only.")


class ProcessingAttempt(models.Model):
    """One run of one pipeline stage for one invoice: when, where, how long, and how it ended."""

    class Outcome(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        RETRYING = "retrying", "Retrying (transient error)"
        FAILED = "failed", "Failed"
        ABANDONED = "abandoned", "Abandoned (worker lost; requeued)"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="attempts")
    stage = models.CharField(max_length=20)  # extract, validate, route, ...
    task_id = models.CharField(max_length=64, blank=True)
    worker = models.CharField(max_length=150, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    timings_ms = models.JSONField(default=dict, blank=True)
    engine = models.CharField(max_length=30, blank=True)
    result_path = models.CharField(max_length=500, blank=True)
    pages_billed = models.PositiveIntegerField(default=0)
    cost_usd = models.DecimalField(max_digits=10, decimal_places=4, default=Decimal("0"))

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["invoice", "stage", "started_at"])]

    def __str__(self) -> str:
        return f"{self.stage} {self.outcome} ({self.duration_ms or '-'} ms)"


class RuleResult(models.Model):
    """The outcome of one business rule on one invoice, from its latest validation."""

    class Severity(models.TextChoices):
        ERROR = "error", "Error"
        WARNING = "warning", "Warning"
        INFO = "info", "Info"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="rule_results")
    code = models.CharField(max_length=50)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    passed = models.BooleanField()
    message = models.TextField()
    fields = models.JSONField(default=list, blank=True)
    related_invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["invoice", "passed", "code"]
        indexes = [models.Index(fields=["invoice", "passed"])]

    def __str__(self) -> str:
        return f"{self.code}: {'ok' if self.passed else self.severity}"


class DuplicateDismissal(models.Model):
    """A person decided that two invoices flagged as probable duplicates are not."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="duplicate_dismissals")
    other = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="+")
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["invoice", "other"], name="one_dismissal_per_pair")]

    def __str__(self) -> str:
        return f"{self.invoice_id} is not a duplicate of {self.other_id}"


class IdempotencyKey(models.Model):
    """A client's Idempotency-Key for an upload: a retried request returns the first response."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_idempotency_key_per_user")]

    def __str__(self) -> str:
        return f"{self.key} ({self.user_id})"


class OutboxEvent(models.Model):
    """A change other systems must see, written in the same transaction as the change (transactional outbox).

    A drainer delivers it (DynamoDB item, SNS event) after commit and on a schedule; it is never lost.
    """

    class EventType(models.TextChoices):
        CREATED = "created", "Created"
        EXTRACTED = "extracted", "Extracted"
        ROUTED = "routed", "Routed"
        CORRECTED = "corrected", "Corrected"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        FAILED = "failed", "Failed"
        REPROCESSING = "reprocessing", "Reprocessing"
        DELETED = "deleted", "Deleted"

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="outbox_events")
    event_type = models.CharField(max_length=20, choices=EventType.choices)
    invoice_version = models.PositiveIntegerField()
    status = models.CharField(max_length=20)
    occurred_at = models.DateTimeField()
    actor_name = models.CharField(max_length=150)
    payload = models.JSONField(default=dict)
    dynamodb_done_at = models.DateTimeField(null=True, blank=True)
    sns_done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["dynamodb_done_at", "id"]),
            models.Index(fields=["sns_done_at", "id"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} v{self.invoice_version} of {self.invoice_id}"


__all__ = [
    "AuditEvent",
    "Channel",
    "DuplicateDismissal",
    "FileKind",
    "IdempotencyKey",
    "Invoice",
    "InvoiceField",
    "LineItem",
    "OutboxEvent",
    "ProcessingAttempt",
    "RuleResult",
    "Source",
    "Status",
    "Vendor",
]
