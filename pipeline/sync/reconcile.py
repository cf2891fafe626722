"""Comparing MySQL with the DynamoDB table, and repairing the differences (``manage.py dynamodb_reconcile``).

Pass 1, MySQL → table, 100 invoices at a time (BatchGetItem, constant memory): every delivered outbox event must
have its version item with exactly the content derived from the event; the head must mirror the newest delivered
version. Events not delivered yet are counted as backlog, not drift. Invoices that have no outbox event at all
(made before the outbox existed) are expected as one snapshot item of their current state.

Pass 2, table → MySQL (a Scan of keys only): items of invoices MySQL does not know (orphans), and version items
MySQL has no change for (unexpected).

``fix``: missing or altered version items are rewritten (their content is a pure function of the immutable outbox
row), and missing, stale or altered heads are rewritten unless the table holds a newer version. Two kinds of drift
are reported but never "fixed", because the right action needs a person: a head newer than anything in MySQL
(e.g. the database was restored from an older backup), and items MySQL does not know (deleting history).
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from invoices.models import Invoice, OutboxEvent

from . import dynamodb
from .items import HEAD, Change, deserialize, head_item, sort_key, version_item
from .selectors import ExpectedChanges, expected_changes

MISSING_VERSION = "missing_version"
CHANGED_VERSION = "changed_version"
MISSING_HEAD = "missing_head"
STALE_HEAD = "stale_head"
CHANGED_HEAD = "changed_head"
AHEAD_HEAD = "head_ahead_of_database"
ORPHAN = "orphan_invoice"
UNEXPECTED_VERSION = "unexpected_version"
NOT_FIXABLE = frozenset({AHEAD_HEAD, ORPHAN, UNEXPECTED_VERSION})

DESCRIPTIONS = {
    MISSING_VERSION: "version item missing from the table",
    CHANGED_VERSION: "version item differs from the database",
    MISSING_HEAD: "head item (LATEST) missing",
    STALE_HEAD: "head item shows an older version than the database",
    CHANGED_HEAD: "head item differs from the database",
    AHEAD_HEAD: "head item is newer than anything in the database (not fixed: check the database first)",
    ORPHAN: "items of an invoice the database does not have (not fixed: deleting history needs a person)",
    UNEXPECTED_VERSION: "version item the database has no change for (not fixed: deleting history needs a person)",
}


@dataclass
class Drift:
    kind: str
    invoice_id: str
    timestamp: str = ""
    detail: str = ""
    fixed: bool = False

    def __str__(self) -> str:
        where = f"{self.invoice_id} {self.timestamp}".strip()
        state = " [fixed]" if self.fixed else ""
        return f"{self.kind}: {where}{' — ' + self.detail if self.detail else ''}{state}"


@dataclass
class ReconcileReport:
    invoices: int = 0
    items_checked: int = 0
    items_scanned: int = 0
    pending_events: int = 0
    drift: list[Drift] = field(default_factory=list)

    @property
    def counts(self) -> Counter:
        return Counter(d.kind for d in self.drift)

    @property
    def unresolved(self) -> list[Drift]:
        return [d for d in self.drift if not d.fixed]

    @property
    def fixed(self) -> int:
        return sum(1 for d in self.drift if d.fixed)


def _differences(actual: dict, expected: dict) -> str:
    keys = sorted(k for k in set(actual) | set(expected) if actual.get(k) != expected.get(k))
    return ", ".join(keys[:8]) + (" …" if len(keys) > 8 else "")


def reconcile(
    *,
    client,
    table_name: str,
    fix: bool = False,
    invoice_ids: Iterable | None = None,
    scan_table: bool = True,
    chunk_size: int = 100,
    progress: Callable[[ReconcileReport], None] | None = None,
) -> ReconcileReport:
    report = ReconcileReport()
    for chunk in _invoice_chunks(invoice_ids, chunk_size):
        expected = expected_changes(chunk)
        report.invoices += len(expected)
        _check_chunk(client, table_name, expected, report, fix)
        if progress:
            progress(report)
    if scan_table and invoice_ids is None:
        _scan_table(client, table_name, report)
    return report


def _invoice_chunks(invoice_ids: Iterable | None, size: int):
    if invoice_ids is not None:
        ids = [str(i) for i in invoice_ids]
        for start in range(0, len(ids), size):
            yield ids[start:start + size]
        return
    last = None
    while True:  # keyset pagination: constant memory whatever the number of invoices
        query = Invoice.objects.order_by("pk")
        if last is not None:
            query = query.filter(pk__gt=last)
        ids = list(query.values_list("pk", flat=True)[:size])
        if not ids:
            return
        last = ids[-1]
        yield [str(i) for i in ids]


def _check_chunk(client, table: str, expected: dict[str, ExpectedChanges], report: ReconcileReport, fix: bool):
    keys = [(e.invoice_id, HEAD) for e in expected.values()]
    keys += [(c.invoice_id, sort_key(c.occurred_at, c.version)) for e in expected.values() for c in e.delivered]
    found = dynamodb.batch_get(client=client, table_name=table, keys=keys)
    report.items_checked += len(found)
    for invoice in expected.values():
        report.pending_events += invoice.pending
        for change in invoice.delivered:
            want = version_item(change)
            raw = found.get((change.invoice_id, want["timestamp"]))
            if raw is None:
                drift = Drift(MISSING_VERSION, change.invoice_id, want["timestamp"], f"v{change.version}")
            elif (actual := deserialize(raw)) != want:
                drift = Drift(CHANGED_VERSION, change.invoice_id, want["timestamp"], _differences(actual, want))
            else:
                continue
            if fix:
                dynamodb.put_version(client=client, table_name=table, change=change)
                drift.fixed = True
            report.drift.append(drift)
        _check_head(client, table, invoice, found.get((invoice.invoice_id, HEAD)), report, fix)


def _check_head(client, table: str, invoice: ExpectedChanges, raw: dict | None, report: ReconcileReport, fix: bool):
    target: Change | None = invoice.latest_delivered
    if target is None:
        if raw is not None and invoice.latest is not None and int(deserialize(raw)["version"]) > invoice.latest.version:
            report.drift.append(Drift(AHEAD_HEAD, invoice.invoice_id, HEAD, "nothing delivered yet"))
        return
    if raw is None:
        drift = Drift(MISSING_HEAD, invoice.invoice_id, HEAD, f"should show v{target.version}")
    else:
        actual = deserialize(raw)
        have = int(actual.get("version", 0))
        newest_known = invoice.latest.version if invoice.latest else target.version
        if have > newest_known:
            report.drift.append(Drift(AHEAD_HEAD, invoice.invoice_id, HEAD,
                                      f"table has v{have}, database v{newest_known}"))
            return
        if have > target.version:
            return  # a pending event was written but not yet marked delivered: fine
        if have < target.version:
            drift = Drift(STALE_HEAD, invoice.invoice_id, HEAD, f"table has v{have}, database v{target.version}")
        else:
            want = head_item(version_item(target))
            if actual == want:
                return
            drift = Drift(CHANGED_HEAD, invoice.invoice_id, HEAD, _differences(actual, want))
    if fix:
        drift.fixed = dynamodb.put_head_if_not_older(client=client, table_name=table, change=target)
    report.drift.append(drift)


def _scan_table(client, table: str, report: ReconcileReport) -> None:
    kwargs = {"TableName": table, "ProjectionExpression": "invoiceId, #ts",
              "ExpressionAttributeNames": {"#ts": "timestamp"}}
    while True:
        page = client.scan(**kwargs)
        items = page.get("Items", [])
        report.items_scanned += len(items)
        by_invoice: dict[str, list[str]] = defaultdict(list)
        for raw in items:
            by_invoice[raw["invoiceId"]["S"]].append(raw["timestamp"]["S"])
        known = _existing_invoice_ids(by_invoice)
        accounted = _known_timestamps(known)
        for invoice_id, timestamps in by_invoice.items():
            if invoice_id not in known:
                report.drift.append(Drift(ORPHAN, invoice_id, "", f"{len(timestamps)} item(s)"))
                continue
            for timestamp in timestamps:
                if timestamp != HEAD and timestamp not in accounted.get(invoice_id, ()):
                    report.drift.append(Drift(UNEXPECTED_VERSION, invoice_id, timestamp))
        if "LastEvaluatedKey" not in page:
            return
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _existing_invoice_ids(by_invoice: dict[str, list[str]]) -> set[str]:
    valid = []
    for invoice_id in by_invoice:
        try:
            valid.append(uuid.UUID(invoice_id))
        except ValueError:
            continue
    return {str(pk) for pk in Invoice.objects.filter(pk__in=valid).values_list("pk", flat=True)}


def _known_timestamps(invoice_ids: set[str]) -> dict[str, set[str]]:
    """Sort keys MySQL accounts for: every outbox event (delivered or pending), or the snapshot of an invoice
    that has none."""
    stamps: dict[str, set[str]] = defaultdict(set)
    events = OutboxEvent.objects.filter(invoice_id__in=list(invoice_ids))
    for invoice_id, occurred_at, version in events.values_list("invoice_id", "occurred_at", "invoice_version"):
        stamps[str(invoice_id)].add(sort_key(occurred_at, version))
    for invoice_id, expected in expected_changes(invoice_ids - set(stamps)).items():
        stamps[invoice_id] = {sort_key(c.occurred_at, c.version) for c in expected.delivered}
    return stamps
