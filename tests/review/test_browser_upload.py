"""In headless Chromium: the upload page takes several files (chosen and dropped), shows each one's progress, the
reason a bad file is refused, and the statuses of the others as the pipeline moves them on; the queue filters in
place with HTMX. Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest

from invoices.models import Invoice, Status
from tests.factories import invoice_pdf, make_invoice
from tests.review.conftest import logged_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf_file(name: str, number: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": invoice_pdf(number=number)}


@pytest.fixture
def held_pipeline(monkeypatch):
    """Invoices taken in stay ``received`` until the test runs their pipeline (so the page can watch them move)."""
    queued: list[str] = []
    monkeypatch.setattr("pipeline.hooks.enqueue_extraction", lambda invoice_id: queued.append(str(invoice_id)))
    return queued


def test_upload_several_files_with_progress_refusals_and_live_status(live_server, page, reviewer, held_pipeline):
    from pipeline import tasks

    logged_in(page, live_server, reviewer, next_path="/upload/")
    assert page.get_by_role("heading", name="Upload invoices").is_visible()
    assert page.locator("[data-upload-button]").is_hidden()  # with script, files go up as soon as chosen

    page.set_input_files("#id_files", [
        pdf_file("first.pdf", "BRW-001"),
        pdf_file("second.pdf", "BRW-002"),
        {"name": "notes.pdf", "mimeType": "application/pdf", "buffer": b"just some text, renamed"},
    ])
    # And one dropped on the drop zone.
    drop = page.evaluate_handle("""() => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array([])], "empty.pdf", {type: "application/pdf"}));
        return dt; }""")
    page.dispatch_event("[data-dropzone]", "drop", {"dataTransfer": drop})

    rows = page.locator("tr.file-row")
    rows.nth(3).wait_for()
    assert rows.count() == 4
    refused = page.locator("tr.file-row[data-state=refused]")
    processing = page.locator("tr.file-row[data-state=processing]")
    page.wait_for_function("document.querySelectorAll('tr.file-row[data-state=refused]').length === 2")
    page.wait_for_function("document.querySelectorAll('tr.file-row[data-state=processing]').length === 2")
    notes = refused.filter(has_text="notes.pdf")
    assert "Refused: " in notes.inner_text() and "text file although its name ends in .pdf" in notes.inner_text()
    assert "The file is empty" in refused.filter(has_text="empty.pdf").inner_text()
    for i in range(2):
        row = processing.nth(i)
        assert row.locator("progress").get_attribute("value") == "100"
        assert "Uploaded" in row.inner_text() and "Received" in row.locator(".badge").inner_text()
    assert re.search(r"4 files .*2 processing .*2 refused", page.locator("[data-summary]").inner_text())
    screenshot(page, "upload-in-progress")

    assert len(held_pipeline) == 2
    for invoice_id in held_pipeline:  # the pipeline's real tasks, run here (eager), while the page polls
        tasks.extract_invoice.delay(invoice_id)
    page.wait_for_function("document.querySelectorAll('tr.file-row[data-state=processed]').length === 2",
                           timeout=20_000)
    routed = {str(i.pk): i for i in Invoice.objects.filter(pk__in=held_pipeline)}
    assert all(i.status not in (Status.RECEIVED, Status.EXTRACTING) for i in routed.values())
    for i in range(2):
        row = page.locator("tr.file-row[data-state=processed]").nth(i)
        href = row.get_by_role("link", name="Open").get_attribute("href")
        invoice = routed[next(pk for pk in routed if pk in href)]
        assert invoice.get_status_display() in row.locator(".badge").inner_text()
    assert "2 processed" in page.locator("[data-summary]").inner_text()
    screenshot(page, "upload-done", full_page=True)


def test_queue_filters_in_place_and_home_shows_the_figures(live_server, page, reviewer):
    for i in range(3):
        make_invoice(status=Status.NEEDS_REVIEW, fields={}, store_original=False, invoice_number=f"Q-{i}",
                     vendor_name="Acme" if i else "Globex", min_confidence=40.0 + i * 30, failed_rules=i)
    make_invoice(status=Status.READY, fields={}, store_original=False, invoice_number="R-1", vendor_name="Acme")
    logged_in(page, live_server, reviewer, next_path="/")
    assert page.get_by_role("heading", name="Overview").is_visible()
    assert page.locator("svg.chart[role=img]").is_visible()
    screenshot(page, "home")

    page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("^Queue")).click()
    page.wait_for_url(re.compile(r"/queue/$"))
    assert page.locator("a.row-link").count() == 4
    page.evaluate("window.__samePage = true")
    page.get_by_label("Search").fill("Globex")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_function("document.querySelectorAll('a.row-link').length === 1")
    assert page.evaluate("window.__samePage") is True  # swapped in by HTMX, not a full reload
    assert "q=Globex" in page.url  # and the URL says what is shown
    assert page.locator("a.row-link").inner_text() == "Q-0"
    with page.expect_navigation():
        page.get_by_role("link", name="Clear").click()
    page.wait_for_function("document.querySelectorAll('a.row-link').length === 4")
    page.get_by_label("Sort by").select_option("confidence")
    # R-1 was read with no confidence at all: it comes first once the change has been applied in place.
    page.wait_for_function("document.querySelector('a.row-link') && "
                           "document.querySelector('a.row-link').textContent === 'R-1'")
    assert page.locator("a.row-link").all_inner_texts() == ["R-1", "Q-0", "Q-1", "Q-2"]
    assert "sort=confidence" in page.url
    screenshot(page, "queue", full_page=True)


@pytest.mark.slow
def test_two_hundred_files_go_up_a_few_at_a_time(live_server, page, reviewer, held_pipeline):
    from tests.factories import png_bytes

    logged_in(page, live_server, reviewer, next_path="/upload/")
    # Count the upload requests in flight, to check the page never sends more than a few at once.
    page.evaluate("""() => {
        window.__inFlight = 0; window.__maxInFlight = 0;
        const send = XMLHttpRequest.prototype.send;
        XMLHttpRequest.prototype.send = function (body) {
            window.__inFlight += 1; window.__maxInFlight = Math.max(window.__maxInFlight, window.__inFlight);
            // readyState 4 comes before "load", where the page sends its next file.
            this.addEventListener("readystatechange", () => { if (this.readyState === 4) window.__inFlight -= 1; });
            return send.call(this, body); }; }""")
    files = [{"name": f"bulk-{i:03d}.png", "mimeType": "image/png", "buffer": png_bytes(width=300 + i, height=200)}
             for i in range(200)]
    page.set_input_files("#id_files", files)
    page.wait_for_function("document.querySelectorAll('tr.file-row[data-state=processing]').length === 200",
                           timeout=180_000)
    assert 1 < page.evaluate("window.__maxInFlight") <= 3
    assert Invoice.objects.filter(uploaded_by=reviewer).count() == 200 and len(held_pipeline) == 200
    assert page.locator("[data-overall]").get_attribute("value") == "200"
    assert "200 files · 200 processing" in page.locator("[data-summary]").inner_text()
    screenshot(page, "upload-200-files")
