"""read_document: the text layer where there is one, OCR for images and for PDF pages without usable text.

OCR pages cost seconds each, so these tests read one or two small pages, mostly with Tesseract (the faster
engine); test_ocr.py covers both engines' quality.
"""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from pipeline.extraction.reader import read_document
from pipeline.extraction.types import UnreadableDocument
from pipeline.generator import make_invoice, random_spec, render_invoice
from pipeline.generator.scan import ScanParams, scan_pdf


def text_image(lines: list[str], size=(1240, 900)) -> Image.Image:
    """A clean page image with large printed lines (fast and certain to OCR)."""
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=40)
    for i, line in enumerate(lines):
        draw.text((80, 80 + 90 * i), line, fill=0, font=font)
    return image


def image_pdf(pages: list[Image.Image | str]) -> bytes:
    """A PDF whose pages are images (a scan) or, for a string, typed text (born-digital)."""
    buf = io.BytesIO()
    canvas = Canvas(buf, invariant=1)
    for page in pages:
        canvas.setPageSize((595, 842))
        if isinstance(page, str):
            text = canvas.beginText(72, 760)
            text.setFont("Helvetica", 12)
            for line in page.splitlines():
                text.textLine(line)
            canvas.drawText(text)
        else:
            jpg = io.BytesIO()
            page.save(jpg, "PNG")
            canvas.drawImage(ImageReader(io.BytesIO(jpg.getvalue())), 0, 842 - 600, 595, 600 * page.height / page.width)
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


@pytest.fixture
def tesseract(settings):
    settings.OCR_ENGINE = "tesseract"


def texts(document) -> list[str]:
    return [w.text for w in document.words]


def test_born_digital_pdf_is_read_from_its_text_layer_without_ocr():
    invoice = make_invoice(seed=11, index=0, kind="digital")
    document = read_document(invoice.data)
    assert document.engine == "pdf-text"
    assert all(page.source == "text" for page in document.pages)
    assert document.timings_ms["ocr"] == 0
    assert invoice.truth["invoice_number"] in " ".join(texts(document))


def test_image_only_pdf_goes_through_ocr(tesseract):
    data = image_pdf([text_image(["INVOICE 2025-0042", "Total due 1,234.56 EUR"])])
    document = read_document(data)
    assert document.engine == "ocr-tesseract"
    (page,) = document.pages
    assert page.source == "ocr"
    words = texts(document)
    assert "2025-0042" in words and "1,234.56" in words
    assert document.timings_ms["ocr"] > 0
    # Words are placed where they are printed: the picture is drawn 168 pt below the top of the 842 pt page,
    # 432 pt high for its 900 pixels; the second line's text starts 170 pixels down.
    amount = next(w for w in document.words if w.text == "1,234.56")
    expected_top = (168 + 170 * 432 / 900) / 842
    assert amount.top == pytest.approx(expected_top, abs=0.015)
    assert 0.15 < amount.left < 0.5


def test_pdf_with_text_and_scanned_pages_reads_each_its_own_way(tesseract):
    typed = "Invoice number: RE-7781\nDate: 2025-03-14\nPage 1 of 2, the scanned page follows\n" + "x" * 20
    data = image_pdf([typed, text_image(["Amount due 987.65", "Thank you"])])
    document = read_document(data)
    assert document.engine == "pdf-text+ocr"
    assert [p.source for p in document.pages] == ["text", "ocr"]
    assert [p.number for p in document.pages] == [1, 2]
    assert "RE-7781" in [w.text for w in document.pages[0].words]
    assert "987.65" in [w.text for w in document.pages[1].words]
    assert all(w.page == 2 for w in document.pages[1].words)


def test_every_tiff_page_is_read(tesseract):
    pages = [text_image([f"Page {n} of 2", f"Reference AB-{n}00{n}"]) for n in (1, 2)]
    buf = io.BytesIO()
    pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    document = read_document(buf.getvalue())
    assert document.engine == "ocr-tesseract"
    assert [p.number for p in document.pages] == [1, 2]
    assert "AB-1001" in [w.text for w in document.pages[0].words]
    assert "AB-2002" in [w.text for w in document.pages[1].words]


def test_scanned_photo_is_read_upright_with_the_default_engine(settings):
    settings.OCR_ENGINE = "rapidocr"
    spec = random_spec(random.Random("reader-scan"), locale="de-DE", n_lines=3)
    params = ScanParams(
        profile="scan",
        dpi=150,
        rotation=-1.2,
        turned=180,
        blur=0.4,
        noise=4.0,
        paper=238,
        contrast=1.0,
        brightness=1.0,
        jpeg_quality=75,
        perspective=0.0,
        shadow=0.0,
        grayscale=False,
        format="jpeg",
    )
    data, _ = scan_pdf(render_invoice(spec), random.Random(2), params)
    document = read_document(data)
    assert document.engine == "ocr-rapidocr"
    (page,) = document.pages
    assert page.rotation == 180
    truth = spec.truth("x.jpg", "image/scanned-invoice")
    assert truth["invoice_number"] in texts(document)


def test_too_many_pages_to_ocr_is_refused_before_any_ocr(settings):
    settings.OCR_MAX_PAGES = 2
    pages = [Image.new("L", (200, 200), 255) for _ in range(3)]
    buf = io.BytesIO()
    pages[0].save(buf, "TIFF", save_all=True, append_images=pages[1:])
    with pytest.raises(UnreadableDocument, match="3 scanned pages; at most 2"):
        read_document(buf.getvalue())


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<html><script>alert(1)</script></html>", "not a PDF, PNG, JPEG or TIFF"),
        (b"GIF89a" + b"\x00" * 100, "not a PDF, PNG, JPEG or TIFF"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 50, "damaged or truncated"),
        (b"%PDF-1.7\n" + b"\x00" * 100, "PDF"),
    ],
)
def test_unreadable_input_gets_a_clear_reason(data, message):
    with pytest.raises(UnreadableDocument, match=message):
        read_document(data)


def test_real_pdf_without_text_layer_is_read_by_ocr(corpus, settings):
    settings.OCR_ENGINE = "rapidocr"
    document = read_document((corpus / "parsee" / "Invoice _ TeamGantt-May.pdf").read_bytes())
    assert document.engine == "ocr-rapidocr"
    words = texts(document)
    # truth.jsonl: vendor TeamGantt, total 48.00 USD
    assert "TeamGantt" in words
    assert "$48.00" in words
