"""The invoice review screen on the server: who may do what, saves through the services with the version, stale
saves refused with the newer values shown, and a page whose query count does not grow with its content."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from invoices.models import AuditEvent, Invoice, InvoiceField, RuleResult, Source, Status
from invoices.services import invoice_correct_fields
from review import presence
from tests.factories import DEFAULT_FIELDS

pytestmark = pytest.mark.django_db

LOW_TOTAL = {**DEFAULT_FIELDS, "total": ("118.00", 41.0)}


def _urls(invoice_id, other_id=None):
    other_id = other_id or uuid.uuid4()
    return {
        "review": ("get", reverse("invoice-review", args=[invoice_id])),
        "next": ("get", reverse("invoice-next", args=[invoice_id])),
        "page": ("get", reverse("invoice-page", args=[invoice_id, 1])),
        "words": ("get", reverse("invoice-words", args=[invoice_id])),
        "presence": ("post", reverse("invoice-presence", args=[invoice_id])),
        "save": ("post", reverse("invoice-save", args=[invoice_id])),
        "approve": ("post", reverse("invoice-approve", args=[invoice_id])),
        "reject": ("post", reverse("invoice-reject", args=[invoice_id])),
        "reprocess": ("post", reverse("invoice-reprocess", args=[invoice_id])),
        "not_duplicate": ("post", reverse("invoice-not-duplicate", args=[invoice_id, other_id])),
    }


# --- permissions ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(_urls(uuid.uuid4())))
def test_anonymous_is_sent_to_login(client, review_invoice, name):
    invoice = review_invoice()
    method, url = _urls(invoice.pk)[name]
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    invoice.refresh_from_db()
    assert invoice.status == Status.NEEDS_REVIEW


@pytest.mark.parametrize("name", list(_urls(uuid.uuid4())))
def test_user_without_a_role_gets_403(client_for, nobody, review_invoice, name):
    invoice = review_invoice()
    method, url = _urls(invoice.pk)[name]
    data = {"version": invoice.version, "reason": "x", "f_total": "1.00", "was_total": "119.00"}
    response = getattr(client_for(nobody), method)(url, data) if method == "post" else client_for(nobody).get(url)
    assert response.status_code == 403
    invoice.refresh_from_db()
    assert invoice.status == Status.NEEDS_REVIEW and invoice.total == Decimal("119.00")


@pytest.mark.parametrize("name", ["approve", "reject", "reprocess"])
def test_reviewer_cannot_decide_or_reprocess(client_for, reviewer, review_invoice, name):
    invoice = review_invoice()
    method, url = _urls(invoice.pk)[name]
    response = client_for(reviewer).post(url, {"version": invoice.version, "reason": "wrong vendor"})
    assert response.status_code == 403
    invoice.refresh_from_db()
    assert invoice.status == Status.NEEDS_REVIEW
    assert not AuditEvent.objects.filter(invoice=invoice, action__in=["approved", "rejected"]).exists()


def test_approver_only_cannot_correct(client_for, approver_only, review_invoice):
    invoice = review_invoice(fields=LOW_TOTAL)
    response = client_for(approver_only).post(reverse("invoice-save", args=[invoice.pk]), {
        "version": invoice.version, "f_total": "119.00", "was_total": "118.00"})
    assert response.status_code == 403
    assert InvoiceField.objects.get(invoice=invoice, name="total").value == "118.00"


def test_reviewer_sees_no_approve_button_and_fields_are_editable(client_for, reviewer, review_invoice):
    invoice = review_invoice(fields=LOW_TOTAL)
    html = client_for(reviewer).get(reverse("invoice-review", args=[invoice.pk])).content.decode()
    assert 'id="btn-approve"' not in html and 'id="btn-reject"' not in html
    assert 'id="btn-save"' in html
    total_input = html.split('id="f-total"')[1].split(">")[0]
    assert 'value="118.00"' in total_input and "readonly" not in total_input


def test_approver_only_sees_approve_but_read_only_fields(client_for, approver_only, review_invoice):
    invoice = review_invoice()
    html = client_for(approver_only).get(reverse("invoice-review", args=[invoice.pk])).content.decode()
    assert 'id="btn-approve"' in html
    assert 'id="btn-save"' not in html
    assert "readonly" in html


# --- the page shows what needs attention --------------------------------------------------------------------
def test_low_confidence_and_failed_rules_stand_out_in_words(client_for, reviewer, review_invoice):
    invoice = review_invoice(fields=LOW_TOTAL)
    RuleResult.objects.create(invoice=invoice, code="arithmetic.total", severity="error", passed=False,
                              message="Subtotal 100.00 + tax 19.00 is 119.00, not the total 118.00.",
                              fields=["subtotal", "tax", "total"])
    response = client_for(reviewer).get(reverse("invoice-review", args=[invoice.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "low confidence 41%" in html
    assert "Subtotal 100.00 + tax 19.00 is 119.00, not the total 118.00." in html
    attention = html.split("Needs attention")[1].split("Other fields")[0]
    assert 'id="f-total"' in attention and 'id="f-subtotal"' in attention
    assert 'id="f-invoice_number"' not in attention
    assert 'id="page-current">1</span> of 1' in html


def test_a_warning_is_shown_as_a_check_not_as_a_failure(client_for, reviewer, review_invoice):
    invoice = review_invoice()
    RuleResult.objects.create(invoice=invoice, code="arithmetic.amount_due", severity="warning", passed=False,
                              message="The amount due is less than the total.", fields=["amount_due"])
    html = client_for(reviewer).get(reverse("invoice-review", args=[invoice.pk])).content.decode()
    row = html.split('id="f-amount_due"')[1].split('class="frow')[0]
    assert "Check: The amount due is less than the total." in row
    assert "Failed check" not in row


def test_duplicate_warning_links_to_the_other_invoice_and_can_be_dismissed(client_for, reviewer, review_invoice):
    first = review_invoice()
    second = review_invoice()
    RuleResult.objects.create(invoice=second, code="duplicate.same_number", severity="error", passed=False,
                              message="Same vendor, number and amount as another invoice.", related_invoice=first)
    Invoice.objects.filter(pk=second.pk).update(has_duplicates=True)
    client = client_for(reviewer)
    html = client.get(reverse("invoice-review", args=[second.pk])).content.decode()
    assert "Possible duplicate" in html
    assert reverse("invoice-review", args=[first.pk]) in html
    response = client.post(reverse("invoice-not-duplicate", args=[second.pk, first.pk]))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(invoice=second, action=AuditEvent.Action.DUPLICATE_DISMISSED).exists()
    html = client.get(reverse("invoice-review", args=[second.pk])).content.decode()
    assert "Possible duplicate" not in html


def test_invoice_still_processing_or_failed_is_shown_read_only(client_for, admin_user, make_invoice):
    client = client_for(admin_user)
    received = make_invoice(status=Status.RECEIVED, fields={})
    html = client.get(reverse("invoice-review", args=[received.pk])).content.decode()
    assert "its fields can be changed once it is ready for review" in html
    assert 'id="btn-save"' not in html and 'id="btn-approve"' not in html
    assert "No page images for this invoice yet" in html
    failed = make_invoice(status=Status.FAILED, status_reason="The PDF is encrypted.")
    html = client.get(reverse("invoice-review", args=[failed.pk])).content.decode()
    assert "Processing failed." in html and "The PDF is encrypted." in html
    assert reverse("invoice-reprocess", args=[failed.pk]) in html


def test_missing_page_images_show_a_notice_and_the_original_link(client_for, reviewer, make_invoice):
    invoice = make_invoice()
    html = client_for(reviewer).get(reverse("invoice-review", args=[invoice.pk])).content.decode()
    assert "No page images for this invoice" in html
    assert reverse("invoice-original", args=[invoice.pk]) in html


def test_page_image_and_words_are_served(client_for, reviewer, review_invoice):
    invoice = review_invoice()
    client = client_for(reviewer)
    image = client.get(reverse("invoice-page", args=[invoice.pk, 1]))
    assert image.status_code == 200 and image["Content-Type"] == "image/webp"
    assert b"".join(image.streaming_content)[:4] == b"RIFF"
    assert client.get(reverse("invoice-page", args=[invoice.pk, 2])).status_code == 404
    words = client.get(reverse("invoice-words", args=[invoice.pk])).json()["words"]
    assert any(w["text"] == "119.00" and w["page"] == 1 and len(w["bbox"]) == 4 for w in words)


def test_words_absent_from_the_result_give_null(client_for, reviewer, review_invoice, make_invoice):
    scan_without_words = review_invoice(words=False)  # image-only PDF: no text layer to fall back on
    no_pages = make_invoice()
    client = client_for(reviewer)
    assert client.get(reverse("invoice-words", args=[scan_without_words.pk])).json() == {"words": None}
    assert client.get(reverse("invoice-words", args=[no_pages.pk])).json() == {"words": None}


def test_words_fall_back_to_the_pdf_text_layer(client_for, reviewer, make_invoice):
    invoice = make_invoice()  # a born-digital PDF, and a result without words
    Invoice.objects.filter(pk=invoice.pk).update(page_images=[f"pages/{invoice.pk}/1.webp"])
    words = client_for(reviewer).get(reverse("invoice-words", args=[invoice.pk])).json()["words"]
    total = [w for w in words if w["text"] == "4171.24"]
    assert len(total) == 1 and total[0]["page"] == 1
    left, top, width, height = total[0]["bbox"]
    assert 0 < left < 0.5 and 0.1 < top < 0.3 and 0 < width < 0.2 and 0 < height < 0.05


# --- saving -------------------------------------------------------------------------------------------------------
def test_reviewer_correction_is_saved_with_audit_and_shown_in_history(client_for, reviewer, review_invoice):
    invoice = review_invoice(fields=LOW_TOTAL)
    client = client_for(reviewer)
    response = client.post(reverse("invoice-save", args=[invoice.pk]), {
        "version": invoice.version, "f_total": "119,00", "was_total": "118.00",
        "f_invoice_number": "INV-1001", "was_invoice_number": "INV-1001"}, follow=True)
    assert response.status_code == 200
    field = InvoiceField.objects.get(invoice=invoice, name="total")
    assert (field.value, field.confidence, field.source, field.set_by) == ("119.00", 100.0, Source.PERSON, reviewer)
    # untouched fields are not confirmed behind the person's back
    assert InvoiceField.objects.get(invoice=invoice, name="invoice_number").source == Source.ENGINE
    event = AuditEvent.objects.get(invoice=invoice, action=AuditEvent.Action.FIELD_CORRECTED)
    assert (event.actor_name, event.field, event.old_value, event.new_value) == ("rita", "total", "118.00", "119.00")
    html = response.content.decode()
    assert "Saved: corrected Total." in html
    history = html.split('id="history-heading"')[1]
    assert "<del>118.00</del>" in history and "119.00" in history and "rita" in history


def test_confirming_an_unchanged_value(client_for, reviewer, review_invoice):
    invoice = review_invoice(fields=LOW_TOTAL)
    client_for(reviewer).post(reverse("invoice-save", args=[invoice.pk]), {
        "version": invoice.version, "f_total": "118.00", "was_total": "118.00", "confirm_total": "1"})
    field = InvoiceField.objects.get(invoice=invoice, name="total")
    assert (field.value, field.source, field.confidence) == ("118.00", Source.PERSON, 100.0)
    assert AuditEvent.objects.filter(invoice=invoice, action=AuditEvent.Action.FIELD_CONFIRMED, field="total").exists()


def test_line_items_are_replaced_through_the_service(client_for, reviewer, review_invoice):
    invoice = review_invoice(line_items=[{"description": "Paper", "quantity": 2, "unit_price": "50", "amount": "100"}])
    client_for(reviewer).post(reverse("invoice-save", args=[invoice.pk]), {
        "version": invoice.version, "li_dirty": "1",
        "li_description": ["Paper", "Toner"], "li_quantity": ["2", "1"],
        "li_unit_price": ["40.00", "20.00"], "li_amount": ["80.00", "20.00"]})
    items = list(invoice.line_items.order_by("position").values_list("description", "amount", "source"))
    assert items == [("Paper", Decimal("80.0000"), "person"), ("Toner", Decimal("20.0000"), "person")]
    assert AuditEvent.objects.filter(invoice=invoice, action=AuditEvent.Action.LINE_ITEMS_CHANGED).exists()


def test_invalid_value_keeps_what_was_typed_and_says_why(client_for, reviewer, review_invoice):
    invoice = review_invoice(fields=LOW_TOTAL)
    response = client_for(reviewer).post(reverse("invoice-save", args=[invoice.pk]), {
        "version": invoice.version, "f_total": "abc", "was_total": "118.00",
        "f_due_date": "31/02/2025", "was_due_date": "2025-04-13"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not an amount" in html and "is not a date" in html
    assert 'value="abc"' in html
    assert InvoiceField.objects.get(invoice=invoice, name="total").value == "118.00"


def test_stale_save_is_refused_and_shows_the_newer_values_beside_mine(client_for, reviewer, approver, review_invoice):
    invoice = review_invoice(fields=LOW_TOTAL)
    seen = invoice.version
    invoice_correct_fields(invoice_id=invoice.pk, changes={"total": "120.00"}, user=approver, expected_version=seen)
    response = client_for(reviewer).post(reverse("invoice-save", args=[invoice.pk]), {
        "version": seen, "f_total": "119.00", "was_total": "118.00"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this invoice in the meantime" in html
    assert 'value="120.00"' in html  # the newer value in the field
    assert "Your value: <q>119.00</q>" in html  # and mine beside it
    assert InvoiceField.objects.get(invoice=invoice, name="total").value == "120.00"  # nothing lost, nothing forced
    assert f'name="version" value="{Invoice.objects.get(pk=invoice.pk).version}"' in html


def test_stale_approval_is_refused(client_for, approver, review_invoice):
    invoice = review_invoice()
    seen = invoice.version
    invoice_correct_fields(invoice_id=invoice.pk, changes={"total": "120.00"}, user=approver, expected_version=seen)
    response = client_for(approver).post(reverse("invoice-approve", args=[invoice.pk]), {"version": seen},
                                         follow=True)
    invoice.refresh_from_db()
    assert invoice.status != Status.APPROVED
    assert "Not approved. Someone else saved this invoice" in response.content.decode()


# --- decisions -----------------------------------------------------------------------------------------------
def test_approver_approves_and_the_next_invoice_opens(client_for, approver, review_invoice):
    invoice = review_invoice()
    following = review_invoice(fields=LOW_TOTAL)
    response = client_for(approver).post(reverse("invoice-approve", args=[invoice.pk]),
                                         {"version": invoice.version})
    assert response.status_code == 302
    assert response["Location"] == reverse("invoice-review", args=[following.pk])
    invoice.refresh_from_db()
    assert invoice.status == Status.APPROVED and invoice.decided_by == approver


def test_last_approval_returns_to_the_queue(client_for, approver, review_invoice):
    invoice = review_invoice()
    response = client_for(approver).post(reverse("invoice-approve", args=[invoice.pk]),
                                         {"version": invoice.version})
    assert response.status_code == 302
    assert response["Location"] != reverse("invoice-review", args=[invoice.pk])


def test_reject_needs_a_reason(client_for, approver, review_invoice):
    invoice = review_invoice()
    client = client_for(approver)
    response = client.post(reverse("invoice-reject", args=[invoice.pk]), {"version": invoice.version, "reason": " "},
                           follow=True)
    invoice.refresh_from_db()
    assert invoice.status == Status.NEEDS_REVIEW
    assert "Give a reason for the rejection" in response.content.decode()
    client.post(reverse("invoice-reject", args=[invoice.pk]), {"version": invoice.version, "reason": "Not ours"})
    invoice.refresh_from_db()
    assert (invoice.status, invoice.rejection_reason) == (Status.REJECTED, "Not ours")


def test_admin_can_reprocess(client_for, admin_user, review_invoice, django_capture_on_commit_callbacks):
    invoice = review_invoice()
    with django_capture_on_commit_callbacks(execute=False):
        response = client_for(admin_user).post(reverse("invoice-reprocess", args=[invoice.pk]))
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == Status.RECEIVED
    assert AuditEvent.objects.filter(invoice=invoice, action=AuditEvent.Action.REPROCESS_REQUESTED).exists()


def test_next_skips_the_current_invoice(client_for, reviewer, review_invoice):
    current = review_invoice()
    other = review_invoice()
    response = client_for(reviewer).get(reverse("invoice-next", args=[current.pk]))
    assert response["Location"] == reverse("invoice-review", args=[other.pk])


# --- presence -----------------------------------------------------------------------------------------------------
def test_presence_shows_who_else_has_it_open_and_a_newer_version(client, reviewer, approver, review_invoice):
    invoice = review_invoice()
    url = reverse("invoice-presence", args=[invoice.pk])
    client.force_login(approver)
    html = client.post(url, {"version": invoice.version, "editing": "1"}).content.decode()
    assert "Also open by" not in html
    client.force_login(reviewer)
    html = client.post(url, {"version": invoice.version - 1}).content.decode()
    assert "Also open by <strong>alex</strong> (editing)" in html
    assert "Changed since you opened it" in html
    client.force_login(approver)
    assert client.post(url, {"leave": "1"}).status_code == 204
    assert [v.name for v in presence.presence_viewers(invoice_id=invoice.pk, user=reviewer)] == []


def test_presence_poll_after_sign_out_sends_the_page_to_login(client, review_invoice):
    invoice = review_invoice()
    response = client.post(reverse("invoice-presence", args=[invoice.pk]), {"version": 1}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith(reverse("login") + "?next=")
    assert str(invoice.pk) in response["HX-Redirect"]


# --- queries --------------------------------------------------------------------------------------------------------
def _page_queries(client, invoice) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("invoice-review", args=[invoice.pk]))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_review_page_queries_do_not_grow_with_content(client_for, reviewer, approver, review_invoice):
    small = review_invoice(line_items=[{"description": "a", "amount": "1"}])
    items = [{"description": f"item {i}", "quantity": 1, "unit_price": i, "amount": i} for i in range(1, 81)]
    every_field = {name: (f"{name} value", 60.0) for name in (
        "invoice_number", "vendor_name", "vendor_address", "customer_name", "po_number", "payment_terms")}
    big = review_invoice(fields={**DEFAULT_FIELDS, **every_field}, line_items=items)
    for n in range(6):  # person-set fields (who set them is shown) and a long history
        invoice_correct_fields(invoice_id=big.pk, changes={"po_number": f"PO-{n}"},
                               user=approver if n % 2 else reviewer, expected_version=Invoice.objects.get(pk=big.pk).version)
    for n in range(12):
        RuleResult.objects.create(invoice=big, code=f"rule{n}", severity="warning", passed=False, message=f"m{n}",
                                  fields=["total"])
    client = client_for(reviewer)
    _page_queries(client, small)  # warm up: per-process caches (content types, the nav's counts) fill once
    few = _page_queries(client, small)
    many = _page_queries(client, big)
    assert many == few
    assert many <= 14
