"""Textract AnalyzeExpense output → our :class:`ExtractionResult` (the extraction contract).

The response is read with ``trp.trp2_expense`` (package amazon-textract-response-parser), a typed schema of the
AnalyzeExpense JSON; this module only decides what the fields mean for us.

Rules, each chosen to keep "confidence ≥ auto-accept threshold" trustworthy:

* **Which Textract types feed which field**: :data:`SUMMARY_TYPES`. A field may list tiers of types; a later tier
  is used only when no earlier one produced a candidate (``TAX_PAYER_ID`` is the vendor's tax id only when there
  is no explicit ``VENDOR_VAT_NUMBER`` & co.). Fields that Textract puts in a RECEIVER group are never taken as the
  vendor's tax id or IBAN.
* **Confidence of one candidate** = min(type confidence, label confidence when there is a label, value
  confidence): the field is right only if Textract read the value right *and* classified it right; the weakest
  of those signals bounds it. (The three are strongly correlated, so a product would punish twice for one blur.)
  Line-item cells use their value confidence only: Textract returns fixed placeholder type/label confidences
  (70 / ~80) for table columns, which carry no information about a row.
* **Several candidates for one field** (the same header on every page, a total printed twice, two vendor names):
  candidates are grouped by their *normalised* value. The group with the best single confidence wins; groups
  within :data:`TIE_WINDOW` points of it are tied, and ties go to the group with more candidates (agreement),
  then to the one printed first (page, then top). If a different value competes (a rival group at
  ≥ :data:`RIVAL_MIN`), the winner's confidence is capped at :data:`CONFLICT_CAP` and an issue is added, so a
  person looks at it.
* **Normalisation** with the shared parsers (``parsing.amounts`` / ``parsing.dates``, as the local engine):
  amounts as decimal strings, with the decimal mark the document's own amounts show
  (``decimal_separator_of``) and a receipt's trailing tax-class letter ("$899.99 S") dropped; dates as ISO
  8601. All-numeric dates whose day and month could swap take the order the document's other dates prove
  (a day > 12); with no such evidence they are guessed (MDY for USD, else DMY), capped at
  :data:`AMBIGUOUS_CAP` and flagged. A value that does not parse is dropped (the field is "not found").
* **Currency**: Textract's ``Currency`` block on amount fields (its own confidence, else the field's), then ISO
  codes or unambiguous symbols printed in amounts; ``$``/``¥`` alone are ambiguous (USD/CAD/AUD…, JPY/CNY) and
  capped at :data:`AMBIGUOUS_CAP`.
* **Geometry**: the value's own BoundingBox (already page fractions, as our contract) and its ``PageNumber``.

``cross_check(result)`` runs last (in :func:`map_expense_response`), as for every engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import marshmallow
from stdnum import iban as iban_check
from trp import trp2, trp2_expense

from .crosscheck import cross_check
from .parsing.amounts import decimal_separator_of, parse_amount
from .parsing.dates import find_dates, parse_date
from .types import AMOUNT_FIELDS, BBox, ExtractionResult, FieldValue, LineItem

ENGINE = "textract"

# Our field → tiers of Textract SummaryFields types (see the module docstring).
SUMMARY_TYPES: dict[str, tuple[tuple[str, ...], ...]] = {
    "invoice_number": (("INVOICE_RECEIPT_ID",),),
    "invoice_date": (("INVOICE_RECEIPT_DATE",),),
    "due_date": (("DUE_DATE",),),
    "vendor_name": (("VENDOR_NAME",),),
    "vendor_address": (("VENDOR_ADDRESS",),),
    "vendor_tax_id": (
        ("VENDOR_VAT_NUMBER", "VENDOR_GST_NUMBER", "VENDOR_ABN_NUMBER", "VENDOR_PAN_NUMBER"),
        ("TAX_PAYER_ID",),
    ),
    "customer_name": (("RECEIVER_NAME",),),
    "po_number": (("PO_NUMBER",),),
    "subtotal": (("SUBTOTAL",),),
    "tax": (("TAX",),),
    "total": (("TOTAL",),),
    "amount_due": (("AMOUNT_DUE",),),
    "payment_terms": (("PAYMENT_TERMS",),),
}
MULTILINE_FIELDS = frozenset({"vendor_address"})
DATE_TYPES = frozenset({"INVOICE_RECEIPT_DATE", "DUE_DATE", "ORDER_DATE", "DELIVERY_DATE"})
AMOUNT_TYPES = frozenset({
    "SUBTOTAL", "TAX", "TOTAL", "AMOUNT_DUE", "AMOUNT_PAID", "DISCOUNT", "PRIOR_BALANCE", "SERVICE_CHARGE",
    "SHIPPING_HANDLING_CHARGE", "GRATUITY",
})
RECEIVER_GROUPS = frozenset({"RECEIVER", "RECEIVER_BILL_TO", "RECEIVER_SHIP_TO", "RECEIVER_SOLD_TO", "BILL_TO", "SHIP_TO"})
LINE_DESCRIPTION_TYPES = ("ITEM", "DESCRIPTION")
LINE_NUMBER_TYPES = frozenset({"QUANTITY", "UNIT_PRICE", "PRICE"})

TIE_WINDOW = 1.0  # confidence points within which two candidates are treated as equally sure
RIVAL_MIN = 50.0  # a different value at least this sure makes the field conflicting
CONFLICT_CAP = 60.0
AMBIGUOUS_CAP = 50.0
UNREADABLE_CELL_CAP = 50.0  # a line item whose number cell did not parse

# Textract documents these codes; "BZR" is its spelling of the Brazilian real.
_TEXTRACT_CURRENCY_FIXES = {"BZR": "BRL"}
_UNAMBIGUOUS_SYMBOLS = {"€": "EUR", "£": "GBP", "₹": "INR", "₩": "KRW", "₽": "RUB", "₺": "TRY", "₪": "ILS",
                        "₫": "VND", "฿": "THB", "₱": "PHP", "₦": "NGN", "₴": "UAH", "zł": "PLN", "R$": "BRL",
                        "CHF": "CHF", "Fr.": "CHF", "Kč": "CZK", "US$": "USD", "C$": "CAD", "CA$": "CAD",
                        "A$": "AUD", "AU$": "AUD", "NZ$": "NZD", "HK$": "HKD", "S$": "SGD"}
_AMBIGUOUS_SYMBOLS = {"$": "USD", "¥": "JPY"}
_ISO_CODE = re.compile(r"(?<![A-Z])([A-Z]{3})(?![A-Z])")
_IBAN_SHAPE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ \-]?[A-Z0-9]){11,30}\b")


def _iso_currencies() -> frozenset[str]:
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


_ISO_CURRENCIES = _iso_currencies()


# --- reading the response with trp2_expense -----------------------------------------------------------------

def _tolerant_schemas() -> None:
    """Make trp's nested schemas ignore keys they do not know instead of refusing the whole response.

    trp2_expense declares ``unknown = EXCLUDE`` only on its outer schemas; the nested ones (line-item fields,
    detections, geometry) default to marshmallow's RAISE, so a key AWS adds to the API — or one the API model
    already allows there, such as ``Currency`` and ``GroupProperties`` on line-item fields — would fail every
    document. EXCLUDE is marshmallow's documented option for exactly this.
    """
    for module in (trp2, trp2_expense):
        for obj in vars(module).values():
            # Only trp's own classes (each has its own ``opts``), never marshmallow's base Schema.
            if isinstance(obj, type) and issubclass(obj, marshmallow.Schema) and obj.__module__.startswith("trp."):
                obj.opts.unknown = marshmallow.EXCLUDE


_tolerant_schemas()
_SCHEMA = trp2_expense.TAnalyzeExpenseDocumentSchema()


def load_expense_response(response: dict[str, Any]) -> trp2_expense.TAnalyzeExpenseDocument:
    """Parse one AnalyzeExpense / GetExpenseAnalysis response (or several pages merged) into trp's objects.

    The OCR ``Blocks`` are left out: nothing here uses them and they are most of the parsing time.
    """
    slim = dict(response)
    slim["ExpenseDocuments"] = [
        {k: v for k, v in doc.items() if k != "Blocks"} for doc in response.get("ExpenseDocuments", [])
    ]
    slim.pop("ResponseMetadata", None)
    return _SCHEMA.load(slim)


# --- candidates ---------------------------------------------------------------------------------------------

@dataclass(slots=True)
class Candidate:
    value: str
    confidence: float
    page: int | None
    bbox: BBox | None
    position: tuple[int, float, float]  # page, top, left: reading order for ties
    issue: str | None = None  # said about the document if this candidate is chosen

    def to_field(self) -> FieldValue:
        return FieldValue(self.value, round(self.confidence, 2), self.page, self.bbox)


def _bbox(detection: Any) -> BBox | None:
    geometry = getattr(detection, "geometry", None)
    box = getattr(geometry, "bounding_box", None)
    if box is None:
        return None
    return (float(box.left), float(box.top), float(box.width), float(box.height))


def _position(page: int | None, bbox: BBox | None) -> tuple[int, float, float]:
    return (page or 0, bbox[1] if bbox else 1.0, bbox[0] if bbox else 1.0)


def _combined_confidence(field: Any) -> float:
    value = field.valuedetection
    parts = [float(value.confidence or 0.0)]
    if field.ftype is not None and field.ftype.confidence is not None:
        parts.append(float(field.ftype.confidence))
    label = field.labeldetection
    if label is not None and (label.text or "").strip():
        parts.append(float(label.confidence or 0.0))
    return min(parts)


def _groups(field: Any) -> set[str]:
    return {t for group in (getattr(field, "group_properties", None) or []) for t in (group.types or [])}


def _clean_line(text: str) -> str:
    """One line: the value's lines joined by spaces, dropping lines with no letter or digit (OCR'd rules, '-')."""
    lines = [ln.strip() for ln in text.splitlines() if any(ch.isalnum() for ch in ln)]
    return re.sub(r"\s+", " ", " ".join(lines)).strip(" ,;:-")


def _clean_multiline(text: str) -> str:
    lines = [re.sub(r"\s+", " ", ln).strip(" ,;") for ln in text.splitlines() if any(ch.isalnum() for ch in ln)]
    return "\n".join(ln for ln in lines if ln)


def _clean_identifier(text: str, label: str) -> str:
    """An invoice number or similar: the label repeated inside the value ("Invoice #1258") and '#'/':' removed."""
    value = _clean_line(text)
    label = _clean_line(label)
    if label and value.lower().startswith(label.lower()):
        value = value[len(label):]
    return value.strip(" #:.-")


# --- dates --------------------------------------------------------------------------------------------------

def _both_orders(text: str) -> tuple[date | None, date | None]:
    return parse_date(text, order="DMY"), parse_date(text, order="MDY")


def _document_date_order(texts: Iterable[str]) -> str | None:
    """"DMY" or "MDY" when the document's own dates prove it (a day > 12 somewhere), else None."""
    dmy = mdy = 0
    for text in texts:
        for match in find_dates(text):
            dmy += match.order_evidence == "DMY"
            mdy += match.order_evidence == "MDY"
    if dmy == mdy:
        return None
    return "DMY" if dmy > mdy else "MDY"


_TAX_FLAG = re.compile(r"\s+[A-Z]{1,2}$")


def _amount(text: str, decimal_sep: str | None) -> str | None:
    """An amount as a decimal string. Receipts print a tax-class letter after prices ("$899.99 S"), which
    Textract keeps in the value; it is dropped when the text does not parse with it."""
    value = parse_amount(text, decimal_sep=decimal_sep)
    if value is None and _TAX_FLAG.search(text.strip()):
        value = parse_amount(_TAX_FLAG.sub("", text.strip()), decimal_sep=decimal_sep)
    return None if value is None else str(value)


# --- the mapping --------------------------------------------------------------------------------------------

class _Mapper:
    def __init__(self, parsed: trp2_expense.TAnalyzeExpenseDocument, raw: dict[str, Any], name: str):
        self.parsed = parsed
        self.issues: list[str] = []
        self.result = ExtractionResult(file=name, engine=ENGINE)
        # (Textract type, summary field, raw dict of that field) for every summary field of every expense doc.
        self.summary: list[tuple[str, Any, dict[str, Any]]] = []
        for doc, raw_doc in zip(parsed.expenses_documents or [], raw.get("ExpenseDocuments", []), strict=True):
            for field, raw_field in zip(doc.summaryfields or [], raw_doc.get("SummaryFields", []), strict=True):
                if field.valuedetection is None or field.ftype is None:
                    continue
                self.summary.append((field.ftype.text or "", field, raw_field))

    def run(self) -> ExtractionResult:
        self.currency = self._currency()
        self.date_order = _document_date_order(
            f.valuedetection.text or "" for t, f, _ in self.summary if t in DATE_TYPES
        )
        self.decimal_sep = decimal_separator_of(self._amount_texts())
        for name, tiers in SUMMARY_TYPES.items():
            for types in tiers:
                candidates = [c for t, f, _ in self.summary if t in types if (c := self._candidate(name, f))]
                if candidates:
                    self._choose(name, candidates)
                    break
        self._iban()
        if self.currency:
            self._choose("currency", self.currency)
        self._line_items()
        self.result.issues.extend(self.issues)
        return self.result

    # one summary field → one candidate for our field, or None when its value is empty or does not parse
    def _candidate(self, name: str, field: Any) -> Candidate | None:
        text = field.valuedetection.text or ""
        if not text.strip():
            return None
        if name == "vendor_tax_id" and _groups(field) & RECEIVER_GROUPS:
            return None
        confidence = _combined_confidence(field)
        bbox = _bbox(field.valuedetection)
        page = field.pagenumber
        issue = None
        if name in AMOUNT_FIELDS:
            value = _amount(text, self.decimal_sep)
            if value is None:
                return None
        elif name in ("invoice_date", "due_date"):
            parsed = self._date(text)
            if parsed is None:
                return None
            day, ambiguous = parsed
            value = day.isoformat()
            if ambiguous:
                confidence = min(confidence, AMBIGUOUS_CAP)
                issue = f"the {name.replace('_', ' ')} could be read day-first or month-first"
        elif name in MULTILINE_FIELDS:
            value = _clean_multiline(text)
        elif name in ("invoice_number", "po_number", "vendor_tax_id"):
            label = field.labeldetection.text if field.labeldetection is not None else ""
            value = _clean_identifier(text, label or "")
        else:
            value = _clean_line(text)
        if not value:
            return None
        return Candidate(value, confidence, page, bbox, _position(page, bbox), issue)

    def _date(self, text: str) -> tuple[date, bool] | None:
        """The date and whether its day/month order was a guess."""
        dmy, mdy = _both_orders(text)
        if dmy is None or mdy is None or dmy == mdy:
            day = dmy or mdy or parse_date(text)
            return (day, False) if day else None
        if self.date_order:
            return (dmy if self.date_order == "DMY" else mdy), False
        guess = mdy if self.currency_code() == "USD" else dmy
        return guess, True

    def _amount_texts(self) -> list[str]:
        texts = [f.valuedetection.text or "" for t, f, _ in self.summary if t in AMOUNT_TYPES]
        for doc in self.parsed.expenses_documents or []:
            for group in doc.lineitemgroups or []:
                for line in group.lineitems or []:
                    texts.extend(
                        c.valuedetection.text or "" for c in line.lineitem_expensefields or []
                        if c.ftype is not None and c.valuedetection is not None and c.ftype.text in LINE_NUMBER_TYPES
                    )
        return texts

    def currency_code(self) -> str | None:
        return max(self.currency, key=lambda c: c.confidence).value if self.currency else None

    def _choose(self, name: str, candidates: list[Candidate]) -> None:
        groups: dict[str, list[Candidate]] = {}
        for candidate in candidates:
            groups.setdefault(candidate.value, []).append(candidate)
        # Each value's confidence is its best reading; where it is shown is its first reading that is about as
        # sure (a header repeated on every page points at page 1).
        best = {value: max(c.confidence for c in group) for value, group in groups.items()}
        top = max(best.values())
        tied = [v for v, conf in best.items() if conf >= top - TIE_WINDOW]
        winner = min(tied, key=lambda v: (-len(groups[v]), min(c.position for c in groups[v])))
        chosen = min((c for c in groups[winner] if c.confidence >= best[winner] - TIE_WINDOW), key=lambda c: c.position)
        field = chosen.to_field()
        field.confidence = round(best[winner], 2)
        if chosen.issue:
            self._issue(chosen.issue)
        rivals = [v for v, conf in best.items() if v != winner and conf >= RIVAL_MIN]
        if rivals:
            field.confidence = min(field.confidence, CONFLICT_CAP)
            self._issue(f"Textract found {len(rivals) + 1} different values for the {name.replace('_', ' ')}")
        self.result.fields[name] = field

    def _issue(self, text: str) -> None:
        if text not in self.issues:
            self.issues.append(text)

    # currency: Textract's own Currency blocks first, then what the amounts print
    def _currency(self) -> list[Candidate]:
        found: list[Candidate] = []
        for ftype, field, raw_field in self.summary:
            if ftype not in AMOUNT_TYPES:
                continue
            text = field.valuedetection.text or ""
            bbox = _bbox(field.valuedetection)
            page = field.pagenumber
            confidence = _combined_confidence(field)
            block = raw_field.get("Currency") or {}
            code = _TEXTRACT_CURRENCY_FIXES.get(block.get("Code", ""), block.get("Code", ""))
            if code in _ISO_CURRENCIES:
                found.append(Candidate(code, float(block.get("Confidence", confidence)), page, bbox,
                                       _position(page, bbox)))
                continue
            code, ambiguous = _currency_in_text(text)
            if code:
                found.append(Candidate(code, min(confidence, AMBIGUOUS_CAP) if ambiguous else confidence, page,
                                       bbox, _position(page, bbox)))
        return found

    def _iban(self) -> None:
        candidates = []
        for _, field, _ in self.summary:
            if _groups(field) & RECEIVER_GROUPS:
                continue
            text = (field.valuedetection.text or "").upper()
            for match in _IBAN_SHAPE.finditer(text):
                compact = iban_check.compact(match[0])
                if iban_check.is_valid(compact):
                    bbox = _bbox(field.valuedetection)
                    candidates.append(Candidate(compact, _combined_confidence(field), field.pagenumber, bbox,
                                                _position(field.pagenumber, bbox)))
        if candidates:
            self._choose("iban", candidates)

    def _line_items(self) -> None:
        for doc in self.parsed.expenses_documents or []:
            for group in doc.lineitemgroups or []:
                for line in group.lineitems or []:
                    item = _line_item(line.lineitem_expensefields or [], self.decimal_sep)
                    if item is not None:
                        self.result.line_items.append(item)


def _currency_in_text(text: str) -> tuple[str | None, bool]:
    """(ISO code, ambiguous) from an amount's printed text."""
    for match in _ISO_CODE.finditer(text):
        if match[1] in _ISO_CURRENCIES:
            return match[1], False
    for symbol in sorted(_UNAMBIGUOUS_SYMBOLS, key=len, reverse=True):
        if symbol in text:
            return _UNAMBIGUOUS_SYMBOLS[symbol], False
    for symbol, code in _AMBIGUOUS_SYMBOLS.items():
        if symbol in text:
            return code, True
    return None, False


def _line_item(cells: list[Any], decimal_sep: str | None) -> LineItem | None:
    by_type: dict[str, Any] = {}
    for cell in cells:
        if cell.ftype is None or cell.valuedetection is None or not (cell.valuedetection.text or "").strip():
            continue
        kind = cell.ftype.text or ""
        if kind not in by_type or (cell.valuedetection.confidence or 0) > (by_type[kind].valuedetection.confidence or 0):
            by_type[kind] = cell
    item = LineItem()
    used: list[Any] = []
    unreadable = False
    for kind in LINE_DESCRIPTION_TYPES:
        if kind in by_type:
            item.description = _clean_line(by_type[kind].valuedetection.text)
            used.append(by_type[kind])
            break
    for attr, kind in (("quantity", "QUANTITY"), ("unit_price", "UNIT_PRICE"), ("amount", "PRICE")):
        if kind not in by_type:
            continue
        number = _amount(by_type[kind].valuedetection.text, decimal_sep)
        if number is None:
            unreadable = True
            continue
        setattr(item, attr, number)
        used.append(by_type[kind])
    if not item.description and "EXPENSE_ROW" in by_type and not used:
        item.description = _clean_line(by_type["EXPENSE_ROW"].valuedetection.text)
        used.append(by_type["EXPENSE_ROW"])
    if not used:
        return None
    confidence = min(float(c.valuedetection.confidence or 0.0) for c in used)
    item.confidence = min(confidence, UNREADABLE_CELL_CAP) if unreadable else confidence
    item.page = next((c.pagenumber for c in used if c.pagenumber), None)
    row = by_type.get("EXPENSE_ROW")
    item.bbox = _bbox(row.valuedetection) if row is not None else None
    if item.bbox is None:
        boxes = [b for c in used if (b := _bbox(c.valuedetection))]
        if boxes:
            left, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
            right, bottom = max(b[0] + b[2] for b in boxes), max(b[1] + b[3] for b in boxes)
            item.bbox = (left, top, right - left, bottom - top)
    return item


def map_expense_response(response: dict[str, Any], *, name: str) -> ExtractionResult:
    """One AnalyzeExpense response, or the pages of a GetExpenseAnalysis job merged, as our result.

    Every ExpenseDocument in the response is taken as part of the one invoice the file holds (Textract splits
    a multi-page invoice into one ExpenseDocument per page). ``cross_check`` has been applied.
    """
    parsed = load_expense_response(response)
    result = _Mapper(parsed, response, name).run()
    metadata = parsed.document_metadata
    result.pages = int(metadata.pages) if metadata is not None and metadata.pages else 0
    return cross_check(result)
