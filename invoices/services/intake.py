"""Intake: the one way a file becomes an invoice, whatever channel it came through."""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.db import IntegrityError, transaction

from config.logging import get_correlation_id

from .. import storage
from ..filecheck import RejectedFile, inspect_file
from ..models import AuditEvent, Invoice, OutboxEvent, Status
from .audit import audit_record
from .outbox import outbox_record
from .workflow import enqueue_extraction

logger = logging.getLogger(__name__)

CREATED, DUPLICATE, REJECTED = "created", "duplicate", "rejected"


@dataclass(slots=True)
class IntakeOutcome:
    name: str
    outcome: str  # created | duplicate | rejected
    invoice: Invoice | None = None  # the new invoice, or the existing one for a duplicate
    message: str = ""  # for people: why it was refused, or what it duplicates
    code: str = ""  # machine-readable reason for a refusal

    @property
    def ok(self) -> bool:
        return self.outcome == CREATED


def read_limited(file: IO[bytes] | bytes) -> tuple[bytes, int]:
    """The bytes of an upload, reading no more than one byte past the size limit; and the real size."""
    if isinstance(file, bytes | bytearray):
        return bytes(file), len(file)
    limit = settings.MAX_UPLOAD_BYTES
    data = file.read(limit + 1)
    size = getattr(file, "size", None) or len(data)
    return data, max(size, len(data))


def invoice_intake(*, file: IO[bytes] | bytes, name: str, channel: str, uploaded_by=None) -> IntakeOutcome:
    """Validate a file, store the original, create the invoice (``received``) and queue its extraction.

    Never raises for bad input: a refused file or a duplicate comes back as an outcome with a clear message.
    The same bytes twice (SHA-256) are reported as a duplicate of the first invoice and stored once.
    """
    data, size = read_limited(file)
    display_name = (name or "upload").replace("\\", "/").rsplit("/", 1)[-1][:255] or "upload"
    try:
        facts = inspect_file(data, display_name, size=size)
    except RejectedFile as exc:
        logger.info("intake refused", extra={"channel": channel, "reason": exc.code, "size": len(data)})
        return IntakeOutcome(display_name, REJECTED, message=exc.message, code=exc.code)

    sha256 = hashlib.sha256(data).hexdigest()
    existing = Invoice.objects.filter(sha256=sha256).first()
    if existing is not None:
        return _duplicate(existing, display_name, channel, uploaded_by)

    invoice_id = uuid.uuid4()
    key = storage.save_original(invoice_id=str(invoice_id), kind=facts.kind, data=data)
    try:
        with transaction.atomic():
            invoice = Invoice.objects.create(
                id=invoice_id,
                status=Status.RECEIVED,
                channel=channel,
                correlation_id=get_correlation_id(),
                original=key,
                sha256=sha256,
                original_name=display_name,
                file_kind=facts.kind,
                content_type=facts.content_type,
                size_bytes=facts.size_bytes,
                page_count=facts.page_count,
                uploaded_by=uploaded_by if getattr(uploaded_by, "pk", None) else None,
            )
            audit_record(
                action=AuditEvent.Action.CREATED,
                invoice=invoice,
                user=uploaded_by,
                actor=None if uploaded_by else channel,
                new=display_name,
                detail={"channel": channel, "size_bytes": facts.size_bytes, "pages": facts.page_count},
            )
            outbox_record(invoice=invoice, event_type=OutboxEvent.EventType.CREATED, actor_name=channel)
            enqueue_extraction(invoice.pk)
    except IntegrityError:
        # Another request stored the same bytes a moment ago: keep theirs, drop our copy.
        storage.delete_original(key)
        existing = Invoice.objects.filter(sha256=sha256).first()
        if existing is None:
            raise
        return _duplicate(existing, display_name, channel, uploaded_by)
    except BaseException:
        storage.delete_original(key)
        raise
    logger.info(
        "invoice received",
        extra={"invoice_id": str(invoice.pk), "channel": channel, "kind": facts.kind, "pages": facts.page_count},
    )
    return IntakeOutcome(display_name, CREATED, invoice=invoice)


def _duplicate(existing: Invoice, name: str, channel: str, uploaded_by) -> IntakeOutcome:
    audit_record(
        action=AuditEvent.Action.DUPLICATE_REFUSED,
        invoice=existing,
        user=uploaded_by,
        actor=None if uploaded_by else channel,
        new=name,
        detail={"channel": channel},
    )
    logger.info("intake duplicate", extra={"invoice_id": str(existing.pk), "channel": channel})
    label = existing.invoice_number or existing.original_name
    return IntakeOutcome(
        name,
        DUPLICATE,
        invoice=existing,
        code="duplicate",
        message=f"This exact file was already received on {existing.created_at:%Y-%m-%d} as “{label}”.",
    )
