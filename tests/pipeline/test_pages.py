"""Page images for the review screen: rendered once per invoice into processed storage, as WebP."""

from __future__ import annotations

import io

import pytest
from django.conf import settings as django_settings
from PIL import Image

from invoices import storage
from invoices.models import ProcessingAttempt, Status
from pipeline import services
from pipeline.pages import render_pages
from tests.factories import invoice_pdf, png_bytes

pytestmark = pytest.mark.django_db


def ctx():
    return services.RunContext(task_id="pages-1", worker="test@host", retries=0, max_retries=3)


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_every_pdf_page_is_rendered_once_and_stored(make_invoice, s3):
    invoice = make_invoice(status=Status.READY, pdf=invoice_pdf(pages=3))
    version = invoice.version
    outcome = services.run_render_pages(str(invoice.pk), ctx())
    assert outcome.ran
    invoice.refresh_from_db()
    assert invoice.page_images == [f"pages/{invoice.pk}/{n}.webp" for n in (1, 2, 3)]
    assert invoice.version == version  # not a change a person made: an open review form still saves
    for name in invoice.page_images:
        stored = s3.get_object(Bucket=django_settings.PROCESSED_BUCKET, Key=name)
        assert stored["ServerSideEncryption"] == "aws:kms"
        image = opened(stored["Body"].read())
        assert image.format == "WEBP" and image.width == 1600 and image.height > 2000  # A4 portrait
    attempt = ProcessingAttempt.objects.get(invoice=invoice, stage="pages")
    assert attempt.outcome == "succeeded" and {"render", "store"} <= set(attempt.timings_ms)
    assert services.run_render_pages(str(invoice.pk), ctx()).ran is False  # once per invoice
    assert ProcessingAttempt.objects.filter(invoice=invoice, stage="pages").count() == 1


def test_digital_pages_are_lossless_and_text_stays_sharp():
    first = next(render_pages(invoice_pdf(), "pdf"))
    assert first[12:16] == b"VP8L"  # WebP lossless
    image = opened(first).convert("L")
    # Text rendered lossless keeps pure black and pure white pixels.
    assert image.getextrema() == (0, 255)


def test_images_are_not_enlarged_and_are_turned_upright():
    small = next(render_pages(png_bytes(400, 300), "png"))
    assert opened(small).size == (400, 300)

    photo = Image.new("RGB", (3000, 2000), "white")
    exif = photo.getexif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    out = io.BytesIO()
    photo.save(out, format="JPEG", exif=exif.tobytes())
    upright = opened(next(render_pages(out.getvalue(), "jpeg")))
    assert upright.size == (1600, 2400)  # portrait once rotated, scaled to the width


def marked_png() -> bytes:
    """A landscape page with a black mark in its top-left corner."""
    image = Image.new("L", (300, 200), 255)
    image.paste(0, (0, 0, 30, 30))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_a_page_the_ocr_turned_is_stored_turned_the_same_way():
    # The OCR read this page after turning it 90° counter-clockwise: the top-left corner went to the bottom left.
    turned = opened(next(render_pages(marked_png(), "png", rotations={1: 90}))).convert("L")
    assert turned.size == (200, 300)
    assert turned.getpixel((5, 295)) < 60 and turned.getpixel((5, 5)) > 200
    as_is = opened(next(render_pages(marked_png(), "png", rotations={2: 90}))).convert("L")  # another page's turn
    assert as_is.size == (300, 200) and as_is.getpixel((5, 5)) < 60


def test_the_step_turns_pages_as_the_stored_result_says(make_invoice, s3):
    invoice = make_invoice(status=Status.READY, pdf=invoice_pdf())
    invoice.result_path = storage.save_result(invoice_id=str(invoice.pk), attempt_id=1,
                                              result={"fields": {}, "page_rotations": {"1": 90}})
    invoice.save(update_fields=["result_path"])
    services.run_render_pages(str(invoice.pk), ctx())
    invoice.refresh_from_db()
    stored = s3.get_object(Bucket=django_settings.PROCESSED_BUCKET, Key=invoice.page_images[0])
    image = opened(stored["Body"].read())
    assert image.width > image.height  # an A4 portrait page, stored turned to landscape


def test_every_tiff_page_becomes_an_image():
    frames = [Image.new("L", (1000, 1400), shade) for shade in (255, 200)]
    out = io.BytesIO()
    frames[0].save(out, format="TIFF", save_all=True, append_images=frames[1:])
    pages = list(render_pages(out.getvalue(), "tiff"))
    assert len(pages) == 2 and all(opened(p).size == (1000, 1400) for p in pages)


def test_a_page_image_that_cannot_be_rendered_does_not_stop_the_invoice(make_invoice):
    invoice = make_invoice(status=Status.READY, pdf=b"%PDF-1.7 not really a pdf %%EOF")
    outcome = services.run_render_pages(str(invoice.pk), ctx())
    assert outcome.status == "failed"
    invoice.refresh_from_db()
    assert invoice.status == Status.READY and invoice.page_images == []
    assert ProcessingAttempt.objects.get(invoice=invoice, stage="pages").outcome == "failed"

