"""The review screen in headless Chromium against a live server: keyboard-only correction and approval, the next
invoice opening, click-a-word-to-fill, a stale save from a second browser refused, and a reviewer who cannot
approve. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from invoices.models import AuditEvent, Invoice, InvoiceField, Status
from tests.factories import DEFAULT_FIELDS

from .conftest import logged_in, make_review_invoice, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOW_TOTAL = {**DEFAULT_FIELDS, "total": ("118.00", 41.0)}
LINES = [
    {"description": "A4 copy paper", "quantity": "2", "unit_price": "25.00", "amount": "50.00"},
    {"description": "Toner cartridge", "quantity": "1", "unit_price": "50.00", "amount": "50.00"},
]


def _url(live_server, invoice) -> str:
    return f"{live_server.url}/invoices/{invoice.pk}/"


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_correct_with_the_keyboard_approve_and_the_next_invoice_opens(live_server, page, approver):
    invoice = make_review_invoice(fields=LOW_TOTAL, line_items=LINES, printed={"total": "119.00"},
                                  invoice_number="INV-1001")
    following = make_review_invoice(fields={**DEFAULT_FIELDS, "invoice_number": ("INV-2002", 70.0)})
    logged_in(page, live_server, approver, next_path=f"/invoices/{invoice.pk}/")

    # The page opens on the field needing attention, with its box drawn on the page image.
    expect(page.locator("#f-total")).to_be_focused()
    expect(page.locator(".frow.needs[data-field=total]")).to_contain_text("low confidence 41%")
    # For screen readers: the label names the field; the badge (in words, not colour) describes it.
    expect(page.locator("#f-total")).to_have_accessible_name("Total")
    expect(page.locator("#f-total")).to_have_accessible_description(re.compile(r"low confidence 41%"))
    expect(page.locator("#doc .overlay .hl")).to_have_count(1)
    expect(page.locator("#sum-lines")).to_have_text("100.00")
    expect(page.locator("#sum-vs-subtotal")).to_contain_text("matches subtotal 100.00")
    page.wait_for_function("document.querySelector('#doc img').naturalWidth > 0")
    screenshot(page, "review-1-opened")

    # Keyboard only: replace the value, Enter goes on (no field left: to Approve), Alt+S saves.
    page.keyboard.press("Control+a")
    page.keyboard.type("119.00")
    page.keyboard.press("Enter")
    assert _focused_id(page) == "btn-approve"
    with page.expect_navigation():
        page.keyboard.press("Alt+s")
    expect(page.locator(".messages")).to_contain_text("Saved: corrected Total.")
    history = page.locator(".history-table tbody tr").first
    expect(history).to_contain_text("Field corrected · total")
    expect(history).to_contain_text("118.00")
    expect(history).to_contain_text("119.00")
    expect(history).to_contain_text(approver.get_username())
    expect(page.locator(".frow[data-field=total] .badge-person")).to_contain_text("confirmed by alex")
    page.wait_for_function("document.querySelector('#doc img').naturalWidth > 0")
    screenshot(page, "review-2-saved")
    field = InvoiceField.objects.get(invoice=invoice, name="total")
    assert (field.value, field.source, field.confidence) == ("119.00", "person", 100.0)

    # Alt+A approves; the next invoice needing review opens.
    with page.expect_navigation():
        page.keyboard.press("Alt+a")
    expect(page).to_have_url(re.compile(rf"/invoices/{following.pk}/$"))
    expect(page.locator(".messages")).to_contain_text("Approved INV-1001")
    expect(page.locator("h1")).to_contain_text("INV-2002")
    invoice.refresh_from_db()
    assert invoice.status == Status.APPROVED and invoice.decided_by == approver
    screenshot(page, "review-3-next-invoice")

    # The approval is in the first invoice's history.
    page.goto(_url(live_server, invoice))
    expect(page.locator(".history-table")).to_contain_text("Approved")
    expect(page.locator("#btn-approve")).to_have_count(0)  # decided: nothing more to approve


def test_clicking_a_word_fills_the_focused_field(live_server, page, reviewer):
    invoice = make_review_invoice(fields=LOW_TOTAL, printed={"total": "119.00"})
    logged_in(page, live_server, reviewer, next_path=f"/invoices/{invoice.pk}/")
    expect(page.locator("#f-total")).to_be_focused()
    word = page.locator('#doc .overlay .w[data-text="119.00"]')
    expect(word).to_have_count(1)
    word.click()
    expect(page.locator("#f-total")).to_have_value("119.00")
    expect(page.locator("#f-total")).to_be_focused()
    # Shift+click adds a word: the vendor's two words make its name.
    page.locator("#f-vendor_name").focus()
    page.locator("#f-vendor_name").fill("")
    page.locator('#doc .overlay .w[data-text="Northwind"]').click()
    page.locator('#doc .overlay .w[data-text="Traders"]').click(modifiers=["Shift"])
    expect(page.locator("#f-vendor_name")).to_have_value("Northwind Traders")
    expect(page.locator("#words-note")).to_contain_text("Click a word")


def test_page_without_words_or_images_still_works(live_server, page, reviewer, make_invoice):
    no_words = make_review_invoice(fields=LOW_TOTAL, words=False)
    logged_in(page, live_server, reviewer, next_path=f"/invoices/{no_words.pk}/")
    expect(page.locator("#words-note")).to_contain_text("Word picking is not available")
    expect(page.locator("#f-total")).to_be_focused()
    no_images = make_invoice(fields=LOW_TOTAL)
    page.goto(_url(live_server, no_images))
    expect(page.locator(".doc-missing")).to_contain_text("No page images for this invoice")
    expect(page.locator(".doc-missing a").first).to_have_attribute("href", f"/invoices/{no_images.pk}/original")
    screenshot(page, "review-4-no-images")


def test_stale_save_from_a_second_browser_is_refused(live_server, new_page, reviewer, approver):
    invoice = make_review_invoice(fields=LOW_TOTAL, line_items=LINES)
    first = logged_in(new_page(), live_server, reviewer, next_path=f"/invoices/{invoice.pk}/")
    second = logged_in(new_page(), live_server, approver, next_path=f"/invoices/{invoice.pk}/")
    # Each sees the other (heartbeat on load; the first learns on its next one).
    expect(second.locator("#presence")).to_contain_text("Also open by rita")

    second.locator("#f-total").fill("120.00")
    with second.expect_navigation():
        second.keyboard.press("Alt+s")
    expect(second.locator(".messages")).to_contain_text("Saved")

    first.locator("#f-total").fill("119.00")
    with first.expect_navigation():
        first.keyboard.press("Alt+s")
    expect(first.locator("#conflict")).to_contain_text("Someone else saved this invoice in the meantime")
    expect(first.locator("#f-total")).to_have_value("120.00")
    expect(first.locator("#f-total")).to_be_focused()  # where their value differs from the newer one
    expect(first.locator(".frow[data-field=total] .fmine")).to_contain_text("Your value: 119.00")
    screenshot(first, "review-5-stale-save")
    assert InvoiceField.objects.get(invoice=invoice, name="total").value == "120.00"

    # Their own value can be taken again and saved on top of the newer version, knowingly.
    first.locator(".frow[data-field=total] .use-mine").click()
    expect(first.locator("#f-total")).to_have_value("119.00")
    with first.expect_navigation():
        first.keyboard.press("Alt+s")
    expect(first.locator(".messages")).to_contain_text("Saved: corrected Total.")
    assert InvoiceField.objects.get(invoice=invoice, name="total").value == "119.00"


def test_reviewer_without_approver_role_cannot_approve(live_server, page, reviewer):
    invoice = make_review_invoice(fields=LOW_TOTAL)
    logged_in(page, live_server, reviewer, next_path=f"/invoices/{invoice.pk}/")
    expect(page.locator("#btn-approve")).to_have_count(0)
    expect(page.locator("#btn-save")).to_be_visible()
    page.keyboard.press("Alt+a")  # the shortcut does nothing without the button
    # A forged approval from this signed-in browser is refused by the server.
    status = page.evaluate(
        """async (url) => {
            const body = new FormData();
            body.append("csrfmiddlewaretoken", document.querySelector("[name=csrfmiddlewaretoken]").value);
            body.append("version", document.getElementById("review").dataset.version);
            const r = await fetch(url, {method: "POST", body, credentials: "same-origin", redirect: "manual"});
            return r.status;
        }""",
        f"/invoices/{invoice.pk}/approve",
    )
    assert status == 403
    assert Invoice.objects.get(pk=invoice.pk).status == Status.NEEDS_REVIEW
    assert not AuditEvent.objects.filter(invoice=invoice, action=AuditEvent.Action.APPROVED).exists()


def test_reject_asks_for_a_reason_in_a_dialog(live_server, page, approver):
    invoice = make_review_invoice()
    logged_in(page, live_server, approver, next_path=f"/invoices/{invoice.pk}/")
    page.keyboard.press("Alt+r")
    dialog = page.locator("#reject-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#reject-reason")).to_be_focused()
    page.keyboard.press("Enter")  # in the textarea: a new line, not a submit
    page.locator("#reject-dialog button[type=submit]").click()
    expect(page.locator("#reject-error")).to_be_visible()
    page.locator("#reject-reason").fill("Not addressed to us")
    with page.expect_navigation():
        page.locator("#reject-dialog button[type=submit]").click()
    invoice.refresh_from_db()
    assert (invoice.status, invoice.rejection_reason) == (Status.REJECTED, "Not addressed to us")


def test_line_items_add_remove_and_live_sum(live_server, page, reviewer):
    invoice = make_review_invoice(line_items=LINES)
    logged_in(page, live_server, reviewer, next_path=f"/invoices/{invoice.pk}/")
    expect(page.locator("#sum-vs-subtotal")).to_contain_text("matches subtotal")
    page.keyboard.press("Alt+l")
    row = page.locator("#lines-body tr").nth(2)
    expect(row.locator("input").first).to_be_focused()
    page.keyboard.type("Delivery")
    for value in ("1", "5.00", "5.00"):
        page.keyboard.press("Tab")
        page.keyboard.type(value)
    expect(page.locator("#sum-lines")).to_have_text("105.00")
    expect(page.locator("#sum-vs-subtotal")).to_contain_text("differs by 5.00")
    page.locator("#lines-body tr").nth(0).locator(".li-remove").click()
    expect(page.locator("#sum-lines")).to_have_text("55.00")
    with page.expect_navigation():
        page.keyboard.press("Alt+s")
    expect(page.locator(".messages")).to_contain_text("line items updated")
    assert list(invoice.line_items.order_by("position").values_list("description", flat=True)) == [
        "Toner cartridge", "Delivery"]


@pytest.mark.slow
def test_generated_invoice_through_the_real_pipeline(live_server, page, approver):
    """The project's own generator and pipeline (eager tasks): real page images, boxes and, where the engine
    stores them, words. Screenshots of what a reviewer sees on a real document."""
    from invoices.models import Channel
    from invoices.services import invoice_intake
    from pipeline.generator.demo import demo_invoice_set

    chosen = [d for d in demo_invoice_set() if d.name.endswith(".pdf") and "scan" not in d.name][:3]
    for demo in chosen:
        outcome = invoice_intake(file=demo.data, name=demo.name, channel=Channel.DEMO, uploaded_by=approver)
        assert outcome.ok, outcome.message
    invoices = Invoice.objects.filter(channel=Channel.DEMO)
    assert invoices.count() == len(chosen)
    assert all(i.page_images for i in invoices), [i.status_reason for i in invoices]
    target = invoices.filter(status__in=[Status.NEEDS_REVIEW, Status.READY]).order_by("min_confidence").first() \
        or invoices.first()
    logged_in(page, live_server, approver, next_path=f"/invoices/{target.pk}/")
    page.wait_for_function("document.querySelector('#doc img') && document.querySelector('#doc img').naturalWidth > 0")
    page.locator("#f-total").focus()
    if InvoiceField.objects.filter(invoice=target, name="total", bbox__isnull=False).exists():
        expect(page.locator("#doc .overlay .hl")).to_have_count(1)
    expect(page.locator("#f-invoice_number")).not_to_have_value("")
    page.wait_for_timeout(400)  # the smooth scroll to the box (for the screenshot only; nothing is asserted on it)
    screenshot(page, "review-6-generated-invoice")
    page.keyboard.press("Alt+=")
    expect(page.locator("#zoom-label")).to_have_text("125%")
    screenshot(page, "review-7-generated-zoomed")


def test_enter_confirms_an_unchanged_field_and_moves_to_the_next_needing_attention(live_server, page, reviewer):
    fields = {**DEFAULT_FIELDS, "invoice_date": ("2025-03-14", 55.0), "total": ("119.00", 41.0)}
    invoice = make_review_invoice(fields=fields)
    logged_in(page, live_server, reviewer, next_path=f"/invoices/{invoice.pk}/")
    expect(page.locator("#f-invoice_date")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#f-total")).to_be_focused()
    expect(page.locator(".frow[data-field=invoice_date]")).to_have_class(re.compile(r"\bdone\b"))
    expect(page.locator("input[name=confirm_invoice_date]")).to_be_checked()
    page.keyboard.press("Shift+Enter")
    expect(page.locator("#f-invoice_date")).to_be_focused()
    page.keyboard.press("Tab")  # fields needing attention come first: Tab reaches the next one too
    expect(page.locator("#f-total")).to_be_focused()
    page.keyboard.press("Enter")
    assert _focused_id(page) == "btn-save"  # nothing left needing attention; no approve button for a reviewer
    with page.expect_navigation():
        page.keyboard.press("Alt+s")
    expect(page.locator(".messages")).to_contain_text("Saved: confirmed Invoice date, Total.")
    assert set(InvoiceField.objects.filter(invoice=invoice, source="person").values_list("name", flat=True)) == {
        "invoice_date", "total"}


def test_pages_shortcuts_and_unsaved_changes_block_approval(live_server, page, approver):
    invoice = make_review_invoice(fields=LOW_TOTAL, pages=2)
    logged_in(page, live_server, approver, next_path=f"/invoices/{invoice.pk}/")
    expect(page.locator("#page-label")).to_have_text("Page 1 of 2")
    page.locator("#zoom-in").focus()
    page.keyboard.press("Alt+PageDown")
    expect(page.locator("#page-current")).to_have_text("2")
    expect(page.locator('#doc .page[data-page="2"]')).to_be_visible()
    page.locator("#f-total").focus()  # its box is on page 1: the view goes back there
    expect(page.locator("#page-current")).to_have_text("1")
    page.keyboard.type("9")
    page.keyboard.press("Alt+a")
    expect(page.locator("#js-alert")).to_contain_text("Save your changes first")
    assert Invoice.objects.get(pk=invoice.pk).status == Status.NEEDS_REVIEW
