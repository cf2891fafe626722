"""Keeping the DynamoDB table other systems read in step with MySQL.

The table (``settings.DYNAMODB_TABLE``; off when empty)
-----------------------------------------------------------
Partition key ``invoiceId`` (string), sort key ``timestamp`` (string). Two kinds of item per invoice:

* one **version item** per saved change (``itemType = "version"``): ``timestamp`` is the ISO 8601 UTC time of the
  change with microseconds, followed by ``#v`` and the zero-padded invoice version, e.g.
  ``2025-04-04T10:11:12.123456Z#v0000000007`` — unique per version, and sorting by time. Version items are
  immutable: written once with ``attribute_not_exists``, so a replay never duplicates or changes them. Together
  they are the invoice's change history.
* one **head item** (``timestamp = "LATEST"``, ``itemType = "latest"``): a copy of the newest version, replaced
  only by a strictly higher ``version`` (condition ``attribute_not_exists(invoiceId) OR version < :v``).

Each change is two conditional PutItems: the version item, then the head. If the head condition fails (a stale
event delivered after a newer one: retries, replays, parallel drainers), only the history gained an item, and the
head never goes backwards. The head is put even when the version item already existed, so a drainer that died
between the two writes is repaired by the retry (the event is marked delivered only after both). A batch puts one
head per invoice, for its newest change. ``"LATEST"`` sorts after every ISO timestamp, so the natural "newest item
of an invoice" read — ``Query(invoiceId = :id, ScanIndexForward=False, Limit=1)`` — returns the head, and it is
right whatever order events arrived in and whatever the app servers' clocks did; ``GetItem(invoiceId, "LATEST")``
is the cheapest strongly consistent read of it. Consumers that want history only query ``timestamp < "A"``
(digits sort before letters) or filter on ``itemType = "version"``.

Why not one TransactWriteItems for both: transactional writes cost twice the capacity (4 WCU a change instead
of 2, and one head per invoice per batch), and the guarantees that matter (no duplicate, no going back, nothing
lost) hold without the atomicity: between the two puts a reader may briefly find a version item newer than the
head, so the head (or the newest version item) is what consumers read. (moto's TransactWriteItems also copies
the whole table per call and is not thread-safe, so it could not have been measured meaningfully here.)

Attributes: invoiceNumber, totalAmount (Number), vendorName, currency, status, version (Number), confidence
(Number, lowest confidence of the key fields), extractedData (map: field → {value, confidence, source}), updatedBy,
plus eventType, eventId, occurredAt, invoiceDate, dueDate, customerName, poNumber, subtotal, tax, amountDue,
channel, originalName, deleted (Boolean). Numbers are written exactly (Decimal); unknown values are left out.

Delivery
--------
``pipeline.sync.outbox.outbox_drain`` claims undelivered outbox events (a lease in ``next_attempt_at``, rows
locked with SKIP LOCKED so drainers never share work), writes them with a few threads, and records the outcome;
failures back off exponentially with jitter and are retried forever (the outbox keeps the backlog). A connection
error, throttling that outlasts botocore's own retries, or a server error stops the batch at once, so an outage
costs one probe per retry rather than one timeout per event.
"""
