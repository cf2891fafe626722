"""Every kind of bad file gets its own clear message; good files are described correctly."""

import io

import pytest
from PIL import Image

from invoices.filecheck import RejectedFile, inspect_file
from tests.factories import invoice_pdf, png_bytes


def rejected(data: bytes, name: str = "invoice.pdf", **kwargs) -> RejectedFile:
    with pytest.raises(RejectedFile) as caught:
        inspect_file(data, name, **kwargs)
    return caught.value


def test_accepts_a_born_digital_pdf_and_counts_pages():
    facts = inspect_file(invoice_pdf(pages=3), "a.pdf")
    assert (facts.kind, facts.content_type, facts.page_count, facts.has_text_layer) == ("pdf", "application/pdf", 3, True)


@pytest.mark.parametrize("fmt,kind", [("PNG", "png"), ("JPEG", "jpeg"), ("TIFF", "tiff")])
def test_accepts_images_by_content(fmt, kind):
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(buffer, format=fmt)
    facts = inspect_file(buffer.getvalue(), "scan.bin")  # the name does not matter, the content does
    assert facts.kind == kind and facts.page_count == 1


def test_counts_pages_of_a_multipage_tiff():
    buffer = io.BytesIO()
    pages = [Image.new("L", (300, 200), 255) for _ in range(3)]
    pages[0].save(buffer, format="TIFF", save_all=True, append_images=pages[1:])
    assert inspect_file(buffer.getvalue()).page_count == 3


def test_empty_file():
    error = rejected(b"")
    assert error.code == "empty" and "empty" in error.message


def test_text_file_renamed_to_pdf():
    error = rejected(b"Dear supplier, please find attached...\n", "invoice.pdf")
    assert error.code == "unsupported_type"
    assert "text file although its name ends in .pdf" in error.message


def test_html_and_scripts_are_named():
    error = rejected(b"<!DOCTYPE html><html><script>alert(1)</script></html>", "invoice.pdf")
    assert "HTML, XML or script" in error.message


def test_office_document_is_named():
    assert "ZIP archive or Office document" in rejected(b"PK\x03\x04" + b"\x00" * 100, "invoice.docx").message


def test_encrypted_pdf():
    error = rejected(invoice_pdf(password="secret"))
    assert error.code == "encrypted" and "password-protected" in error.message


def test_truncated_pdf():
    data = invoice_pdf()
    error = rejected(data[: len(data) // 3])
    assert error.code == "corrupt" and "damaged" in error.message


def test_too_large_file_reports_size_and_limit(settings):
    settings.MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    error = rejected(b"%PDF-1.4" + b"0" * 100, size=11 * 1024 * 1024)
    assert error.code == "too_large"
    assert "11.0\xa0MB" in error.message and "10.0\xa0MB" in error.message


def test_too_many_pages(settings):
    settings.MAX_PAGES = 100
    error = rejected(invoice_pdf(pages=101))
    assert error.code == "too_many_pages" and "101 pages" in error.message and "limit is 100" in error.message


def test_decompression_bomb_is_refused_before_decoding():
    buffer = io.BytesIO()
    Image.new("1", (20000, 20000), 1).save(buffer, format="PNG")  # 400 megapixels in a few kB
    assert len(buffer.getvalue()) < 200_000
    error = rejected(buffer.getvalue(), "scan.png")
    assert error.code == "image_too_large" and "megapixels" in error.message


def test_truncated_image():
    data = png_bytes()
    assert rejected(data[:120], "scan.png").code == "corrupt"


def test_tiny_image():
    buffer = io.BytesIO()
    Image.new("L", (10, 10)).save(buffer, format="PNG")
    assert rejected(buffer.getvalue(), "scan.png").code == "image_too_small"
