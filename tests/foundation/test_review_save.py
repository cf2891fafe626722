"""invoice_review_save: a review screen's save of fields and line items is one change, both or neither."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invoices.models import AuditEvent, Status
from invoices.services import InvalidFields, StaleInvoice, invoice_review_save

pytestmark = pytest.mark.django_db


def test_fields_and_line_items_are_saved_together(make_invoice, reviewer):
    invoice = make_invoice(status=Status.NEEDS_REVIEW)
    saved = invoice_review_save(invoice_id=invoice.pk, changes={"total": "120.50"}, user=reviewer,
                                items=[{"description": "Paper", "quantity": "2", "unit_price": "60.25",
                                        "amount": "120.50"}], expected_version=invoice.version)
    assert [c.field for c in saved.changes] == ["total"] and saved.line_items_changed
    saved.invoice.refresh_from_db()
    assert saved.invoice.total == Decimal("120.50")
    assert [i.description for i in saved.invoice.line_items.all()] == ["Paper"]
    actions = set(AuditEvent.objects.filter(invoice=invoice).values_list("action", flat=True))
    assert {AuditEvent.Action.FIELD_CORRECTED, AuditEvent.Action.LINE_ITEMS_CHANGED} <= actions


def test_a_bad_line_item_keeps_the_field_correction_out_too(make_invoice, reviewer):
    invoice = make_invoice(status=Status.NEEDS_REVIEW, fields={"total": ("99.00", 40.0)})
    with pytest.raises(InvalidFields):
        invoice_review_save(invoice_id=invoice.pk, changes={"total": "120.50"}, user=reviewer,
                            items=[{"description": "Paper", "amount": "a lot"}], expected_version=invoice.version)
    invoice.refresh_from_db()
    assert invoice.fields.get(name="total").value == "99.00"
    assert not AuditEvent.objects.filter(invoice=invoice, action=AuditEvent.Action.FIELD_CORRECTED).exists()


def test_a_stale_version_changes_nothing(make_invoice, reviewer):
    invoice = make_invoice(status=Status.NEEDS_REVIEW)
    with pytest.raises(StaleInvoice):
        invoice_review_save(invoice_id=invoice.pk, changes={"total": "1.00"}, items=None, user=reviewer,
                            expected_version=invoice.version - 1)
    invoice.refresh_from_db()
    assert invoice.total != Decimal("1.00")
