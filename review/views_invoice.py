"""The invoice review screen: the document beside its fields and line items, with save, approve, reject,
reprocess, "not a duplicate", page images, word positions and presence.

Views stay thin: role check → form → service call → redirect or page. Every write names the version the person
saw; a stale one is refused by the service under the row lock and the page shows the newer values beside theirs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from invoices import roles, selectors, storage
from invoices.models import Invoice, Source, Status
from invoices.services import (
    InvalidFields,
    InvalidTransition,
    StaleInvoice,
    invoice_approve,
    invoice_reject,
    invoice_reprocess,
    invoice_review_save,
)
from invoices.services.duplicates import invoice_dismiss_duplicate
from invoices.services.fields import EDITABLE_STATUSES, REQUIRED_FIELDS
from invoices.values import format_decimal
from pipeline.extraction.types import AMOUNT_FIELDS, DATE_FIELDS, FIELD_NAMES

from . import presence
from .forms import ReviewSaveForm

LABELS = {
    "invoice_number": "Invoice number",
    "invoice_date": "Invoice date",
    "due_date": "Due date",
    "vendor_name": "Vendor",
    "vendor_address": "Vendor address",
    "vendor_tax_id": "Vendor tax ID",
    "customer_name": "Customer",
    "po_number": "PO number",
    "currency": "Currency",
    "subtotal": "Subtotal",
    "tax": "Tax",
    "total": "Total",
    "amount_due": "Amount due",
    "payment_terms": "Payment terms",
    "iban": "IBAN",
}
HINTS = {name: "YYYY-MM-DD" for name in DATE_FIELDS} | {name: "e.g. 1234.56" for name in AMOUNT_FIELDS} | {
    "currency": "e.g. EUR"
}
HISTORY_LIMIT = 100
STATUS_LABELS = dict(Status.choices)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _require_view(user) -> None:
    _require(roles.can_view(user), "Your account has no role that may see invoices.")


# --- what the page shows ------------------------------------------------------------------------------------
@dataclass
class FieldRow:
    name: str
    label: str
    value: str
    was: str
    confidence: float | None
    source: str
    set_by: str
    page: int | None
    bbox: list | None
    hint: str
    low: bool = False
    missing_required: bool = False
    rule_messages: list[tuple[str, str]] = field(default_factory=list)  # (severity, message) of failed rules
    error: str = ""
    mine: str | None = None  # the person's own value, after a refused stale save

    @property
    def attention(self) -> bool:
        return self.low or self.missing_required or bool(self.rule_messages) or bool(self.error)

    @property
    def confidence_text(self) -> str:
        return "" if self.confidence is None else f"{self.confidence:.0f}%"


def _field_rows(invoice: Invoice, *, submitted: dict | None, errors: dict, mine: dict) -> list[FieldRow]:
    threshold = settings.AUTO_ACCEPT_CONFIDENCE
    stored = {f.name: f for f in invoice.fields.all()}
    failed: dict[str, list[tuple[str, str]]] = {}
    for rule in invoice.rule_results.all():
        if not rule.passed and rule.severity != "info":
            for name in rule.fields or []:
                failed.setdefault(name, []).append((rule.severity, rule.message))
    rows = []
    for name in FIELD_NAMES:
        f = stored.get(name)
        value = f.value if f else ""
        person = f is not None and f.source == Source.PERSON
        row = FieldRow(
            name=name,
            label=LABELS.get(name, name.replace("_", " ").capitalize()),
            value=value if submitted is None else submitted.get(name, value),
            was=value,
            confidence=f.confidence if f else None,
            source=("person" if person else "engine") if f else "",
            set_by=(f.set_by.get_username() if person and f.set_by else ""),
            page=f.page if f else None,
            bbox=f.bbox if f and isinstance(f.bbox, list) and len(f.bbox) == 4 else None,
            hint=HINTS.get(name, ""),
            low=f is not None and not person and f.confidence < threshold,
            missing_required=f is None and name in REQUIRED_FIELDS,
            rule_messages=failed.get(name, []),
            error=errors.get(name, ""),
            mine=mine[name] if name in mine and mine[name] != value else None,
        )
        rows.append(row)
    return rows


def _amount_text(value) -> str:
    return "" if value is None else format_decimal(Decimal(value))


def _line_rows(invoice: Invoice, submitted: list[dict] | None) -> list[dict]:
    if submitted is not None:
        return submitted
    return [
        {
            "description": item.description,
            "quantity": _amount_text(item.quantity),
            "unit_price": _amount_text(item.unit_price),
            "amount": _amount_text(item.amount),
            "confidence": item.confidence,
            "low": item.source != Source.PERSON and item.confidence < settings.AUTO_ACCEPT_CONFIDENCE,
            "page": item.page,
            "bbox": item.bbox,
        }
        for item in invoice.line_items.all()
    ]


def _queue_url() -> str:
    for name in ("queue", "invoice-queue", "home"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return "/"


def _render(request, invoice_id, *, status: int = 200, submitted: dict | None = None, errors: dict | None = None,
            mine: dict | None = None, line_rows: list[dict] | None = None, conflict: str = "",
            mine_lines: list[dict] | None = None) -> HttpResponse:
    invoice = selectors.invoice_for_review(invoice_id, history=HISTORY_LIMIT)
    user = request.user
    errors = errors or {}
    rows = _field_rows(invoice, submitted=submitted, errors=errors, mine=mine or {})
    attention = [r for r in rows if r.attention]
    others = [r for r in rows if not r.attention]
    dismissed = selectors.dismissed_duplicate_ids(invoice) if invoice.has_duplicates or any(
        not r.passed and r.code.startswith("duplicate") for r in invoice.rule_results.all()) else set()
    duplicates = [r for r in selectors.duplicates_of(invoice) if r.related_invoice_id not in dismissed]
    failed_rules = [r for r in invoice.rule_results.all() if not r.passed and not r.code.startswith("duplicate")]
    editable = invoice.status in EDITABLE_STATUSES and invoice.deleted_at is None
    can_review = roles.can_review(user)
    audit = invoice.recent_audit
    for event in audit:  # statuses as people read them
        labels = STATUS_LABELS if event.field == "status" else {}
        event.old_display = labels.get(event.old_value, event.old_value)
        event.new_display = labels.get(event.new_value, event.new_value)
    line_errors = {k: v for k, v in errors.items() if k.startswith("line ")}
    context = {
        "invoice": invoice,
        "attention_rows": attention,
        "other_rows": others,
        "line_rows": _line_rows(invoice, line_rows),
        "line_errors": line_errors,
        "failed_rules": failed_rules,
        "duplicates": duplicates,
        "audit": audit,
        "audit_more": len(audit) == HISTORY_LIMIT,
        "pages": list(range(1, len(invoice.page_images or []) + 1)),
        "editable": editable and can_review,
        "can_review": can_review,
        "can_approve": roles.can_approve(user) and editable,
        "can_reprocess": roles.can_reprocess(user) and not invoice.is_working,
        "conflict": conflict,
        "mine_lines": mine_lines,
        "errors": {k: v for k, v in errors.items() if k not in FIELD_NAMES and not k.startswith("line ")},
        "viewers": presence.presence_viewers(invoice_id=invoice.pk, user=user),
        "heartbeat_seconds": presence.HEARTBEAT_SECONDS,
        "queue_url": _queue_url(),
        "threshold": settings.AUTO_ACCEPT_CONFIDENCE,
    }
    return render(request, "review/invoice.html", context, status=status)


# --- pages ---------------------------------------------------------------------------------------------------
@login_required
@require_GET
def invoice_review(request, invoice_id):
    _require_view(request.user)
    try:
        return _render(request, invoice_id)
    except Invoice.DoesNotExist:
        raise Http404("There is no invoice with this id.") from None


@login_required
@require_POST
def invoice_save(request, invoice_id):
    _require(roles.can_review(request.user), "Correcting invoices needs the Reviewer role.")
    get_object_or_404(Invoice.objects.only("pk"), pk=invoice_id)
    form = ReviewSaveForm(request.POST, field_names=FIELD_NAMES)
    if not form.is_valid():
        return _render(request, invoice_id, status=400, errors={"form": "The form was incomplete; reload the page."})
    changes = form.changes()
    items = form.line_items() if form.cleaned_data["li_dirty"] else None
    try:
        saved = invoice_review_save(invoice_id=invoice_id, changes=changes, items=items, user=request.user,
                                    expected_version=form.cleaned_data["version"])
    except StaleInvoice as exc:
        # Show their changes beside the newer values; nothing of theirs is applied or lost.
        return _render(request, invoice_id, status=409, conflict=str(exc), mine=changes, mine_lines=items)
    except InvalidFields as exc:
        return _render(request, invoice_id, status=400, submitted=form.submitted_values(), errors=exc.errors,
                       line_rows=items)
    except InvalidTransition as exc:
        messages.error(request, str(exc))
        return redirect("invoice-review", invoice_id=invoice_id)
    parts = []
    if saved.changes:
        corrected = [c for c in saved.changes if not c.confirmed_only]
        confirmed = [c for c in saved.changes if c.confirmed_only]
        if corrected:
            parts.append("corrected " + ", ".join(LABELS.get(c.field, c.field) for c in corrected))
        if confirmed:
            parts.append("confirmed " + ", ".join(LABELS.get(c.field, c.field) for c in confirmed))
    if saved.line_items_changed:
        parts.append("line items updated")
    if parts:
        messages.success(request, "Saved: " + "; ".join(parts) + ".")
    else:
        messages.info(request, "Nothing to save: no value was changed.")
    return redirect("invoice-review", invoice_id=invoice_id)


def _version(request) -> int | None:
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


def _decided(request, invoice: Invoice, verb: str):
    label = invoice.invoice_number or invoice.original_name
    following = selectors.next_for_review(after=invoice)
    if following is None:
        messages.success(request, f"{verb} {label}. No more invoices need review.")
        return redirect(_queue_url())
    messages.success(request, f"{verb} {label}. This is the next invoice needing review.")
    return redirect("invoice-review", invoice_id=following.pk)


def _decide(request, invoice_id, *, doing: str, decision: str, done: str, decide, **kwargs):
    """Approve or reject: the approver role, the version the person saw, one service call, then the next invoice."""
    _require(roles.can_approve(request.user), f"{doing} invoices needs the Approver role.")
    get_object_or_404(Invoice.objects.only("pk"), pk=invoice_id)
    version = _version(request)
    if version is None:
        messages.error(request, f"The {decision} did not say which version you saw; reload and try again.")
        return redirect("invoice-review", invoice_id=invoice_id)
    try:
        invoice = decide(invoice_id=invoice_id, user=request.user, expected_version=version, **kwargs)
    except (StaleInvoice, InvalidTransition) as exc:
        messages.error(request, f"Not {done.lower()}. {exc}")
        return redirect("invoice-review", invoice_id=invoice_id)
    return _decided(request, invoice, done)


@login_required
@require_POST
def invoice_approve_view(request, invoice_id):
    return _decide(request, invoice_id, doing="Approving", decision="approval", done="Approved", decide=invoice_approve,
                   note=request.POST.get("note", "")[:2000])


@login_required
@require_POST
def invoice_reject_view(request, invoice_id):
    return _decide(request, invoice_id, doing="Rejecting", decision="rejection", done="Rejected", decide=invoice_reject,
                   reason=request.POST.get("reason", "")[:2000])


@login_required
@require_POST
def invoice_reprocess_view(request, invoice_id):
    _require(roles.can_reprocess(request.user), "Reprocessing invoices needs the Admin role.")
    get_object_or_404(Invoice.objects.only("pk"), pk=invoice_id)
    try:
        invoice_reprocess(invoice_id=invoice_id, user=request.user, reason=request.POST.get("reason", "")[:2000])
    except InvalidTransition as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Reprocessing started: the fields will be read again from the original file.")
    return redirect("invoice-review", invoice_id=invoice_id)


@login_required
@require_POST
def invoice_not_duplicate(request, invoice_id, other_id):
    _require(roles.can_review(request.user), "Deciding about duplicates needs the Reviewer role.")
    get_object_or_404(Invoice.objects.only("pk"), pk=invoice_id)
    try:
        invoice_dismiss_duplicate(invoice_id=invoice_id, other_id=other_id, user=request.user)
    except (InvalidTransition, Invoice.DoesNotExist) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Marked as not a duplicate.")
    return redirect("invoice-review", invoice_id=invoice_id)


@login_required
@require_GET
def invoice_next(request, invoice_id):
    """The next invoice needing review after this one (Alt+N)."""
    _require_view(request.user)
    current = get_object_or_404(Invoice.objects.only("pk"), pk=invoice_id)
    following = selectors.next_for_review(after=current)
    if following is None:
        messages.info(request, "No other invoice needs review.")
        return redirect(_queue_url())
    return redirect("invoice-review", invoice_id=following.pk)


@login_required
@require_GET
def invoice_page_image(request, invoice_id, page: int):
    _require_view(request.user)
    name = selectors.invoice_page_image_name(invoice_id, page)
    if name is None:
        raise Http404("This invoice has no such page image.")
    try:
        handle = storage.processed_storage().open(name, "rb")
    except FileNotFoundError:
        raise Http404("The page image is missing from storage.") from None
    response = FileResponse(handle, content_type="image/webp" if name.endswith(".webp") else None)
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@require_GET
def invoice_words(request, invoice_id):
    """The positioned words of the extraction result, for click-a-word-to-fill ({"words": null} if none)."""
    _require_view(request.user)
    get_object_or_404(Invoice.objects.only("pk"), pk=invoice_id)
    response = JsonResponse({"words": selectors.invoice_words(invoice_id)})
    response["Cache-Control"] = "private, max-age=60"
    return response


@require_POST
def invoice_presence(request, invoice_id):
    """Heartbeat from an open review page: returns who else has it open, and whether it changed meanwhile."""
    if not request.user.is_authenticated:
        # Signed out meanwhile (session expired): send the whole page to the login, not into the presence box.
        login = f"{resolve_url(settings.LOGIN_URL)}?next={reverse('invoice-review', args=[invoice_id])}"
        return HttpResponseClientRedirect(login) if request.htmx else redirect_to_login(request.get_full_path())
    _require_view(request.user)
    current_version = selectors.invoice_version(invoice_id)
    if current_version is None:
        raise Http404("There is no invoice with this id.")
    if request.POST.get("leave") == "1":
        presence.presence_leave(invoice_id=invoice_id, user=request.user)
        return HttpResponse(status=204)
    viewers = presence.presence_heartbeat(invoice_id=invoice_id, user=request.user,
                                          editing=request.POST.get("editing") == "1")
    try:
        seen = int(request.POST.get("version", ""))
    except ValueError:
        seen = current_version
    return render(request, "review/_presence.html", {
        "viewers": viewers, "changed": current_version != seen, "current_version": current_version,
    })
