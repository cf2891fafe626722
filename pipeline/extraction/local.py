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

PRINT_DISAGREES_CONFIDENCE = 85.0  # a printed value this sure that differs from the e-invoice's XML…
DISAGREEMENT_CONFIDENCE = 80.0  # …keeps the XML value below the auto-accept threshold


def _find_line_items(layout, decimal_sep: str | None) -> list[LineItem]:
    try:
        from .items import find_line_items
    except ImportError:  # the line-item finder is not in this build yet
        return []
    return list(find_line_items(layout, decimal_sep=decimal_sep))


def extract_local(data: bytes, *, name: str, embedded: bool = True) -> ExtractionResult:
    """Raises :class:`~.types.UnreadableDocument` when the file cannot be read at all.

    A PDF carrying a structured e-invoice (ZUGFeRD, Factur-X, XRechnung) is read from its XML, which under EN 16931
    is the invoice itself; what the XML lacks comes from the printed page. ``embedded=False`` reads only the page.
    """
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
    if embedded and data.startswith(b"%PDF"):
        return _with_embedded_invoice(data, name=name, document=document, printed=result)
    return result


def _with_embedded_invoice(data: bytes, *, name: str, document, printed: ExtractionResult) -> ExtractionResult:
    from .einvoice import read_embedded_invoice

    t = time.perf_counter()
    xml = read_embedded_invoice(data, name=name, document=document)
    if xml is None:
        return printed
    for field_name, seen in printed.fields.items():
        ours = xml.fields.setdefault(field_name, seen)  # the XML wins; the printed page fills its gaps
        if ours is not seen and seen.confidence >= PRINT_DISAGREES_CONFIDENCE and seen.value != ours.value:
            # The page confidently prints something else: a person decides which one the vendor meant.
            ours.confidence = min(ours.confidence, DISAGREEMENT_CONFIDENCE)
            xml.issues.append(f"{field_name}: the embedded XML says {ours.value}, the page prints {seen.value}")
    xml.line_items = xml.line_items or printed.line_items
    xml.words, xml.rotations = printed.words, printed.rotations
    xml.timings_ms = {**printed.timings_ms, "xml": round((time.perf_counter() - t) * 1000, 1)}
    return xml
