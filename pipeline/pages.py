"""Page images for the review screen: each page of the original rendered once, stored in processed storage.

PDF pages are rendered with pypdfium2 and images read with Pillow (EXIF rotation applied, every TIFF page),
all scaled to ``PIPELINE_PAGE_IMAGE_WIDTH`` (1600 px by default; smaller images are not enlarged), as WebP:
lossless for born-digital pages (sharp text, and smaller than PNG), lossy at quality 85 for scans and photos,
whose noise lossless coding cannot shrink (a scanned page: ~55 KB against ~110 KB as JPEG, ~290 KB as PNG).
"""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction

from invoices import storage
from invoices.models import Invoice, ProcessingAttempt
from invoices.services import lock_invoice

from .failpoints import failpoint
from .retry import backoff, classify
from .steps.base import RunContext, StepOutcome, finish

if TYPE_CHECKING:
    from PIL import Image

logger = logging.getLogger("pipeline")
Outcome = ProcessingAttempt.Outcome
MAX_ASPECT = 6  # a page taller than six widths (a till receipt) is scaled to fit 6 × width


def render_pages(data: bytes, kind: str, *, width: int | None = None,
                 rotations: dict[int, int] | None = None) -> Iterator[bytes]:
    """WebP images of every page, in order; ``rotations`` (page → degrees counter-clockwise, as the OCR turned a
    page to read it) turns those pages upright, so the stored word boxes line up with the image."""
    from PIL import Image

    width = width or settings.PIPELINE_PAGE_IMAGE_WIDTH
    turns = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}
    pages = _pdf_pages(data, width) if kind == "pdf" else _image_pages(data, width)
    for number, (image, lossless) in enumerate(pages, 1):
        turn = turns.get((rotations or {}).get(number, 0) % 360)
        if turn is not None:
            image = image.transpose(turn)
            image.thumbnail((width, width * MAX_ASPECT), Image.Resampling.LANCZOS)
        yield _webp(image, lossless=lossless)


def _pdf_pages(data: bytes, width: int) -> Iterator[tuple[Image.Image, bool]]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                page_width, page_height = page.get_size()
                scale = min(width / page_width, width * MAX_ASPECT / page_height)
                textpage = page.get_textpage()
                digital = textpage.count_chars() > 0
                textpage.close()
                image = page.render(scale=scale, may_draw_forms=True).to_pil()
            finally:
                page.close()
            yield image, digital
    finally:
        pdf.close()


def _image_pages(data: bytes, width: int) -> Iterator[tuple[Image.Image, bool]]:
    from PIL import Image, ImageOps, ImageSequence

    with Image.open(io.BytesIO(data)) as source:
        for frame in ImageSequence.Iterator(source):
            image = ImageOps.exif_transpose(frame.copy())
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
                if image.mode == "RGBA":  # transparent areas of a scan: white, as on paper
                    background = Image.new("RGB", image.size, "white")
                    background.paste(image, mask=image.getchannel("A"))
                    image = background
            image.thumbnail((width, width * MAX_ASPECT), Image.Resampling.LANCZOS)
            yield image, False


def _webp(image, *, lossless: bool) -> bytes:
    out = io.BytesIO()
    if lossless:
        image.save(out, format="WEBP", lossless=True, method=4)
    else:
        image.save(out, format="WEBP", quality=85, method=2)
    return out.getvalue()


def _rotations(invoice: Invoice) -> dict[int, int]:
    """The pages the extraction turned upright, from its stored result (none for Textract or a missing result)."""
    if not invoice.result_path:
        return {}
    try:
        stored = storage.read_result(invoice.result_path).get("page_rotations") or {}
        return {int(page): int(degrees) for page, degrees in stored.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        logger.warning("page rotations unreadable", extra={"invoice_id": str(invoice.pk)})
        return {}


def run_render_pages(invoice_id: str, ctx: RunContext) -> StepOutcome:
    """Render and store the page images of an invoice that has none yet. Safe to run twice."""
    invoice = Invoice.objects.filter(pk=invoice_id, deleted_at__isnull=True).first()
    if invoice is None or invoice.page_images:
        return StepOutcome(invoice_id, ran=False)
    attempt = ProcessingAttempt.objects.create(invoice=invoice, stage="pages", task_id=ctx.task_id[:64],
                                               worker=ctx.worker[:150])
    names: list[str] = []
    timings = {"render": 0.0, "store": 0.0}
    try:
        data = storage.read_original(invoice.original.name)
        pages = render_pages(data, invoice.file_kind, rotations=_rotations(invoice))
        while True:
            started = time.perf_counter()
            image = next(pages, None)
            timings["render"] += (time.perf_counter() - started) * 1000
            if image is None:
                break
            failpoint("pages.save")
            started = time.perf_counter()
            names.append(storage.save_page_image(invoice_id=str(invoice.pk), page=len(names) + 1, data=image,
                                                 suffix="webp"))
            timings["store"] += (time.perf_counter() - started) * 1000
        with transaction.atomic():
            locked = lock_invoice(invoice.pk)
            # Not a change a person makes: the version stays, so a review form open meanwhile still saves.
            locked.page_images = names
            locked.save(update_fields=["page_images", "updated_at"])
            finish(attempt, Outcome.SUCCEEDED, timings_ms={k: round(v, 1) for k, v in timings.items()})
    except SoftTimeLimitExceeded:
        finish(attempt, Outcome.FAILED, f"Stopped at the time limit after {len(names)} page(s).")
        return StepOutcome(invoice_id, ran=True, status="failed")
    except Exception as exc:
        failure = classify(exc)
        finish(attempt, Outcome.RETRYING if failure.transient and not ctx.final_try else Outcome.FAILED,
               f"{type(exc).__name__}: {exc}")
        if failure.transient and not ctx.final_try:
            return StepOutcome(invoice_id, ran=True, retry_in=backoff(ctx.retries),
                               retry_kwargs={"errors": ctx.retries + 1})
        # Without images the review screen shows the original itself; the invoice goes on.
        logger.warning("page images failed", exc_info=failure.unexpected,
                       extra={"invoice_id": str(invoice_id), "error_type": type(exc).__name__})
        return StepOutcome(invoice_id, ran=True, status="failed")
    logger.info("page images stored", extra={"invoice_id": str(invoice_id), "pages": len(names)})
    return StepOutcome(invoice_id, ran=True, status="done")
