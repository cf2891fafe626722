"""Reads of the invoice domain, shared by the review screens, the API and the admin.

List reads return querysets with their joins declared (no N+1 queries); filters are one dataclass so every
caller filters the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet

from .models import REVIEWABLE_STATUSES, AuditEvent, Invoice, ProcessingAttempt, RuleResult, Status

# Sort keys people and integrations can ask for → ORM ordering (stable: the id breaks ties).
ORDERINGS: dict[str, tuple[str, ...]] = {
    "age": ("created_at", "id"),  # oldest first
    "-age": ("-created_at", "-id"),
    "due": ("due_date", "id"),
    "-due": ("-due_date", "-id"),
    "amount": ("total", "id"),
    "-amount": ("-total", "-id"),
    "confidence": ("min_confidence", "id"),  # least certain first
    "-confidence": ("-min_confidence", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}


@dataclass(slots=True)
class InvoiceFilters:
    statuses: list[str] = field(default_factory=list)
    search: str = ""  # invoice number or vendor name
    number: str = ""
    vendor_id: int | None = None
    vendor: str = ""  # vendor name contains
    currency: str = ""
    date_from: date | None = None  # invoice date
    date_to: date | None = None
    amount_min: Decimal | None = None  # total
    amount_max: Decimal | None = None
    has_duplicates: bool | None = None
    has_failed_rules: bool | None = None
    needs_review: bool | None = None
    updated_since: datetime | None = None
    include_deleted: bool = False


def invoice_list(*, filters: InvoiceFilters | None = None, ordering: str = "-age") -> QuerySet[Invoice]:
    f = filters or InvoiceFilters()
    qs = Invoice.objects.select_related("vendor", "uploaded_by")
    if not f.include_deleted:
        qs = qs.filter(deleted_at__isnull=True)
    if f.statuses:
        qs = qs.filter(status__in=f.statuses)
    if f.search:
        term = f.search.strip()
        qs = qs.filter(
            Q(invoice_number__icontains=term) | Q(vendor_name__icontains=term) | Q(vendor__name__icontains=term)
            | Q(original_name__icontains=term)
        )
    if f.number:
        qs = qs.filter(invoice_number__iexact=f.number.strip())
    if f.vendor_id is not None:
        qs = qs.filter(vendor_id=f.vendor_id)
    if f.vendor:
        qs = qs.filter(Q(vendor__name__icontains=f.vendor) | Q(vendor_name__icontains=f.vendor))
    if f.currency:
        qs = qs.filter(currency=f.currency.upper())
    if f.date_from:
        qs = qs.filter(invoice_date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(invoice_date__lte=f.date_to)
    if f.amount_min is not None:
        qs = qs.filter(total__gte=f.amount_min)
    if f.amount_max is not None:
        qs = qs.filter(total__lte=f.amount_max)
    if f.has_duplicates is not None:
        qs = qs.filter(has_duplicates=f.has_duplicates)
    if f.has_failed_rules is not None:
        qs = qs.filter(failed_rules__gt=0) if f.has_failed_rules else qs.filter(failed_rules=0)
    if f.needs_review is not None:
        qs = qs.filter(status=Status.NEEDS_REVIEW) if f.needs_review else qs.exclude(status=Status.NEEDS_REVIEW)
    if f.updated_since is not None:
        qs = qs.filter(updated_at__gte=f.updated_since)
    return qs.order_by(*ORDERINGS.get(ordering, ORDERINGS["-age"]))


def invoice_detail(invoice_id) -> Invoice:
    """One invoice with everything a review screen or API detail shows, in a fixed number of queries."""
    return (
        Invoice.objects.select_related("vendor", "uploaded_by", "decided_by")
        .prefetch_related(
            "fields",
            "line_items",
            Prefetch("rule_results", queryset=RuleResult.objects.select_related("related_invoice")),
            Prefetch("audit", queryset=AuditEvent.objects.select_related("actor").order_by("-created_at", "-id")),
            Prefetch("attempts", queryset=ProcessingAttempt.objects.order_by("-started_at", "-id")),
        )
        .get(pk=invoice_id)
    )


def status_counts() -> dict[str, int]:
    """How many invoices are in each status (every status present, zeros included)."""
    counts = dict(
        Invoice.objects.filter(deleted_at__isnull=True).values_list("status").annotate(n=Count("id")).order_by()
    )
    return {status: counts.get(status, 0) for status in Status.values}


def next_for_review(*, after: Invoice | None = None, ordering: str = "confidence") -> Invoice | None:
    """The next invoice a person should look at, skipping ``after``."""
    qs = invoice_list(filters=InvoiceFilters(statuses=sorted(REVIEWABLE_STATUSES)), ordering=ordering)
    if after is not None:
        qs = qs.exclude(pk=after.pk)
    # Needs-review before ready, then by the requested order.
    return qs.order_by(
        Exists(Invoice.objects.filter(pk=OuterRef("pk"), status=Status.READY)), *ORDERINGS[ordering]
    ).first()


def duplicates_of(invoice: Invoice) -> list[RuleResult]:
    """The failed duplicate rules of an invoice, each linking to the other invoice."""
    return [
        r for r in invoice.rule_results.all()
        if not r.passed and r.related_invoice_id is not None and r.code.startswith("duplicate")
    ]


# --- API (issue 6) -----------------------------------------------------------------------------------------------
def vendor_list(*, search: str = "") -> QuerySet:
    """Vendors by name; ``search`` matches name, tax id or IBAN."""
    from .models import Vendor

    vendors = Vendor.objects.all()
    term = search.strip()
    if term:
        vendors = vendors.filter(Q(name__icontains=term) | Q(tax_id__icontains=term) | Q(iban__icontains=term))
    return vendors.order_by("name", "id")


def invoice_version(invoice_id) -> int | None:
    """The current version of an invoice (its ETag), or None if there is no such invoice."""
    return Invoice.objects.filter(pk=invoice_id).values_list("version", flat=True).first()


def invoice_files(invoice_id) -> Invoice | None:
    """Just what serving an invoice's original file or stored result needs."""
    return (Invoice.objects.filter(pk=invoice_id)
            .only("original", "original_name", "content_type", "result_path", "status").first())


def vendor_named(name: str, *, exclude_id: int | None = None):
    """The vendor whose name matches ``name`` the way vendor names are kept unique (``Vendor.name_key``)."""
    from .models import Vendor
    from .services.vendors import vendor_key

    return Vendor.objects.filter(name_key=vendor_key(name)).exclude(pk=exclude_id).first()


# --- queue, home and upload screens (issue 5) --------------------------------------------------------------------
# Statuses the queue shows unless the person picks others: what waits for a person, and what went wrong.
ATTENTION_STATUSES = (Status.NEEDS_REVIEW, Status.READY, Status.FAILED)
QUEUE_COLUMNS = (
    "id", "status", "original_name", "created_at", "invoice_number", "invoice_date", "due_date", "vendor_name",
    "vendor__name", "currency", "total", "min_confidence", "failed_rules", "has_duplicates", "status_reason",
    "review_reasons",
)


def queue_invoices(*, filters: InvoiceFilters, ordering: str = "age") -> QuerySet:
    """The queue's invoice ids in order, for a paginator: sorted on the (status, deleted_at, column) indexes
    without reading rows; ``queue_rows`` then loads one page of rows (a deferred join: fast at 100,000 rows)."""
    qs = invoice_list(filters=filters, ordering=ordering if ordering in ORDERINGS else "age")
    # Nulls last for the ascending sorts people use most (no due date / no confidence → at the end).
    if ordering in ("due", "confidence", "amount"):
        column = ORDERINGS[ordering][0]
        qs = qs.order_by(F(column).asc(nulls_last=True), "id")
    return qs.select_related(None).values_list("id", flat=True)


def queue_rows(ids) -> list[Invoice]:
    """The rows a queue page shows, in the order of ``ids``: one query, the vendor joined."""
    ids = list(ids)
    rows = Invoice.objects.filter(pk__in=ids).select_related("vendor").only(*QUEUE_COLUMNS).order_by()
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def invoice_statuses(ids) -> list[dict]:
    """Where each of these invoices is in the pipeline (the upload page polls it): one query."""
    rows = (Invoice.objects.filter(pk__in=list(ids), deleted_at__isnull=True)
            .only("id", "status", "status_reason", "invoice_number", "vendor_name", "total", "currency"))
    return [
        {"id": str(r.pk), "status": r.status, "label": r.get_status_display(), "reason": r.status_reason,
         "number": r.invoice_number, "vendor": r.vendor_name,
         "total": f"{r.total:,.2f} {r.currency}".strip() if r.total is not None else "",
         "final": r.status not in PIPELINE_STATUSES}
        for r in rows
    ]


PIPELINE_STATUSES = frozenset({Status.RECEIVED, Status.EXTRACTING, Status.EXTRACTED, Status.VALIDATING,
                               Status.VALIDATED})


@dataclass(slots=True)
class HomeStats:
    counts: dict[str, int]
    processed_today: int
    avg_ms: float | None
    p95_ms: int | None
    timed: int  # how many invoices the times are over
    oldest_waiting: Invoice | None
    daily: list[tuple[date, int]]  # (day, invoices received), oldest first


def home_stats(*, now: datetime | None = None, days: int = 14, window_days: int = 30) -> HomeStats:
    """The home page's figures, each in one query (status counts, today's routings, timings, oldest, volume)."""
    from django.db.models import Avg
    from django.db.models.functions import TruncDate
    from django.utils import timezone

    now = now or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    live = Invoice.objects.filter(deleted_at__isnull=True)
    processed_today = live.filter(routed_at__gte=start_of_day).count()

    # Processing time: intake → routed, as the pipeline's route step records it from the attempts' clock.
    timed_qs = live.filter(processing_ms__isnull=False, routed_at__gte=now - timedelta(days=window_days))
    agg = timed_qs.aggregate(avg=Avg("processing_ms"), n=Count("id"))
    p95 = None
    if agg["n"]:
        index = max(0, math.ceil(agg["n"] * 0.95) - 1)  # nearest-rank p95
        p95 = timed_qs.order_by("processing_ms").values_list("processing_ms", flat=True)[index]

    oldest = (live.filter(status__in=[Status.NEEDS_REVIEW, Status.READY]).order_by("created_at", "id")
              .only("id", "created_at", "invoice_number", "original_name", "vendor_name", "status").first())

    first_day = (timezone.localtime(now) - timedelta(days=days - 1)).date()
    per_day = dict(
        live.filter(created_at__gte=start_of_day - timedelta(days=days - 1))
        .annotate(day=TruncDate("created_at")).values_list("day").annotate(n=Count("id")).order_by()
    )
    daily = [(first_day + timedelta(days=i), per_day.get(first_day + timedelta(days=i), 0)) for i in range(days)]
    return HomeStats(counts=status_counts(), processed_today=processed_today, avg_ms=agg["avg"], p95_ms=p95,
                     timed=agg["n"], oldest_waiting=oldest, daily=daily)


def needs_review_count() -> int:
    return Invoice.objects.filter(status=Status.NEEDS_REVIEW, deleted_at__isnull=True).count()


# --- review screen (issue 5) ------------------------------------------------------------------------------------
def dismissed_duplicate_ids(invoice: Invoice) -> set:
    """Ids of the invoices a person marked as not duplicates of ``invoice``."""
    from .models import DuplicateDismissal

    return set(DuplicateDismissal.objects.filter(invoice=invoice).values_list("other_id", flat=True))


def invoice_page_image_name(invoice_id, page: int) -> str | None:
    """The processed-storage name of one rendered page (1-based), or None."""
    names = Invoice.objects.filter(pk=invoice_id).values_list("page_images", flat=True).first() or []
    return names[page - 1] if 1 <= page <= len(names) else None


def invoice_words(invoice_id) -> list[dict] | None:
    """The positioned words of an invoice (text, page, bbox as page fractions), for picking values on the page.

    From the latest extraction result's ``words``; for a PDF whose result has none, from the PDF's text layer
    (fast; never OCR on a web request). None when neither is available.
    """
    from . import storage

    row = Invoice.objects.filter(pk=invoice_id).values("result_path", "original", "file_kind", "page_images").first()
    if row is None:
        return None
    words = None
    if row["result_path"]:
        try:
            result = storage.read_result(row["result_path"])
        except Exception:  # missing or unreadable: fall back, or work without word picking
            result = None
        words = result.get("words") if isinstance(result, dict) else None
    if not isinstance(words, list) and row["file_kind"] == "pdf" and row["original"]:
        words = _pdf_text_words(row["original"], pages=len(row["page_images"] or []))
    if not isinstance(words, list):
        return None
    clean = []
    for word in words:
        try:
            bbox = [round(float(v), 5) for v in word["bbox"]][:4]
            clean.append({"text": str(word["text"]), "page": int(word.get("page") or 1), "bbox": bbox})
        except (KeyError, TypeError, ValueError):
            continue
    return clean


def _pdf_text_words(name: str, *, pages: int) -> list[dict] | None:
    """Words of a PDF's text layer (pages without a usable one give none)."""
    from pipeline.extraction.pdftext import read_pdf

    from . import storage

    if pages < 1:
        return None
    try:
        read = read_pdf(storage.read_original(name), max_pages=pages)
    except Exception:  # unreadable or missing: no word picking
        return None
    return [{"text": w.text, "page": w.page, "bbox": list(w.bbox)} for w in read.document.words] or None


def invoice_for_review(invoice_id, *, history: int = 100) -> Invoice:
    """One invoice as the review screen shows it, in a fixed number of queries however many fields, line items,
    rule results or audit rows it has (who set each field included; the latest ``history`` audit rows)."""
    from .models import InvoiceField

    return (
        Invoice.objects.select_related("vendor", "uploaded_by", "decided_by")
        .prefetch_related(
            Prefetch("fields", queryset=InvoiceField.objects.select_related("set_by")),
            "line_items",
            Prefetch("rule_results", queryset=RuleResult.objects.select_related("related_invoice")),
            # A sliced prefetch needs its own attribute: ``invoice.recent_audit``, newest first.
            Prefetch("audit", queryset=AuditEvent.objects.order_by("-created_at", "-id")[:history],
                     to_attr="recent_audit"),
        )
        .get(pk=invoice_id)
    )
