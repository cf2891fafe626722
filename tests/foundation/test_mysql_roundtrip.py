"""The schema runs on MySQL/MariaDB: typed values come back exactly as written."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from invoices.models import AuditEvent, Invoice, InvoiceField, Vendor

pytestmark = pytest.mark.django_db


def test_round_trip_of_typed_columns_on_mariadb(make_invoice):
    assert connection.vendor == "mysql"
    vendor = Vendor.objects.create(name="Müller & Söhne GmbH", name_key="muller sohne")
    invoice = make_invoice(vendor=vendor, currency="EUR")
    Invoice.objects.filter(pk=invoice.pk).update(
        total=Decimal("1234567.8912"), invoice_date=date(2025, 3, 14), review_reasons=["Total uncertain (62 %)"],
        vendor_name="Müller & Söhne GmbH 🧾",
    )
    fresh = Invoice.objects.get(pk=invoice.pk)
    assert isinstance(fresh.pk, uuid.UUID)
    assert fresh.total == Decimal("1234567.8912")
    assert fresh.invoice_date == date(2025, 3, 14)
    assert fresh.review_reasons == ["Total uncertain (62 %)"]
    assert fresh.vendor_name.endswith("🧾")  # utf8mb4
    assert InvoiceField.objects.get(invoice=fresh, name="total").bbox == [0.1, 0.31, 0.2, 0.02]


def test_sha256_is_unique_in_the_database(make_invoice):
    invoice = make_invoice()
    clash = Invoice(**{f.attname: getattr(invoice, f.attname) for f in Invoice._meta.concrete_fields})
    clash.id = uuid.uuid4()
    with pytest.raises(IntegrityError), transaction.atomic():
        clash.save(force_insert=True)


def test_audit_rows_cannot_be_changed_or_deleted(make_invoice):
    from django.core.exceptions import ValidationError

    event = AuditEvent.objects.create(invoice=make_invoice(), actor_name="t", action="created")
    event.new_value = "tampered"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        AuditEvent.objects.filter(pk=event.pk).update(new_value="x")
    with pytest.raises(ValidationError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).new_value == ""
