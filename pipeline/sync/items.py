"""From an outbox event (or an invoice's current state) to the DynamoDB items consumers read. Pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

HEAD = "LATEST"
VERSION_ITEM, HEAD_ITEM = "version", "latest"

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

# Snapshot keys copied as text, and those that are amounts (written as DynamoDB Numbers).
_TEXT = ("invoiceNumber", "vendorName", "currency", "invoiceDate", "dueDate", "customerName", "poNumber", "channel",
         "originalName")
_AMOUNTS = ("totalAmount", "subtotal", "tax", "amountDue")


@dataclass(frozen=True, slots=True)
class Change:
    """One saved version of an invoice as consumers see it."""

    invoice_id: str
    version: int
    status: str
    event_type: str
    occurred_at: datetime
    actor: str
    payload: dict[str, Any]
    event_id: int | None = None  # None for a backfilled snapshot of an invoice that has no outbox event

    @classmethod
    def from_event(cls, event) -> Change:
        return cls(
            invoice_id=str(event.invoice_id),
            version=int(event.invoice_version),
            status=event.status,
            event_type=event.event_type,
            occurred_at=event.occurred_at,
            actor=event.actor_name,
            payload=event.payload or {},
            event_id=event.pk,
        )


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with microseconds, e.g. 2025-04-04T10:11:12.123456Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sort_key(occurred_at: datetime, version: int) -> str:
    return f"{iso(occurred_at)}#v{version:010d}"


def _number(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def version_item(change: Change) -> dict[str, Any]:
    """The immutable history item for one version (plain Python values; see ``serialize``)."""
    payload = change.payload
    item: dict[str, Any] = {
        "invoiceId": change.invoice_id,
        "timestamp": sort_key(change.occurred_at, change.version),
        "itemType": VERSION_ITEM,
        "eventType": change.event_type,
        "occurredAt": iso(change.occurred_at),
        "version": change.version,
        "status": change.status,
        "updatedBy": change.actor or "",
        "deleted": change.event_type == "deleted",
    }
    if change.event_id is not None:
        item["eventId"] = change.event_id
    for key in _TEXT:
        if payload.get(key) is not None:
            item[key] = str(payload[key])
    for key in _AMOUNTS:
        number = _number(payload.get(key))
        if number is not None:
            item[key] = number
    confidence = _number(payload.get("confidence"))
    if confidence is not None:
        item["confidence"] = confidence
    extracted: dict[str, Any] = {}
    for name, field in sorted((payload.get("extractedData") or {}).items()):
        entry: dict[str, Any] = {"value": str(field.get("value", "")), "source": str(field.get("source", ""))}
        field_confidence = _number(field.get("confidence"))
        if field_confidence is not None:
            entry["confidence"] = field_confidence
        extracted[name] = entry
    item["extractedData"] = extracted
    return item


def head_item(version: dict[str, Any]) -> dict[str, Any]:
    """The per-invoice head: the newest version's attributes under the sort key ``LATEST``."""
    return {**version, "timestamp": HEAD, "itemType": HEAD_ITEM, "latestTimestamp": version["timestamp"]}


def serialize(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _serializer.serialize(value) for key, value in item.items()}


def deserialize(item: dict[str, Any]) -> dict[str, Any]:
    return {key: _deserializer.deserialize(value) for key, value in item.items()}


def key_of(invoice_id: str, timestamp: str) -> dict[str, Any]:
    return {"invoiceId": {"S": invoice_id}, "timestamp": {"S": timestamp}}
