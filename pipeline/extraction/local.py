"""The local extraction engine: words from the PDF text layer or OCR, their layout, then fields, line items,
cross-checks and confidence. Costs nothing and needs no network."""

from __future__ import annotations

import time

from .crosscheck import cross_check
from .fields import find_fields
from .layout import build_layout
from .reader import read_document
from .types import ExtractionResult, LineItem

__all__ = ["extract_local"]


def _find_line_items(layout, decimal_sep: str | None) -> list[LineItem]:
    try:
        from .items import find_line_items
    except ImportError:  # the line-item finder is not in this build yet
        return []
    return list(find_line_items(layout, decimal_sep=decimal_sep))


def extract_local(data: bytes, *, name: str) -> ExtractionResult:
    """Raises :class:`~.types.UnreadableDocument` when the file cannot be read at all."""
    started = time.perf_counter()
    document = read_document(data)
    read_ms = (time.perf_counter() - started) * 1000
    ocr_ms = float(document.timings_ms.get("ocr", 0.0))
    t = time.perf_counter()
    layout = build_layout(document)
    is_ocr = any(page.source == "ocr" for page in document.pages)
    found = find_fields(layout, ocr=is_ocr)
    decimal_sep = found.context.decimal_sep if found.context is not None else None
    items = _find_line_items(layout, decimal_sep)
    result = ExtractionResult(file=name, engine=document.engine, pages=document.page_count, fields=found.fields,
                              line_items=items, words=document.words,
                              rotations={p.number: p.rotation % 360 for p in document.pages if p.rotation % 360})
    cross_check(result, totals_verified=found.totals_verified)
    if not document.words:
        result.issues.append("no text found on the document")
    result.timings_ms = {"read": round(max(0.0, read_ms - ocr_ms), 1), "ocr": round(ocr_ms, 1),
                         "parse": round((time.perf_counter() - t) * 1000, 1)}
    return result
