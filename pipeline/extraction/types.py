"""Plain data passed between the extraction steps.

Readers (PDF text layer, OCR, Textract) turn a file into a :class:`Document` of positioned words; the field
parser turns a Document into an :class:`ExtractionResult`; the result's ``to_dict()`` is the JSON object of
the extraction contract (../shared/DESIGN.md) that ``manage.py extract`` prints and the pipeline stores.

Coordinates are fractions of the page (0..1), origin top-left, like Textract's BoundingBox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The contract's field names, in display order.
FIELD_NAMES: tuple[str, ...] = (
    "invoice_number",
    "invoice_date",
    "due_date",
    "vendor_name",
    "vendor_address",
    "vendor_tax_id",
    "customer_name",
    "po_number",
    "currency",
    "subtotal",
    "tax",
    "total",
    "amount_due",
    "payment_terms",
    "iban",
)
AMOUNT_FIELDS: frozenset[str] = frozenset({"subtotal", "tax", "total", "amount_due"})
DATE_FIELDS: frozenset[str] = frozenset({"invoice_date", "due_date"})

BBox = tuple[float, float, float, float]  # left, top, width, height as fractions of the page


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    left: float
    top: float
    width: float
    height: float
    page: int  # 1-based
    confidence: float = 100.0  # 0..100; 100 for a PDF text layer

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height

    @property
    def bbox(self) -> BBox:
        return (self.left, self.top, self.width, self.height)


@dataclass(slots=True)
class Page:
    number: int  # 1-based
    width: float  # in the reader's unit (PDF points or pixels); words are already relative
    height: float
    words: list[Word] = field(default_factory=list)
    rotation: int = 0  # degrees the reader turned the page to make it upright
    source: str = "text"  # "text" (PDF text layer) or "ocr"


@dataclass(slots=True)
class Document:
    pages: list[Page]
    engine: str  # "pdf-text", "ocr-rapidocr", "ocr-tesseract", "textract", ...
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def words(self) -> list[Word]:
        return [w for p in self.pages for w in p.words]


def union_bbox(words: list[Word]) -> BBox | None:
    if not words:
        return None
    left = min(w.left for w in words)
    top = min(w.top for w in words)
    right = max(w.right for w in words)
    bottom = max(w.bottom for w in words)
    return (left, top, right - left, bottom - top)


@dataclass(slots=True)
class FieldValue:
    value: str  # decimal string for amounts, ISO 8601 for dates, ISO 4217 for currency
    confidence: float  # 0..100
    page: int | None = None
    bbox: BBox | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "confidence": round(float(self.confidence), 1)}
        if self.page is not None:
            out["page"] = self.page
        if self.bbox is not None:
            out["bbox"] = [round(float(x), 4) for x in self.bbox]
        return out


@dataclass(slots=True)
class LineItem:
    description: str = ""
    quantity: str | None = None  # decimal strings
    unit_price: str | None = None
    amount: str | None = None
    confidence: float = 0.0
    page: int | None = None
    bbox: BBox | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"description": self.description}
        for name in ("quantity", "unit_price", "amount"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        out["confidence"] = round(float(self.confidence), 1)
        if self.page is not None:
            out["page"] = self.page
        if self.bbox is not None:
            out["bbox"] = [round(float(x), 4) for x in self.bbox]
        return out


@dataclass(slots=True)
class ExtractionResult:
    file: str
    engine: str = ""
    pages: int = 0
    fields: dict[str, FieldValue] = field(default_factory=dict)
    line_items: list[LineItem] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    error: str | None = None  # set when the file could not be read; nothing else is then meaningful
    # Billing facts for paid engines (Textract): pages billed and the estimated cost in USD.
    pages_billed: int = 0
    cost_usd: str | None = None
    # The document's words, for the review screen's click-to-fill; only in ``to_dict(words=True)``.
    words: list[Word] = field(default_factory=list, repr=False)
    # Pages the reader turned to read them upright: page → degrees counter-clockwise (Page.rotation). The words'
    # boxes are in the upright frame, so the review screen's page images are turned the same way.
    rotations: dict[int, int] = field(default_factory=dict)

    def to_dict(self, *, words: bool = False) -> dict[str, Any]:
        """The contract's JSON object; ``words=True`` adds ``"words"`` (text, page, bbox) for the review screen."""
        if self.error is not None:
            return {"file": self.file, "error": self.error}
        out: dict[str, Any] = {
            "file": self.file,
            "engine": self.engine,
            "pages": self.pages,
            "fields": {name: self.fields[name].to_dict() for name in FIELD_NAMES if name in self.fields},
            "line_items": [item.to_dict() for item in self.line_items],
            "issues": list(self.issues),
            "timings_ms": {k: round(float(v), 1) for k, v in self.timings_ms.items()},
        }
        if self.pages_billed:
            out["pages_billed"] = self.pages_billed
            out["cost_usd"] = self.cost_usd
        if words:
            out["words"] = [
                {"text": w.text, "page": w.page, "bbox": [round(float(x), 4) for x in w.bbox]} for w in self.words
            ]
            if self.rotations:
                out["page_rotations"] = {str(page): degrees for page, degrees in sorted(self.rotations.items())}
        return out


class UnreadableDocument(Exception):
    """The file cannot be read at all (corrupt, encrypted, not a document). A permanent error.

    The message is shown to the user as is: make it specific and free of invoice contents.
    """
