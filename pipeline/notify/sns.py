"""State changes as SNS events, for other systems to subscribe to and filter (``settings.SNS_TOPIC_ARN``).

Message: JSON ``{"eventId", "eventType", "invoiceId", "version", "status", "occurredAt", "actor", "invoice"}``
where ``invoice`` is the same snapshot the DynamoDB item is made from. Message attributes (for subscription
filter policies): ``eventType``, ``status``, ``vendor`` (when known), ``currency`` (when known), ``invoiceId``
(strings) and ``version`` (number).

Delivery is at least once (a drainer that dies between publishing and recording may publish again): consumers
de-duplicate on ``eventId``. On a FIFO topic (ARN ending in ``.fifo``) the event id is also the deduplication id
and the invoice id the message group, so SNS drops the repeat and keeps each invoice's events in order.
"""

from __future__ import annotations

import json
from typing import Any

from pipeline.sync.items import Change, iso

MAX_ATTRIBUTE = 256  # keep attribute values short; the full value is in the message body


def event_message(change: Change) -> dict[str, Any]:
    return {
        "eventId": change.event_id,
        "eventType": change.event_type,
        "invoiceId": change.invoice_id,
        "version": change.version,
        "status": change.status,
        "occurredAt": iso(change.occurred_at),
        "actor": change.actor,
        "invoice": change.payload,
    }


def message_attributes(change: Change) -> dict[str, dict[str, str]]:
    def text(value: Any) -> dict[str, str]:
        return {"DataType": "String", "StringValue": str(value)[:MAX_ATTRIBUTE]}

    attributes = {
        "eventType": text(change.event_type),
        "status": text(change.status),
        "invoiceId": text(change.invoice_id),
        "version": {"DataType": "Number", "StringValue": str(change.version)},
    }
    # SNS refuses empty attribute values: leave out what is not known yet (e.g. before extraction).
    for name, key in (("vendor", "vendorName"), ("currency", "currency")):
        value = (change.payload.get(key) or "").strip()
        if value:
            attributes[name] = text(value)
    return attributes


def publish_change(*, client, topic_arn: str, change: Change) -> str:
    """Publish one state change; returns the SNS message id."""
    kwargs: dict[str, Any] = {
        "TopicArn": topic_arn,
        "Message": json.dumps(event_message(change), ensure_ascii=False, sort_keys=True),
        "MessageAttributes": message_attributes(change),
    }
    if topic_arn.endswith(".fifo"):
        kwargs["MessageGroupId"] = change.invoice_id
        kwargs["MessageDeduplicationId"] = f"invoice-event-{change.event_id}"
    return client.publish(**kwargs)["MessageId"]
