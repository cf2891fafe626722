"""The transactional outbox: every change other systems must see is written here in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from ..models import Invoice, InvoiceField, OutboxEvent


def invoice_snapshot(invoice: Invoice) -> dict[str, Any]:
    """What downstream consumers get for one version of an invoice (plain JSON types only)."""
    fields = {
        f.name: {"value": f.value, "confidence": round(f.confidence, 1), "source": f.source}
        for f in InvoiceField.objects.filter(invoice=invoice).order_by("name")
    }
    return {
        "invoiceId": str(invoice.pk),
        "status": invoice.status,
        "version": invoice.version,
        "invoiceNumber": invoice.invoice_number,
        "invoiceDate": invoice.invoice_date.isoformat() if invoice.invoice_date else None,
        "dueDate": invoice.due_date.isoformat() if invoice.due_date else None,
        "vendorName": invoice.vendor.name if invoice.vendor_id else invoice.vendor_name,
        "customerName": invoice.customer_name,
        "poNumber": invoice.po_number,
        "currency": invoice.currency,
        "subtotal": str(invoice.subtotal) if invoice.subtotal is not None else None,
        "tax": str(invoice.tax) if invoice.tax is not None else None,
        "totalAmount": str(invoice.total) if invoice.total is not None else None,
        "amountDue": str(invoice.amount_due) if invoice.amount_due is not None else None,
        "confidence": invoice.min_confidence,
        "extractedData": fields,
        "channel": invoice.channel,
        "originalName": invoice.original_name,
    }


def outbox_record(*, invoice: Invoice, event_type: str, actor_name: str) -> OutboxEvent:
    """Write the event inside the caller's transaction and ask for delivery once it commits."""
    event = OutboxEvent.objects.create(
        invoice=invoice,
        event_type=event_type,
        invoice_version=invoice.version,
        status=invoice.status,
        occurred_at=timezone.now(),
        actor_name=actor_name,
        payload=invoice_snapshot(invoice),
    )
    transaction.on_commit(_request_drain)
    return event


def _request_drain() -> None:
    from pipeline import hooks

    hooks.outbox_committed()
