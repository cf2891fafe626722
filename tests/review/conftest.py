"""Fixtures for the review screens: an invoice with page images and positioned words, signed-in clients, and
headless Chromium (Playwright, Debian's /usr/bin/chromium) for the browser tests.

- ``review_invoice(**kw)``: an invoice as the pipeline leaves it, plus a rendered page image per page and a stored
  extraction result whose ``words`` sit exactly where the page image draws them.
- ``browser`` (session) and ``page`` (a fresh context at laptop size, 1366×768): browser tests use them with
  ``live_server``; ``logged_in(page, live_server, user)`` signs a user in through the login form.
- ``screenshot(page, name)`` saves to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1366, "height": 768}
PAGE_SIZE = (1240, 1754)  # A4 at 150 dpi


# --- an invoice with pages and words ----------------------------------------------------------------------------
def _font(size: int):
    from PIL import ImageFont

    for path in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                 "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf"):
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def render_page(lines: list[tuple[str, float, float]], *, size: tuple[int, int] = PAGE_SIZE):
    """A white page with ``(text, left, top)`` lines (fractions of the page): WebP bytes and the words' boxes."""
    from PIL import Image, ImageDraw

    width, height = size
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = _font(26)
    space = draw.textlength(" ", font=font)
    words = []
    for text, left, top in lines:
        x, y = left * width, top * height
        for word in text.split():
            x0, y0, x1, y1 = draw.textbbox((x, y), word, font=font)
            draw.text((x, y), word, fill=(20, 20, 30), font=font)
            words.append({"text": word, "bbox": [round(x0 / width, 5), round(y0 / height, 5),
                                                 round((x1 - x0) / width, 5), round((y1 - y0) / height, 5)]})
            x = x1 + space
    out = io.BytesIO()
    image.save(out, format="WEBP", lossless=True)
    return out.getvalue(), words


LABELS = {"invoice_number": "Invoice number:", "invoice_date": "Invoice date:", "due_date": "Due date:",
          "vendor_name": "Vendor:", "currency": "Currency:", "subtotal": "Subtotal:", "tax": "Tax:",
          "total": "Total:"}


def make_review_invoice(*, fields: dict | None = None, line_items: list[dict] | None = None, pages: int = 1,
                        words: bool = True, printed: dict[str, str] | None = None, **kwargs):
    """An invoice ready for review with page images (and, unless ``words=False``, a result JSON with words).

    The original is an image-only PDF of the same pages (like a scan: no text layer), so the words the screen
    offers are exactly those of the stored result. ``printed`` maps field name → the text printed on the page
    where it differs from the extracted value (the engine misread it); the field's bbox points at that text.
    """
    from PIL import Image

    from invoices import storage
    from invoices.models import Invoice, InvoiceField
    from tests.factories import DEFAULT_FIELDS, make_invoice

    values = dict(DEFAULT_FIELDS if fields is None else fields)
    printed = printed or {}
    lines, boxes = [("INVOICE", 0.08, 0.05)], {}
    top = 0.12
    for name, spec in values.items():
        value = spec[0] if isinstance(spec, tuple) else spec
        label = LABELS.get(name, name.replace("_", " ").capitalize() + ":")
        lines.append((f"{label} {printed.get(name, value)}", 0.08, top))
        boxes[name] = (len(lines) - 1, len(label.split()))
        top += 0.035
    top += 0.03
    for item in line_items or []:
        lines.append((f"{item.get('description', '')} {item.get('quantity', '')} {item.get('unit_price', '')} "
                      f"{item.get('amount', '')}", 0.08, top))
        top += 0.03
    rendered = [render_page(lines)]
    rendered += [render_page([(f"Page {n} terms and conditions", 0.08, 0.1)]) for n in range(2, pages + 1)]
    images = [Image.open(io.BytesIO(data)).convert("RGB") for data, _ in rendered]
    pdf = io.BytesIO()
    images[0].save(pdf, format="PDF", save_all=True, append_images=images[1:], resolution=150)
    invoice = make_invoice(fields=values, line_items=line_items, pdf=pdf.getvalue(), **kwargs)

    # Each field's box: the union of its value's words on page 1, as an engine would report it.
    page_words = rendered[0][1]
    by_line: list[list[dict]] = []
    index = 0
    for text, _, _ in lines:
        count = len(text.split())
        by_line.append(page_words[index:index + count])
        index += count
    for name, (line, skip) in boxes.items():
        value_words = by_line[line][skip:]
        if value_words:
            left = min(w["bbox"][0] for w in value_words)
            top_ = min(w["bbox"][1] for w in value_words)
            right = max(w["bbox"][0] + w["bbox"][2] for w in value_words)
            bottom = max(w["bbox"][1] + w["bbox"][3] for w in value_words)
            InvoiceField.objects.filter(invoice=invoice, name=name).update(
                page=1, bbox=[left, top_, round(right - left, 5), round(bottom - top_, 5)])
    names, all_words = [], []
    for number, (data, found) in enumerate(rendered, 1):
        names.append(storage.save_page_image(invoice_id=str(invoice.pk), page=number, data=data, suffix="webp"))
        all_words += [{**w, "page": number} for w in found]
    result = {"engine": "pdf-text", "pages": pages, "fields": {}, "line_items": []}
    if words:
        result["words"] = all_words
    path = storage.save_result(invoice_id=str(invoice.pk), attempt_id=1, result=result)
    Invoice.objects.filter(pk=invoice.pk).update(page_images=names, result_path=path, page_count=pages)
    invoice.refresh_from_db()
    return invoice


@pytest.fixture
def review_invoice(db):
    return make_review_invoice


@pytest.fixture
def client_for(client):
    """``client_for(user)``: the test client signed in as ``user`` (None: anonymous)."""

    def sign_in(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return sign_in


# --- the browser ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail(f"Chromium is not at {CHROMIUM}: `apt-get install -y chromium` (make test installs it)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are still
    # synchronous and safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)  # a loaded CI machine: waits, never timed assertions

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
                                    args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    """``new_page()``: a page in a fresh browser context (its own cookies) at laptop size."""
    contexts = []

    def make():
        context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def logged_in(page, live_server, user, password: str = "pw", next_path: str = "/"):
    """Sign ``user`` in through the login form; returns the page at ``next_path``."""
    page.goto(f"{live_server.url}/login/?next={next_path}")
    page.fill("#id_username", user.get_username())
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    return page


def screenshot(page, name: str, *, full_page: bool = False) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
