"""Corrections, approval, rejection, reprocessing and duplicate dismissal: through the services, version-checked."""

from __future__ import annotations

import pytest

from invoices.models import AuditEvent, DuplicateDismissal, Invoice, InvoiceField, LineItem, OutboxEvent, Status

from .conftest import problem
from .helpers import etag, flag_duplicates, make_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer_api(client_for):
    return client_for("reviewer")


@pytest.fixture
def approver_api(client_for):
    return client_for("approver")


def snapshot(invoice: Invoice) -> dict:
    """Everything a write could change, to prove a refused one changed nothing."""
    invoice.refresh_from_db()
    return {
        "row": {f.attname: getattr(invoice, f.attname) for f in Invoice._meta.concrete_fields},
        "fields": sorted(InvoiceField.objects.filter(invoice=invoice).values_list("name", "value", "source",
                                                                                  "confidence")),
        "items": sorted(LineItem.objects.filter(invoice=invoice).values_list("position", "description", "amount")),
        "audit": AuditEvent.objects.filter(invoice=invoice).count(),
        "outbox": OutboxEvent.objects.filter(invoice=invoice).count(),
    }


def test_correction_saves_through_the_service_with_audit_and_a_new_etag(reviewer_api, reviewer):
    invoice = make_invoice(fields={"total": ("119.00", 60.0), "invoice_number": ("INV-1", 97.0)})
    response = reviewer_api.patch(f"/api/invoices/{invoice.pk}/", {"fields": {"total": "1,234.50"}},
                                  HTTP_IF_MATCH=etag(invoice))
    assert response.status_code == 200, response.content
    body = response.json()
    invoice.refresh_from_db()
    assert response["ETag"] == f'"{invoice.version}"' and body["version"] == invoice.version
    assert body["total"] == "1234.50" and body["fields"]["total"]["source"] == "person"
    assert body["fields"]["total"]["confidence"] == 100.0
    event = AuditEvent.objects.get(invoice=invoice, action="field_corrected")
    assert (event.actor, event.field, event.old_value, event.new_value) == (reviewer, "total", "119.00", "1234.50")
    assert OutboxEvent.objects.filter(invoice=invoice, event_type="corrected").exists()


def test_fields_and_line_items_change_together(reviewer_api):
    invoice = make_invoice()
    response = reviewer_api.patch(
        f"/api/invoices/{invoice.pk}/",
        {"fields": {"po_number": "PO-9"},
         "line_items": [{"description": "Toner", "quantity": "2", "unit_price": "50", "amount": "100"}]},
        HTTP_IF_MATCH=etag(invoice),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["fields"]["po_number"]["value"] == "PO-9"
    assert [(i["description"], i["amount"], i["source"]) for i in body["line_items"]] == [("Toner", "100.00", "person")]
    invoice.refresh_from_db()
    assert body["version"] == invoice.version and response["ETag"] == f'"{invoice.version}"'
    assert AuditEvent.objects.filter(invoice=invoice, action__in=["field_corrected", "line_items_changed"]).count() == 2


def test_stale_correction_is_refused_with_412_and_changes_nothing(reviewer_api, approver_api):
    invoice = make_invoice(fields={"total": ("119.00", 60.0)})
    old_etag = etag(invoice)
    # Someone else saves first.
    assert approver_api.patch(f"/api/invoices/{invoice.pk}/", {"fields": {"po_number": "PO-1"}},
                              HTTP_IF_MATCH=old_etag).status_code == 200
    before = snapshot(invoice)

    response = reviewer_api.patch(f"/api/invoices/{invoice.pk}/",
                                  {"fields": {"total": "999.00"}, "line_items": [{"description": "x", "amount": "1"}]},
                                  HTTP_IF_MATCH=old_etag)

    assert response.status_code == 412
    body = problem(response)
    assert body["type"].endswith("/api/problems/stale-version/")
    assert body["current_version"] == before["row"]["version"]
    assert response["ETag"] == f'"{before["row"]["version"]}"'
    assert body["current"]["fields"]["po_number"]["value"] == "PO-1"
    assert body["current"]["total"] == "119.00"
    assert snapshot(invoice) == before  # the row, fields, items, audit trail and outbox are untouched


def test_correction_without_if_match_is_refused_with_428(reviewer_api):
    invoice = make_invoice()
    before = snapshot(invoice)
    response = reviewer_api.patch(f"/api/invoices/{invoice.pk}/", {"fields": {"total": "1.00"}})
    assert response.status_code == 428
    body = problem(response)
    assert "If-Match" in body["detail"] and body["current_version"] == invoice.version
    assert snapshot(invoice) == before


@pytest.mark.parametrize("header", ["*", '"abc"', "", "W/"])
def test_if_match_that_names_no_version_is_refused(reviewer_api, header):
    invoice = make_invoice()
    before = snapshot(invoice)
    response = reviewer_api.patch(f"/api/invoices/{invoice.pk}/", {"fields": {"total": "1.00"}},
                                  HTTP_IF_MATCH=header)
    assert response.status_code in (412, 428)
    problem(response)
    assert snapshot(invoice) == before


def test_a_weak_etag_or_a_list_containing_the_current_one_is_accepted(reviewer_api):
    invoice = make_invoice()
    response = reviewer_api.patch(f"/api/invoices/{invoice.pk}/", {"fields": {"po_number": "A"}},
                                  HTTP_IF_MATCH=f'"99", W/"{invoice.version}"')
    assert response.status_code == 200


def test_unreadable_values_are_refused_per_field_and_nothing_is_saved(reviewer_api):
    invoice = make_invoice()
    before = snapshot(invoice)
    response = reviewer_api.patch(
        f"/api/invoices/{invoice.pk}/",
        {"fields": {"total": "a lot", "invoice_date": "14/03/2025", "currency": "EURO", "po_number": "OK-1"}},
        HTTP_IF_MATCH=etag(invoice),
    )
    assert response.status_code == 400
    errors = {e["field"]: e["detail"] for e in problem(response)["errors"]}
    assert set(errors) == {"fields.total", "fields.invoice_date", "fields.currency"}
    assert "YYYY-MM-DD" in errors["fields.invoice_date"] and "ISO 4217" in errors["fields.currency"]
    assert snapshot(invoice) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"fields": {"totl": "1"}}, "fields.totl"),
        ({"fieldz": {}}, "fieldz"),
        ({}, ""),
        ({"fields": {}}, "fields"),
        ({"line_items": [{"amount": 12.5}]}, "line_items[0].amount"),
        ({"line_items": [{"amount": "ten"}]}, "line_items[0].amount"),
        ({"line_items": [{"amount": "1e30"}]}, "line_items[0].amount"),
        ({"fields": {"total": ["1"]}}, "fields.total"),
        ({"fields": "total=1"}, "fields.non_field_errors"),
    ],
)
def test_malformed_corrections_name_the_member(reviewer_api, body, field):
    invoice = make_invoice()
    before = snapshot(invoice)
    response = reviewer_api.patch(f"/api/invoices/{invoice.pk}/", body, HTTP_IF_MATCH=etag(invoice))
    assert response.status_code == 400, response.content
    fields = [e["field"] for e in problem(response)["errors"]]
    assert field.replace(".non_field_errors", "") in fields, fields
    assert snapshot(invoice) == before


def test_corrections_of_an_approved_invoice_conflict(reviewer_api):
    invoice = make_invoice(status=Status.APPROVED)
    before = snapshot(invoice)
    response = reviewer_api.patch(f"/api/invoices/{invoice.pk}/", {"fields": {"total": "1.00"}},
                                  HTTP_IF_MATCH=etag(invoice))
    assert response.status_code == 409
    body = problem(response)
    assert body["type"].endswith("/invalid-transition/") and "approved" in body["detail"]
    assert snapshot(invoice) == before


def test_a_json_body_is_required_for_corrections(reviewer_api):
    invoice = make_invoice()
    response = reviewer_api.patch(f"/api/invoices/{invoice.pk}/", "total=1", content_type="text/plain",
                                  HTTP_IF_MATCH=etag(invoice))
    assert response.status_code == 415
    problem(response)


def test_approve(approver_api, approver):
    invoice = make_invoice(status=Status.READY)
    response = approver_api.post(f"/api/invoices/{invoice.pk}/approve/", {"note": "ok"}, HTTP_IF_MATCH=etag(invoice))
    assert response.status_code == 200, response.content
    invoice.refresh_from_db()
    assert invoice.status == Status.APPROVED and invoice.decided_by == approver
    assert response.json()["status"] == "approved" and response.json()["decided_by"] == approver.username
    assert AuditEvent.objects.filter(invoice=invoice, action="approved", actor=approver, new_value="ok").exists()


def test_stale_approval_is_refused_and_changes_nothing(approver_api, reviewer_api):
    invoice = make_invoice(status=Status.READY)
    old = etag(invoice)
    reviewer_api.patch(f"/api/invoices/{invoice.pk}/", {"fields": {"total": "5.00"}}, HTTP_IF_MATCH=old)
    before = snapshot(invoice)
    response = approver_api.post(f"/api/invoices/{invoice.pk}/approve/", {}, HTTP_IF_MATCH=old)
    assert response.status_code == 412
    assert problem(response)["current"]["total"] == "5.00"
    assert snapshot(invoice) == before


def test_approving_twice_conflicts(approver_api):
    invoice = make_invoice(status=Status.READY)
    assert approver_api.post(f"/api/invoices/{invoice.pk}/approve/", {}, HTTP_IF_MATCH=etag(invoice)).status_code == 200
    response = approver_api.post(f"/api/invoices/{invoice.pk}/approve/", {}, HTTP_IF_MATCH=etag(invoice))
    assert response.status_code == 409
    assert "already approved" in problem(response)["detail"]


def test_approving_an_invoice_still_being_processed_conflicts(approver_api):
    invoice = make_invoice(status=Status.EXTRACTING)
    before = snapshot(invoice)
    response = approver_api.post(f"/api/invoices/{invoice.pk}/approve/", {}, HTTP_IF_MATCH=etag(invoice))
    assert response.status_code == 409
    problem(response)
    assert snapshot(invoice) == before


def test_reject_needs_a_reason(approver_api, approver):
    invoice = make_invoice()
    response = approver_api.post(f"/api/invoices/{invoice.pk}/reject/", {"reason": "  "}, HTTP_IF_MATCH=etag(invoice))
    assert response.status_code == 400
    assert problem(response)["errors"][0]["field"] == "reason"
    response = approver_api.post(f"/api/invoices/{invoice.pk}/reject/", {"reason": "Not our order"},
                                 HTTP_IF_MATCH=etag(invoice))
    assert response.status_code == 200
    invoice.refresh_from_db()
    assert invoice.status == Status.REJECTED and invoice.rejection_reason == "Not our order"
    assert AuditEvent.objects.filter(invoice=invoice, action="rejected", actor=approver).exists()


def test_reprocess_sends_the_invoice_back_to_received(client_for, admin_user):
    invoice = make_invoice(status=Status.FAILED, status_reason="engine crashed")
    response = client_for("admin").post(f"/api/invoices/{invoice.pk}/reprocess/", {"reason": "fixed engine"})
    assert response.status_code == 202
    invoice.refresh_from_db()
    assert invoice.status == Status.RECEIVED and response.json()["status"] == "received"
    assert AuditEvent.objects.filter(invoice=invoice, action="reprocess_requested", actor=admin_user,
                                     new_value="fixed engine").exists()


def test_reprocess_while_being_processed_conflicts(client_for):
    invoice = make_invoice(status=Status.EXTRACTING)
    response = client_for("admin").post(f"/api/invoices/{invoice.pk}/reprocess/", {})
    assert response.status_code == 409
    assert "being processed" in problem(response)["detail"]


def test_not_duplicate_records_the_decision_both_ways(reviewer_api, reviewer):
    invoice = make_invoice()
    other = make_invoice(status=Status.APPROVED)
    flag_duplicates(invoice, other)
    response = reviewer_api.post(f"/api/invoices/{invoice.pk}/not-duplicate/", {"other": str(other.pk)})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["has_duplicates"] is False
    assert DuplicateDismissal.objects.filter(invoice=invoice, other=other, dismissed_by=reviewer).exists()
    assert DuplicateDismissal.objects.filter(invoice=other, other=invoice).exists()
    assert AuditEvent.objects.filter(invoice=invoice, action="duplicate_dismissed", actor=reviewer).count() == 1
    assert AuditEvent.objects.filter(invoice=other, action="duplicate_dismissed").count() == 1
    # Saying it again changes nothing.
    again = reviewer_api.post(f"/api/invoices/{invoice.pk}/not-duplicate/", {"other": str(other.pk)})
    assert again.status_code == 200
    assert AuditEvent.objects.filter(action="duplicate_dismissed").count() == 2


def test_not_duplicate_of_an_invoice_never_flagged_conflicts(reviewer_api):
    invoice, other = make_invoice(), make_invoice()
    response = reviewer_api.post(f"/api/invoices/{invoice.pk}/not-duplicate/", {"other": str(other.pk)})
    assert response.status_code == 409
    assert "not flagged" in problem(response)["detail"]
    assert not DuplicateDismissal.objects.exists()


def test_not_duplicate_of_a_missing_invoice_names_the_member(reviewer_api):
    invoice = make_invoice()
    response = reviewer_api.post(f"/api/invoices/{invoice.pk}/not-duplicate/",
                                 {"other": "00000000-0000-4000-8000-000000000000"})
    assert response.status_code == 400
    assert problem(response)["errors"][0]["field"] == "other"
