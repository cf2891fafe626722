"""A file's bytes → a :class:`Document` of positioned words, whatever the file is.

Born-digital PDF pages are read from their text layer (:mod:`.pdftext`); scans, photos and PDF pages whose text
layer is missing or garbage go through OCR (:mod:`.ocr`, engine from ``settings.OCR_ENGINE``). The field parser
downstream sees the same words either way; OCR pages have ``source == "ocr"`` and real word confidences.

``Document.engine`` says what read it: ``pdf-text`` (text layer only), ``ocr-rapidocr`` / ``ocr-tesseract``
(every page OCRed: an image, or a PDF made of page images), ``pdf-text+ocr`` (a PDF with some pages of each).
``timings_ms`` has ``read`` (text layer, decoding, rendering) and ``ocr`` (recognition), in milliseconds.

OCR costs seconds per page, so the work is bounded: a document with more pages to OCR than ``OCR_MAX_PAGES``
is refused with a clear message before any page is read.
"""

from __future__ import annotations

import time
from contextlib import closing

from .images import image_kind, image_page_count, iter_image_pages, iter_pdf_page_images
from .ocr import default_engine, ocr_page
from .pdftext import read_pdf
from .types import Document, Page, UnreadableDocument

__all__ = ["read_document"]

DEFAULT_OCR_MAX_PAGES = 50  # ~2-3 s a page: a 50-page scan fits the extraction task's time limit
OCR_MAX_SIDE = 4000  # pixels: both OCR engines work below this, so huge photos are decoded smaller (JPEG)


def ocr_max_pages() -> int:
    try:
        from django.conf import settings

        return int(getattr(settings, "OCR_MAX_PAGES", DEFAULT_OCR_MAX_PAGES))
    except Exception:  # settings not configured: a plain script
        return DEFAULT_OCR_MAX_PAGES


def _check_pages(count: int, what: str) -> None:
    limit = ocr_max_pages()
    if count > limit:
        raise UnreadableDocument(
            f"The {what} has {count} scanned pages; at most {limit} scanned pages are read per document. "
            "Split it into separate invoices and upload those."
        )


def read_document(data: bytes, *, ocr_engine: str | None = None) -> Document:
    """Read every page. Raises :class:`UnreadableDocument` with a message for people when that is impossible."""
    started = time.perf_counter()
    engine = (ocr_engine or default_engine()).lower()
    if data.startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return _read_pdf(data, engine, started)
    if image_kind(data) is not None:
        return _read_image(data, engine, started)
    if not data:
        raise UnreadableDocument("The file is empty.")
    raise UnreadableDocument("The file is not a PDF, PNG, JPEG or TIFF document.")


def _read_pdf(data: bytes, engine: str, started: float) -> Document:
    read = read_pdf(data)
    document = read.document
    needing = read.pages_needing_ocr
    ocr_ms = 0.0
    if needing:
        _check_pages(len(needing), "PDF")
        by_number = {page.number: i for i, page in enumerate(document.pages)}
        with closing(iter_pdf_page_images(data, needing)) as images:
            for number, image in zip(needing, images, strict=True):
                t = time.perf_counter()
                page = ocr_page(image, number, engine=engine)
                ocr_ms += (time.perf_counter() - t) * 1000
                document.pages[by_number[number]] = page
        all_ocr = len(needing) == len(document.pages)
        document.engine = f"ocr-{engine}" if all_ocr else "pdf-text+ocr"
    total_ms = (time.perf_counter() - started) * 1000
    document.timings_ms.update({"read": round(total_ms - ocr_ms, 1), "ocr": round(ocr_ms, 1)})
    return document


def _read_image(data: bytes, engine: str, started: float) -> Document:
    _check_pages(image_page_count(data), "image")
    pages: list[Page] = []
    ocr_ms = 0.0
    with closing(iter_image_pages(data, max_side=OCR_MAX_SIDE)) as images:
        for index, image in enumerate(images):
            t = time.perf_counter()
            pages.append(ocr_page(image, index + 1, engine=engine))
            ocr_ms += (time.perf_counter() - t) * 1000
    total_ms = (time.perf_counter() - started) * 1000
    return Document(
        pages=pages,
        engine=f"ocr-{engine}",
        timings_ms={"read": round(total_ms - ocr_ms, 1), "ocr": round(ocr_ms, 1)},
    )
