"""Absolute links for emails (``SITE_URL``), to the screens people act on."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse

# The review screens name their URLs; the first name that exists wins. The admin's page always exists.
INVOICE_URL_NAMES = ("invoice-review", "invoice-detail", "review:invoice", "invoice")
QUEUE_URL_NAMES = ("queue", "review-queue", "review:queue", "invoice-list")


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def invoice_link(invoice_id) -> str:
    for name in INVOICE_URL_NAMES:
        try:
            return absolute(reverse(name, args=[invoice_id]))
        except NoReverseMatch:
            continue
    return absolute(reverse("admin:invoices_invoice_change", args=[invoice_id]))


def queue_link(status: str = "") -> str:
    for name in QUEUE_URL_NAMES:
        try:
            path = reverse(name)
        except NoReverseMatch:
            continue
        return absolute(f"{path}?status={status}" if status else path)
    return absolute(reverse("admin:invoices_invoice_changelist") + (f"?status__exact={status}" if status else ""))


def preferences_link() -> str:
    return absolute(reverse("notification-preferences"))
