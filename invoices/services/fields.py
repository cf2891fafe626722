"""Writing field values: an engine's result, a person's corrections and line-item edits.

The typed columns on Invoice mirror the InvoiceField rows; these services are the only writers of either.
A value a person set (source ``person``) is never overwritten by a later extraction.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pipeline.extraction.types import FIELD_NAMES

from ..models import TYPED_FIELDS, AuditEvent, Invoice, InvoiceField, LineItem, OutboxEvent, Source
from ..values import InvalidValue, normalise, to_text, to_typed
from .audit import actor_name, audit_record
from .outbox import outbox_record
from .vendors import vendor_find, vendor_get_or_create
from .workflow import InvalidTransition, lock_invoice

# The fields an invoice cannot be paid without; their lowest confidence ranks the review queue.
REQUIRED_FIELDS = ("invoice_number", "invoice_date", "vendor_name", "currency", "total")
EDITABLE_STATUSES = {"needs_review", "ready"}


class InvalidFields(Exception):
    """Some submitted values cannot be read; ``errors`` maps each field to a message for the person."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(slots=True)
class FieldChange:
    field: str
    old: str
    new: str
    confirmed_only: bool  # same value, now confirmed by a person


def invoice_apply_extraction(*, invoice: Invoice, result: dict[str, Any], result_path: str = "") -> Invoice:
    """Store an engine's result on a locked invoice: fields, line items, typed columns. Inside a transaction.

    Person-set fields and line items survive re-extraction; engine values the new result no longer has go away.
    """
    engine = result.get("engine", "")
    found = {name: data for name, data in (result.get("fields") or {}).items() if name in FIELD_NAMES}
    existing = {f.name: f for f in InvoiceField.objects.filter(invoice=invoice)}
    for name, field in existing.items():
        if field.source == Source.ENGINE and name not in found:
            field.delete()
    for name, data in found.items():
        current = existing.get(name)
        if current is not None and current.source == Source.PERSON:
            continue
        InvoiceField.objects.update_or_create(
            invoice=invoice,
            name=name,
            defaults={
                "value": str(data.get("value", "")),
                "confidence": float(data.get("confidence") or 0.0),
                "page": data.get("page"),
                "bbox": data.get("bbox"),
                "source": Source.ENGINE,
                "engine": engine,
                "set_by": None,
            },
        )
    if not invoice.line_items.filter(source=Source.PERSON).exists():
        invoice.line_items.all().delete()
        LineItem.objects.bulk_create(
            [_line_item(invoice, position, item) for position, item in enumerate(result.get("line_items") or [], 1)]
        )
    _sync_typed_columns(invoice)
    invoice.engine = engine
    invoice.result_path = result_path or invoice.result_path
    invoice.page_count = result.get("pages") or invoice.page_count
    invoice.extracted_at = timezone.now()
    invoice.version += 1
    invoice.save()
    audit_record(
        action=AuditEvent.Action.EXTRACTED,
        invoice=invoice,
        detail={"engine": engine, "fields": sorted(found), "line_items": len(result.get("line_items") or [])},
    )
    outbox_record(invoice=invoice, event_type=OutboxEvent.EventType.EXTRACTED, actor_name="pipeline")
    return invoice


def invoice_correct_fields(
    *, invoice_id, changes: dict[str, str], user, expected_version: int | None
) -> tuple[Invoice, list[FieldChange]]:
    """A person's corrections (or confirmations of unchanged values), refused if the version is stale.

    Each changed field becomes source ``person`` with confidence 100 and gets an audit row old → new.
    """
    unknown = [name for name in changes if name not in FIELD_NAMES]
    if unknown:
        raise InvalidFields({name: "There is no such field." for name in unknown})
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}
    for name, text in changes.items():
        try:
            clean[name] = normalise(name, text if text is not None else "")
        except InvalidValue as exc:
            errors[name] = exc.message
    if errors:
        raise InvalidFields(errors)

    with transaction.atomic():
        invoice = lock_invoice(invoice_id, expected_version)
        if invoice.status not in EDITABLE_STATUSES:
            raise InvalidTransition(
                f"This invoice is {invoice.get_status_display().lower()}; its fields cannot be changed now."
            )
        existing = {f.name: f for f in InvoiceField.objects.filter(invoice=invoice)}
        applied: list[FieldChange] = []
        for name, value in clean.items():
            current = existing.get(name)
            old = current.value if current else ""
            if current is not None and current.value == value and current.source == Source.PERSON:
                continue  # check, then do: nothing changes
            if current is None and value == "":
                continue
            # Page and box stay: they show where on the document the field is, whoever set its value.
            InvoiceField.objects.update_or_create(
                invoice=invoice,
                name=name,
                defaults={"value": value, "confidence": 100.0, "source": Source.PERSON, "set_by": user},
            )
            applied.append(FieldChange(name, old, value, confirmed_only=(current is not None and old == value)))
        if not applied:
            return invoice, []
        _sync_typed_columns(invoice)
        invoice.version += 1
        invoice.save()
        for change in applied:
            audit_record(
                action=AuditEvent.Action.FIELD_CONFIRMED if change.confirmed_only else AuditEvent.Action.FIELD_CORRECTED,
                invoice=invoice,
                user=user,
                field=change.field,
                old=change.old,
                new=change.new,
            )
        _fields_changed(invoice)
        outbox_record(invoice=invoice, event_type=OutboxEvent.EventType.CORRECTED, actor_name=actor_name(user))
    return invoice, applied


def invoice_set_line_items(
    *, invoice_id, items: list[dict[str, Any]], user, expected_version: int | None
) -> Invoice:
    """Replace the line items with a person's edited list (add, remove, change rows)."""
    errors: dict[str, str] = {}
    rows = []
    for index, item in enumerate(items, 1):
        row: dict[str, Any] = {"description": str(item.get("description") or "").strip()}
        for name in ("quantity", "unit_price", "amount"):
            text = "" if item.get(name) is None else str(item.get(name)).strip()
            try:
                row[name] = to_typed("subtotal", text) if text else None
            except InvalidValue:
                errors[f"line {index} {name.replace('_', ' ')}"] = f"“{text}” is not a number."
        if any(row.get(k) not in (None, "") for k in ("description", "quantity", "unit_price", "amount")):
            rows.append(row)
    if errors:
        raise InvalidFields(errors)
    with transaction.atomic():
        invoice = lock_invoice(invoice_id, expected_version)
        if invoice.status not in EDITABLE_STATUSES:
            raise InvalidTransition(
                f"This invoice is {invoice.get_status_display().lower()}; its line items cannot be changed now."
            )
        before = [_item_summary(i) for i in invoice.line_items.all()]
        after = [_item_summary_values(r) for r in rows]
        if before == after:
            return invoice
        invoice.line_items.all().delete()
        LineItem.objects.bulk_create(
            [LineItem(invoice=invoice, position=i, confidence=100.0, source=Source.PERSON, **row)
             for i, row in enumerate(rows, 1)]
        )
        invoice.version += 1
        invoice.save(update_fields=["version", "updated_at"])
        audit_record(
            action=AuditEvent.Action.LINE_ITEMS_CHANGED,
            invoice=invoice,
            user=user,
            field="line_items",
            old=f"{len(before)} lines",
            new=f"{len(after)} lines",
            detail={"before": before, "after": after},
        )
        _fields_changed(invoice)
        outbox_record(invoice=invoice, event_type=OutboxEvent.EventType.CORRECTED, actor_name=actor_name(user))
    return invoice


@dataclass(frozen=True)
class ReviewSave:
    invoice: Invoice
    changes: list[FieldChange]
    line_items_changed: bool


def invoice_review_save(
    *, invoice_id, changes: dict[str, str], items: list[dict[str, Any]] | None, user, expected_version: int | None
) -> ReviewSave:
    """One save from the review screen: field corrections and the edited line items, both or neither.

    ``items`` None leaves the line items alone. The version check applies to the whole save.
    """
    with transaction.atomic():
        invoice, applied, version = None, [], expected_version
        if changes:
            invoice, applied = invoice_correct_fields(
                invoice_id=invoice_id, changes=changes, user=user, expected_version=version
            )
            version = invoice.version
        items_changed = False
        if items is not None:
            invoice = invoice_set_line_items(invoice_id=invoice_id, items=items, user=user, expected_version=version)
            items_changed = invoice.version != version
        if invoice is None:  # nothing to save: no version to check either
            invoice = Invoice.objects.get(pk=invoice_id)
    return ReviewSave(invoice=invoice, changes=applied, line_items_changed=items_changed)


def _sync_typed_columns(invoice: Invoice) -> None:
    """Copy InvoiceField values to the typed columns; values that do not parse leave the column empty."""
    values = {f.name: f for f in InvoiceField.objects.filter(invoice=invoice)}
    for name, kind in TYPED_FIELDS.items():
        field = values.get(name)
        try:
            typed = to_typed(name, field.value) if field else None
        except InvalidValue:
            typed = None
        if typed is None and kind not in ("date", "amount"):
            typed = ""
        if isinstance(typed, str):
            typed = typed[: Invoice._meta.get_field(name).max_length]
        setattr(invoice, name, typed)
    name_field = values.get("vendor_name")
    trusted = name_field is not None and name_field.confidence >= settings.AUTO_ACCEPT_CONFIDENCE
    if name_field is None:
        invoice.vendor = None
    elif trusted:
        invoice.vendor = vendor_get_or_create(name=invoice.vendor_name, tax_id=invoice.vendor_tax_id)
    else:
        invoice.vendor = vendor_find(name=invoice.vendor_name, tax_id=invoice.vendor_tax_id)
    confidences = [values[n].confidence if n in values else 0.0 for n in REQUIRED_FIELDS]
    invoice.min_confidence = min(confidences)


def _fields_changed(invoice: Invoice) -> None:
    from pipeline import hooks

    hooks.invoice_fields_changed(invoice)


def _line_item(invoice: Invoice, position: int, item: dict[str, Any]) -> LineItem:
    def amount(name: str) -> Decimal | None:
        try:
            return to_typed("subtotal", str(item.get(name) or ""))
        except InvalidValue:
            return None

    return LineItem(
        invoice=invoice,
        position=position,
        description=str(item.get("description") or ""),
        quantity=amount("quantity"),
        unit_price=amount("unit_price"),
        amount=amount("amount"),
        confidence=float(item.get("confidence") or 0.0),
        page=item.get("page"),
        bbox=item.get("bbox"),
        source=Source.ENGINE,
    )


def _item_summary(item: LineItem) -> list[str]:
    return _item_summary_values({k: getattr(item, k) for k in ("description", "quantity", "unit_price", "amount")})


def _item_summary_values(row: dict[str, Any]) -> list[str]:
    return [row["description"], *(to_text("subtotal", row.get(k)) for k in ("quantity", "unit_price", "amount"))]
