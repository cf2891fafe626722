"""The admin site: every model, for the people who run the system.

What must change through a service (status, field values, line items, the audit trail, the outbox) is read-only
here; the changes admins do make — reprocessing, dismissing duplicates, editing vendors — call the same services
as the screens and the API, so they are audited the same way. API tokens are created and revoked under
"Auth Token → Tokens" (Django REST framework's own admin).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from . import roles
from .models import (
    AuditEvent,
    DuplicateDismissal,
    IdempotencyKey,
    Invoice,
    InvoiceField,
    LineItem,
    OutboxEvent,
    ProcessingAttempt,
    RuleResult,
    Vendor,
)
from .services import invoices_reprocess, vendor_create, vendor_key, vendor_update
from .services.duplicates import flagged_duplicate_ids, invoice_dismiss_duplicate
from .services.workflow import InvalidTransition


# --- building blocks ------------------------------------------------------------------------------------------
class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record written only by the system: listed, searched and inspected, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def invoice_link(invoice: Invoice | None, label: str | None = None):
    if invoice is None:
        return "–"
    url = reverse("admin:invoices_invoice_change", args=[invoice.pk])
    return format_html('<a href="{}">{}</a>', url, label or invoice.invoice_number or invoice.original_name)


# --- invoices -------------------------------------------------------------------------------------------------
class FieldInline(ReadOnlyInline):
    model = InvoiceField
    fields = ("name", "value", "confidence", "source", "engine", "set_by", "page", "bbox", "updated_at")
    readonly_fields = fields


class LineItemInline(ReadOnlyInline):
    model = LineItem
    fields = ("position", "description", "quantity", "unit_price", "amount", "confidence", "source")
    readonly_fields = fields


class RuleResultInline(ReadOnlyInline):
    model = RuleResult
    fk_name = "invoice"
    fields = ("code", "severity", "passed", "message", "related_invoice")
    readonly_fields = fields


class AttemptInline(ReadOnlyInline):
    model = ProcessingAttempt
    fields = ("stage", "outcome", "started_at", "duration_ms", "engine", "pages_billed", "cost_usd", "error",
              "worker")
    readonly_fields = fields


class DismissalInline(ReadOnlyInline):
    model = DuplicateDismissal
    fk_name = "invoice"
    verbose_name = "marked not a duplicate of"
    verbose_name_plural = "marked not a duplicate of"
    fields = ("other", "dismissed_by", "created_at")
    readonly_fields = fields


class AuditInline(ReadOnlyInline):
    model = AuditEvent
    fk_name = "invoice"
    fields = ("created_at", "actor_name", "action", "field", "old_value", "new_value", "invoice_version")
    readonly_fields = fields
    ordering = ("-created_at", "-id")


class FailedRulesFilter(admin.SimpleListFilter):
    title = "business rules"
    parameter_name = "rules"

    def lookups(self, request, model_admin):
        return [("failed", "Some failed"), ("passed", "All passed")]

    def queryset(self, request, queryset):
        if self.value() == "failed":
            return queryset.filter(failed_rules__gt=0)
        if self.value() == "passed":
            return queryset.filter(failed_rules=0)
        return queryset


# Columns of the CSV export: (header, how to read it from an invoice).
EXPORT_COLUMNS = [
    ("id", lambda i: i.pk),
    ("status", lambda i: i.status),
    ("invoice_number", lambda i: i.invoice_number),
    ("invoice_date", lambda i: i.invoice_date),
    ("due_date", lambda i: i.due_date),
    ("vendor", lambda i: i.vendor.name if i.vendor_id else i.vendor_name),
    ("vendor_tax_id", lambda i: i.vendor_tax_id),
    ("customer_name", lambda i: i.customer_name),
    ("po_number", lambda i: i.po_number),
    ("currency", lambda i: i.currency),
    ("subtotal", lambda i: i.subtotal),
    ("tax", lambda i: i.tax),
    ("total", lambda i: i.total),
    ("amount_due", lambda i: i.amount_due),
    ("iban", lambda i: i.iban),
    ("min_confidence", lambda i: i.min_confidence),
    ("failed_rules", lambda i: i.failed_rules),
    ("has_duplicates", lambda i: i.has_duplicates),
    ("channel", lambda i: i.channel),
    ("original_name", lambda i: i.original_name),
    ("received_at", lambda i: i.created_at.isoformat()),
    ("updated_at", lambda i: i.updated_at.isoformat()),
    ("decided_by", lambda i: i.decided_by.get_username() if i.decided_by_id else ""),
    ("decided_at", lambda i: i.decided_at.isoformat() if i.decided_at else ""),
    ("rejection_reason", lambda i: i.rejection_reason),
]


def csv_cell(value) -> str:
    """A CSV cell that a spreadsheet shows as text: extracted text starting with = + - @ could run as a formula."""
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = (
        "display_number", "status", "vendor_display", "invoice_date", "due_date", "total", "currency", "confidence",
        "failed_rules", "has_duplicates", "channel", "created_at",
    )
    list_filter = ("status", "channel", "currency", "has_duplicates", FailedRulesFilter, "file_kind", "engine",
                   ("vendor", admin.RelatedOnlyFieldListFilter))
    search_fields = ("invoice_number", "vendor_name", "vendor__name", "original_name", "sha256", "po_number", "=id")
    date_hierarchy = "created_at"
    list_select_related = ("vendor",)
    list_per_page = 50
    ordering = ("-created_at",)
    actions = ("reprocess_selected", "mark_not_duplicate", "export_csv")
    inlines = (FieldInline, LineItemInline, RuleResultInline, DismissalInline, AttemptInline, AuditInline)
    readonly_fields = (
        "id", "status", "status_reason", "review_reasons", "version", "original_link", "result_link", "original_name",
        "sha256", "file_kind", "content_type", "size_bytes", "page_count", "channel", "uploaded_by", "created_at",
        "updated_at", "extracted_at", "routed_at", "processing_ms", "engine", "result_path", "min_confidence",
        "failed_rules", "has_duplicates", "decided_by", "decided_at", "rejection_reason", "correlation_id",
        "deleted_at", "invoice_number", "invoice_date", "due_date", "vendor", "vendor_name", "vendor_tax_id",
        "customer_name", "po_number", "currency", "subtotal", "tax", "total", "amount_due", "iban",
    )
    fieldsets = (
        ("Invoice", {"fields": ("invoice_number", "invoice_date", "due_date", "vendor", "vendor_name", "vendor_tax_id",
                                "customer_name", "po_number", "currency", "subtotal", "tax", "total", "amount_due",
                                "iban")}),
        ("Status", {"fields": ("status", "status_reason", "review_reasons", "version", "min_confidence",
                               "failed_rules", "has_duplicates", "decided_by", "decided_at", "rejection_reason",
                               "deleted_at")}),
        ("File", {"fields": ("original_link", "result_link", "original_name", "file_kind", "content_type",
                             "size_bytes", "page_count", "sha256", "channel", "uploaded_by")}),
        ("Processing", {"classes": ("collapse",), "fields": ("id", "engine", "result_path", "created_at", "updated_at",
                                                              "extracted_at", "routed_at", "processing_ms",
                                                              "correlation_id")}),
    )

    # Invoices arrive through intake (upload, API, S3, import) and change through the review screens and the API,
    # whose services check versions and write the audit trail: here they are inspected and acted on, not edited.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the audit trail must keep its invoice

    def has_reprocess_permission(self, request):
        return roles.can_reprocess(request.user)

    def has_review_permission(self, request):
        return roles.can_review(request.user)

    @admin.display(description="Number", ordering="invoice_number")
    def display_number(self, obj):
        return obj.invoice_number or f"({obj.original_name})"

    @admin.display(description="Vendor", ordering="vendor_name")
    def vendor_display(self, obj):
        return obj.vendor.name if obj.vendor_id else obj.vendor_name

    @admin.display(description="Confidence", ordering="min_confidence")
    def confidence(self, obj):
        return "–" if obj.min_confidence is None else f"{obj.min_confidence:.0f}%"

    @admin.display(description="Original file")
    def original_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("invoice-original", args=[obj.pk]), obj.original_name)

    @admin.display(description="Extraction result")
    def result_link(self, obj):
        if not obj.result_path:
            return "– (not extracted yet)"
        return format_html('<a href="{}">JSON</a>', reverse("api:invoice-result", args=[obj.pk]))

    @admin.action(description="Reprocess selected invoices (extract again from the original)",
                  permissions=["reprocess"])
    def reprocess_selected(self, request, queryset):
        queued, skipped = invoices_reprocess(invoice_ids=list(queryset.values_list("pk", flat=True)),
                                             user=request.user, reason="admin action")
        if queued:
            self.message_user(request, f"{queued} invoice(s) queued for reprocessing.", messages.SUCCESS)
        for message in skipped:
            self.message_user(request, f"Skipped {message}", messages.WARNING)

    @admin.action(description="Mark selected as not duplicates of the invoices they were flagged against",
                  permissions=["review"])
    def mark_not_duplicate(self, request, queryset):
        dismissed, nothing = 0, []
        for invoice in queryset:
            others = flagged_duplicate_ids(invoice)
            if not others:
                nothing.append(invoice.invoice_number or invoice.original_name)
                continue
            for other_id in others:
                try:
                    dismissed += invoice_dismiss_duplicate(invoice_id=invoice.pk, other_id=other_id, user=request.user)
                except (InvalidTransition, Invoice.DoesNotExist) as exc:
                    self.message_user(request, str(exc), messages.WARNING)
        if dismissed:
            self.message_user(request, f"{dismissed} pair(s) marked as not duplicates.", messages.SUCCESS)
        if nothing:
            self.message_user(request, f"Not flagged as possible duplicates: {', '.join(nothing)}.", messages.INFO)

    @admin.action(description="Export selected as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        rows = queryset.select_related("vendor", "decided_by").order_by("created_at", "id")

        def lines() -> Iterator[str]:
            writer = csv.writer(_Echo())
            yield "\ufeff" + writer.writerow([header for header, _ in EXPORT_COLUMNS])  # BOM: Excel reads UTF-8
            for invoice in rows.iterator(chunk_size=500):
                yield writer.writerow([csv_cell(read(invoice)) for _, read in EXPORT_COLUMNS])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="invoices-{timezone.now():%Y%m%d-%H%M%S}.csv"'
        return response


@admin.register(InvoiceField)
class InvoiceFieldAdmin(ReadOnlyAdmin):
    list_display = ("invoice_display", "name", "value", "confidence", "source", "engine", "set_by", "updated_at")
    list_filter = ("name", "source", "engine")
    search_fields = ("invoice__invoice_number", "value", "=invoice__id")
    list_select_related = ("invoice", "set_by")

    @admin.display(description="Invoice", ordering="invoice__invoice_number")
    def invoice_display(self, obj):
        return invoice_link(obj.invoice)


@admin.register(LineItem)
class LineItemAdmin(ReadOnlyAdmin):
    list_display = ("invoice_display", "position", "description", "quantity", "unit_price", "amount", "confidence",
                    "source")
    list_filter = ("source",)
    search_fields = ("invoice__invoice_number", "description", "=invoice__id")
    list_select_related = ("invoice",)

    @admin.display(description="Invoice", ordering="invoice__invoice_number")
    def invoice_display(self, obj):
        return invoice_link(obj.invoice)


@admin.register(RuleResult)
class RuleResultAdmin(ReadOnlyAdmin):
    list_display = ("invoice_display", "code", "severity", "passed", "message", "related_display", "created_at")
    list_filter = ("passed", "severity", "code")
    search_fields = ("invoice__invoice_number", "code", "message", "=invoice__id")
    date_hierarchy = "created_at"
    list_select_related = ("invoice", "related_invoice")

    @admin.display(description="Invoice", ordering="invoice__invoice_number")
    def invoice_display(self, obj):
        return invoice_link(obj.invoice)

    @admin.display(description="Related invoice")
    def related_display(self, obj):
        return invoice_link(obj.related_invoice)


@admin.register(ProcessingAttempt)
class ProcessingAttemptAdmin(ReadOnlyAdmin):
    list_display = ("invoice_display", "stage", "outcome", "started_at", "duration_ms", "engine", "pages_billed",
                    "cost_usd", "worker", "short_error")
    list_filter = ("stage", "outcome", "engine")
    search_fields = ("invoice__invoice_number", "task_id", "worker", "error", "=invoice__id")
    date_hierarchy = "started_at"
    list_select_related = ("invoice",)

    @admin.display(description="Invoice", ordering="invoice__invoice_number")
    def invoice_display(self, obj):
        return invoice_link(obj.invoice)

    @admin.display(description="Error")
    def short_error(self, obj):
        return (obj.error[:80] + "…") if len(obj.error) > 80 else obj.error


class DeliveryFilter(admin.SimpleListFilter):
    title = "delivery"
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [("pending", "Not yet delivered everywhere"), ("done", "Delivered"), ("failing", "Has errors")]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.filter(dynamodb_done_at__isnull=True) | queryset.filter(sns_done_at__isnull=True)
        if self.value() == "done":
            return queryset.filter(dynamodb_done_at__isnull=False, sns_done_at__isnull=False)
        if self.value() == "failing":
            return queryset.exclude(last_error="")
        return queryset


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "invoice_display", "event_type", "invoice_version", "status", "occurred_at", "actor_name",
                    "dynamodb_done_at", "sns_done_at", "attempts", "last_error")
    list_filter = ("event_type", DeliveryFilter, "status")
    search_fields = ("invoice__invoice_number", "actor_name", "last_error", "=invoice__id")
    date_hierarchy = "occurred_at"
    list_select_related = ("invoice",)

    @admin.display(description="Invoice", ordering="invoice__invoice_number")
    def invoice_display(self, obj):
        return invoice_link(obj.invoice)


@admin.register(DuplicateDismissal)
class DuplicateDismissalAdmin(ReadOnlyAdmin):
    """Recorded by "Mark not duplicate" (invoice list action, review screen or API); audited on both invoices."""

    list_display = ("invoice_display", "other_display", "dismissed_by", "created_at")
    search_fields = ("invoice__invoice_number", "other__invoice_number", "dismissed_by__username")
    date_hierarchy = "created_at"
    list_select_related = ("invoice", "other", "dismissed_by")

    @admin.display(description="Invoice")
    def invoice_display(self, obj):
        return invoice_link(obj.invoice)

    @admin.display(description="Not a duplicate of")
    def other_display(self, obj):
        return invoice_link(obj.other)


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(ReadOnlyAdmin):
    """API idempotency keys; deleting one lets its owner reuse the key for a new request."""

    list_display = ("key", "user", "response_status", "created_at")
    list_filter = ("response_status",)
    search_fields = ("key", "user__username")
    date_hierarchy = "created_at"
    list_select_related = ("user",)
    readonly_fields = ("user", "key", "request_hash", "response_status", "response_body", "created_at")

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("invoices.delete_idempotencykey")


# --- vendors and the audit trail ---------------------------------------------------------------------------------
class VendorAuditInline(ReadOnlyInline):
    model = AuditEvent
    fk_name = "vendor"
    fields = ("created_at", "actor_name", "field", "old_value", "new_value")
    readonly_fields = fields
    ordering = ("-created_at", "-id")
    verbose_name_plural = "changes"


class VendorForm(forms.ModelForm):
    class Meta:
        model = Vendor
        fields = ("name", "tax_id", "iban", "default_currency", "country")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        taken = Vendor.objects.filter(name_key=vendor_key(name)).exclude(pk=self.instance.pk).first()
        if taken is not None:
            raise forms.ValidationError(f"The vendor “{taken.name}” already has this name.")
        return name


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    form = VendorForm
    list_display = ("name", "tax_id", "iban", "default_currency", "country", "invoice_count", "updated_at")
    search_fields = ("name", "name_key", "tax_id", "iban")
    list_filter = ("default_currency", "country")
    date_hierarchy = "created_at"
    readonly_fields = ("name_key", "created_at", "updated_at")
    inlines = (VendorAuditInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(invoice_total=Count("invoices"))

    @admin.display(description="Invoices", ordering="invoice_total")
    def invoice_count(self, obj):
        return obj.invoice_total

    def has_delete_permission(self, request, obj=None):
        return False  # invoices and the audit trail refer to it

    def save_model(self, request, obj, form, change):
        """Through the vendor services, so every change is audited like one made through the API."""
        values = {name: form.cleaned_data[name] for name in VendorForm.Meta.fields if name != "name"}
        if change:
            current = Vendor.objects.get(pk=obj.pk)
            changed = {name: form.cleaned_data[name] for name in form.changed_data}
            saved = vendor_update(vendor=current, user=request.user, **changed)
        else:
            saved = vendor_create(name=form.cleaned_data["name"], user=request.user, **values)
        obj.pk = saved.pk
        obj.__dict__.update({f.attname: getattr(saved, f.attname) for f in Vendor._meta.concrete_fields})


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor_name", "action", "invoice_display", "vendor", "field", "old_value",
                    "new_value")
    list_filter = ("action", ("actor", admin.RelatedOnlyFieldListFilter))
    search_fields = ("invoice__invoice_number", "vendor__name", "actor_name", "field", "old_value", "new_value",
                     "=invoice__id")
    date_hierarchy = "created_at"
    list_select_related = ("invoice", "vendor")

    @admin.display(description="Invoice", ordering="invoice__invoice_number")
    def invoice_display(self, obj):
        return invoice_link(obj.invoice)
