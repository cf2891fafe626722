"""A first, simple engine: the text layer of born-digital PDFs and a few labelled fields by pattern.

Placeholder until the local engine lands; it reads what it can and says what it could not.
"""

from __future__ import annotations

import re
import time
from datetime import date

from .types import ExtractionResult, FieldValue, UnreadableDocument

_NUMBER = re.compile(r"(?:invoice|rechnung|facture|factura)\s*(?:no\.?|number|nr\.?|#|n°)?\s*[:#]?\s*([A-Z0-9][A-Z0-9\-/]{2,})", re.I)
_TOTAL = re.compile(r"(?:grand\s+)?total(?:\s+due)?[^\d\n]{0,20}(\d[\d,. ]*\d)", re.I)
_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b|\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b")


def extract(data: bytes, *, name: str = "") -> ExtractionResult:
    import pypdfium2 as pdfium

    started = time.perf_counter()
    if not data.startswith(b"%PDF"):
        return ExtractionResult(file=name, engine="none", pages=1, issues=["images are not read by this engine yet"])
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise UnreadableDocument(f"The PDF cannot be opened ({exc}).") from None
    text = "\n".join(page.get_textpage().get_text_range() for page in pdf)
    result = ExtractionResult(file=name, engine="pdf-text", pages=len(pdf))
    read_ms = (time.perf_counter() - started) * 1000
    if m := _NUMBER.search(text):
        result.fields["invoice_number"] = FieldValue(m.group(1), 60.0, 1)
    if m := _TOTAL.search(text):
        amount = re.sub(r"[ ,]", "", m.group(1))
        result.fields["total"] = FieldValue(amount, 50.0, 1)
    if m := _DATE.search(text):
        try:
            value = date(int(m[1]), int(m[2]), int(m[3])) if m[1] else date(int(m[6]), int(m[5]), int(m[4]))
            result.fields["invoice_date"] = FieldValue(value.isoformat(), 50.0, 1)
        except ValueError:
            pass
    if not text.strip():
        result.issues.append("no text layer")
    result.timings_ms = {"read": read_ms, "parse": (time.perf_counter() - started) * 1000 - read_ms}
    return result
