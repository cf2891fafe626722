"""Admin pages of the pipeline app: every email with its delivery state, preferences, and the outbox backlog.

(invoices/admin.py belongs to the domain; the outbox appears here as a proxy, read-only, with a retry action.)
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.html import format_html

from .models import Notification, NotificationPreference, OutboxDelivery
from .notify.services import notification_resend
from .sync.outbox import outbox_retry_now


class PendingFilter(admin.SimpleListFilter):
    title = "delivery"
    parameter_name = "delivery"

    def lookups(self, request, model_admin):
        return [("pending", "Waiting"), ("failing", "Failing (retrying)"), ("done", "Delivered")]

    def queryset(self, request, queryset):
        pending = Q(dynamodb_done_at__isnull=True) | Q(sns_done_at__isnull=True)
        if self.value() == "pending":
            return queryset.filter(pending)
        if self.value() == "failing":
            return queryset.filter(pending, attempts__gt=0)
        if self.value() == "done":
            return queryset.exclude(pending)
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "to_email", "subject", "state_badge", "attempts", "sent_at",
                    "short_error")
    list_filter = ("state", "kind", "created_at")
    search_fields = ("to_email", "subject", "recipient__username", "invoice__invoice_number", "last_error")
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)
    actions = ["send_again"]
    readonly_fields = [f.name for f in Notification._meta.fields] + ["html_preview"]
    fieldsets = [
        (None, {"fields": ("kind", "state", "recipient", "to_email", "subject", "invoice", "event",
                           "invoice_count")}),
        ("Delivery", {"fields": ("attempts", "last_error", "last_attempt_at", "next_attempt_at", "sent_at",
                                 "created_at", "dedupe_key")}),
        ("Content", {"fields": ("body_text", "html_preview")}),
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="state", ordering="state")
    def state_badge(self, obj):
        colour = {"sent": "#2f7d4f", "failed": "#b42318", "queued": "#9a6700"}.get(obj.state, "#616e7c")
        label = obj.get_state_display()
        if obj.state == Notification.State.QUEUED and obj.attempts:
            label = f"Retrying ({obj.attempts} failed)"
        return format_html('<strong style="color:{}">{}</strong>', colour, label)

    @admin.display(description="last error")
    def short_error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    @admin.display(description="HTML")
    def html_preview(self, obj):
        if not obj.body_html:
            return "—"
        return format_html('<iframe sandbox srcdoc="{}" style="width:100%;height:480px;border:1px solid #ccc">'
                           "</iframe>", obj.body_html)

    @admin.action(description="Send again", permissions=["send_again"])
    def send_again(self, request, queryset):
        count = notification_resend(notification_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} email(s) queued to be sent again.", messages.SUCCESS)

    def has_send_again_permission(self, request):
        return request.user.has_perm("pipeline.change_notification")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "review_digest", "my_uploads_failed", "any_failed", "my_uploads_approved",
                    "my_uploads_rejected", "digest_sent_until")
    list_filter = ("review_digest", "any_failed")
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
    readonly_fields = ("digest_sent_until", "updated_at")
    raw_id_fields = ("user",)


@admin.register(OutboxDelivery)
class OutboxDeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "occurred_at", "event_type", "invoice_id", "invoice_version", "status", "dynamodb_done_at",
                    "sns_done_at", "attempts", "next_attempt_at", "short_error")
    list_filter = (PendingFilter, "event_type")
    search_fields = ("=invoice__id", "last_error")
    date_hierarchy = "occurred_at"
    actions = ["retry_now"]
    readonly_fields = [f.name for f in OutboxDelivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="last error")
    def short_error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    @admin.action(description="Retry delivery now", permissions=["retry_now"])
    def retry_now(self, request, queryset):
        count = outbox_retry_now(event_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} waiting change(s) will be delivered on the next drain.", messages.SUCCESS)

    def has_retry_now_permission(self, request):
        return request.user.has_perm("invoices.change_outboxevent")
