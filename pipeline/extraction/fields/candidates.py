"""Labelled candidates: every label on the page linked to the text it points at, read as its field's value.

A label's value is found, in this order of preference, in the rest of its own segment ("Invoice no: 42"),
in the next segment to its right on the same line ("Invoice no  |  42"), or in the segment just below it
("Invoice no" over "42", as in header tables). Amount labels take the rightmost amount of their row, which is
where totals blocks print them. Distractor labels (order date, customer number, amount paid…) produce no
candidate, and they keep their value from being read by a more generic label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..layout import Line, Segment
from ..parsing.labels import LabelMatch
from ..types import AMOUNT_FIELDS, BBox
from . import values as v
from .context import Context

__all__ = ["Candidate", "labelled_candidates", "LABEL_FIELD"]

# Label kinds → the field they name.
LABEL_FIELD: dict[str, str] = {
    "invoice_number": "invoice_number",
    "invoice_date": "invoice_date",
    "due_date": "due_date",
    "po_number": "po_number",
    "subtotal": "subtotal",
    "tax": "tax",
    "total": "total",
    "amount_due": "amount_due",
    "iban": "iban",
    "vendor_tax_id": "vendor_tax_id",
    "payment_terms": "payment_terms",
    "currency": "currency",
    "customer": "customer_name",
    "vendor": "vendor_name",
}

# Words that make a tax id or IBAN label the customer's ("Customer VAT no.", "BTW-nr. klant", "Ihre USt-IdNr.").
_CUSTOMER_KINDS = frozenset({"customer", "x_customer_number"})
_CUSTOMER_WORDS = ("your ", "ihre ", "ihr ", "votre ", "vos ", "uw ", "su ", "vostr", "vs. ", "customer", "client",
                   "kunde", "klant", "cliente", "buyer", "acquirente", "destinatari", "debitor", "mandat",
                   "lastschrift", "direct debit", "prelevement", "domiciliacion", "incasso", "addebito",
                   "afgeschreven", "abgebucht", "eingezogen", "charged to", "debited")


@dataclass(slots=True)
class Candidate:
    field: str
    value: str
    score: float  # 0..1: how it was found × how well the value has the field's shape
    page: int
    bbox: BBox | None
    ocr: float  # lowest word confidence of the value, 0..100
    relation: str  # "inline", "right", "below", "shape", ...
    label: LabelMatch | None = None
    segment: Segment | None = None
    order: float = 0.0  # reading position (page + top) to prefer later/earlier ones
    extra: dict = field(default_factory=dict)


def _reader(name: str, ctx: Context):
    if name in ("invoice_number", "po_number"):
        return v.read_id
    if name in ("invoice_date", "due_date"):
        return lambda text: v.read_date(text, ctx.date_order)
    if name in AMOUNT_FIELDS:
        return lambda text: v.read_amounts(text, ctx.decimal_sep)
    return {
        "iban": v.read_iban,
        "vendor_tax_id": v.read_tax_id,
        "payment_terms": v.read_terms,
        "currency": v.read_currency,
        "customer_name": v.read_name,
        "vendor_name": v.read_name,
    }[name]


def _relation_factor(relation: str, label: LabelMatch) -> float:
    if relation == "inline":
        return 1.0 if label.colon else 0.93
    if relation == "right":
        return 1.0 if label.colon else 0.97
    if relation == "right_far":
        return 0.88
    if relation == "below":
        return 0.92
    return 0.8  # below, second line


def _is_customer_context(seg: Segment, label: LabelMatch, ctx: Context) -> bool:
    text = seg.folded
    window = text[max(0, label.start - 24) : label.end + 12]
    if any(w in window for w in _CUSTOMER_WORDS):
        return True
    return any(o.kind in _CUSTOMER_KINDS for o in ctx.labels_of(seg) if o is not label and abs(o.start - label.end) < 8)


def _continues_label_above(seg: Segment, ctx: Context) -> bool:
    """A generic label word under another label ("PAYMENT DUE" / "DATE"): one label over two lines."""
    if any(ctx.starts_with_label(r) is None for r in ctx.layout.right_of(seg, max_gap=0.8)):
        return False  # its value is on its own row
    above = ctx.layout.above(seg, max_lines=1)
    for a in above:
        if a.page == seg.page and seg.top - a.bottom < 0.8 * max(seg.height, ctx.layout.line_height) \
                and ctx.is_only_label(a) and abs(a.left - seg.left) < 0.03:
            return True
    return False


def labelled_candidates(ctx: Context) -> list[Candidate]:
    out: list[Candidate] = []
    for seg in ctx.layout.segments:
        labels = ctx.labels_of(seg)
        for i, label in enumerate(labels):
            name = LABEL_FIELD.get(label.kind)
            if name is None:
                continue
            if name in ("vendor_tax_id", "iban") and _is_customer_context(seg, label, ctx):
                continue
            if label.weight < 1.0 and ctx.is_only_label(seg) and _continues_label_above(seg, ctx):
                continue
            found = _link(ctx, seg, i, label, name)
            out.extend(found)
            if name == "invoice_number":
                out.extend(_date_after_number(ctx, found))
    return out


_OF_DATE = re.compile(r"^\s*,?\s*(?:du|vom|del|van|of|dated|from|d\.?d\.?|dal|de)\s+", re.I)


def _date_after_number(ctx: Context, found: list[Candidate]) -> list[Candidate]:
    """"Facture n° 562 du 02 juillet 2015", "Rechnung Nr. 5 vom 3.3.2025": the invoice's date follows its number."""
    out = []
    for c in found:
        seg = c.segment
        if seg is None or c.bbox is None:
            continue
        end = seg.text.find(c.value)
        if end < 0:
            continue
        end += len(c.value)
        m = _OF_DATE.match(seg.text, end)
        if m is None:
            continue
        values = v.read_date(seg.text[m.end():], ctx.date_order)
        if values and values[0].start == 0:
            val = values[0]
            a, b = m.end() + val.start, m.end() + val.end
            out.append(Candidate(field="invoice_date", value=val.value, score=0.85 * c.score * val.quality,
                                 page=seg.page, bbox=seg.bbox_of(a, b), ocr=seg.confidence_of(a, b),
                                 relation="inline", segment=seg, order=seg.page + seg.top))
    return out


def _zones(ctx: Context, seg: Segment, i: int, label: LabelMatch, name: str) -> list[tuple[Segment, int, int, str]]:
    labels = ctx.labels_of(seg)
    nxt = labels[i + 1].start if i + 1 < len(labels) else len(seg.text)
    zones: list[tuple[Segment, int, int, str]] = []
    inline = seg.text[label.end : nxt]
    if inline.strip(" :-#*|.=") and not (i + 1 < len(labels) and not inline.strip(" :-#*|.=()")):
        zones.append((seg, label.end, nxt, "inline"))
        if name not in AMOUNT_FIELDS and (i + 1 < len(labels) or len(inline.strip(" :-#*|.=")) > 3):
            return zones
    elif i + 1 < len(labels):
        # Two column headers printed as one segment ("Grondslag BTW bedrag"): this one's value is under it.
        return _below(ctx, seg, name, [], box=seg.bbox_of(label.start, label.end))
    amount = name in AMOUNT_FIELDS
    if zones and amount:
        # Amount labels: the rest of the row too ("VAT 20% of 100.00  |  20.00": the rightmost wins).
        for r in ctx.layout.right_of(seg, max_gap=0.8):
            if ctx.starts_with_label(r) and not ctx.is_only_label(r) and ctx.starts_with_label(r).kind != "x_rate":
                break
            zones.append((r, 0, len(r.text), "right"))
        return zones
    rights = ctx.layout.right_of(seg, max_gap=0.8 if amount else 0.5)
    if rights:
        if amount:
            for r in rights:
                start_label = ctx.starts_with_label(r)
                if start_label is not None and start_label.kind not in ("x_rate",) and not _numeric_start(r):
                    break
                zones.append((r, 0, len(r.text), "right"))
            if zones:
                return zones
        else:
            r = rights[0]
            row = []  # the cells right of the label, up to the next label on the line
            for cell in seg.line.segments:
                if cell.left < seg.right - 0.002:
                    continue
                if row and ctx.starts_with_label(cell) is not None:
                    break
                row.append(cell)
            # A value of its own: not the first cell of a table row that merely shares the line.
            if ctx.starts_with_label(r) is None and len(row) <= 2:
                below = _below(ctx, seg, name, [])
                far = r.left - seg.right > 0.12 and not label.colon
                if far and below and abs(below[0][0].left - seg.left) < 0.012 \
                        and any(ch.isdigit() for ch in below[0][0].text):
                    # A label column with values under each label (a sidebar); the row is another column.
                    return below + [(r, 0, len(r.text), "right_far")]
                return [(r, 0, len(r.text), "right_far" if far else "right"), *below]
    return _below(ctx, seg, name, zones)


def _below(ctx: Context, seg: Segment, name: str, zones: list, *, box=None) -> list[tuple[Segment, int, int, str]]:
    """The value under a label (header tables, stacked forms); ``box`` narrows the label to part of ``seg``."""
    left, right = (box[0], box[0] + box[2]) if box else (seg.left, seg.right)
    width = right - left
    below = ctx.layout.below(seg, max_lines=2)
    # Per line, the cell most under the label first (narrow columns overlap their neighbours a little).
    below.sort(key=lambda b: (b.line.index, -(min(b.right, right) - max(b.left, left))))
    lines_seen: list = []
    for b in below:
        if b.line not in lines_seen:
            lines_seen.append(b.line)
        depth = "below" if len(lines_seen) == 1 else "below2"
        overlap = min(b.right, right) - max(b.left, left)
        if overlap < 0.25 * min(b.width, width) and abs(b.left - left) > 0.02:
            continue
        if ctx.starts_with_label(b) is not None:
            if ctx.is_only_label(b):
                continue  # a label over two lines, or the next label of a stacked form
            break
        if name in AMOUNT_FIELDS and len(b.line.segments) >= 3 and any(
                _WORDY_CELL.search(o.text) and ctx.starts_with_label(o) is None and _under_column_header(o, seg.line)
                for o in b.line.segments):
            break  # an item row under a column header, not this amount (a tax summary row has only numbers)
        zones.append((b, 0, len(b.text), depth))
        # A label's second line ("DATE LIMITE DE" / "PAIEMENT") holds no digits: the value may be one lower.
        if name in AMOUNT_FIELDS or any(c.isdigit() for c in b.text) or depth == "below2":
            break
    return zones


_TRAILING_JUNK = re.compile(r"[^\W\d_]{2,}")
_LEAD_WORD = re.compile(r"[^\W\d_]{3,}")


def _under_column_header(cell: Segment, header: Line) -> bool:
    """``cell`` sits under a short cell of the label's row: a column of the same table, not a paragraph beside it."""
    return any(min(h.right, cell.right) - max(h.left, cell.left) > 0 and len(h.text.split()) <= 4
               for h in header.segments)


_TAX_SUFFIX = re.compile(r"^(?:R[TCPZ]\d{4}|MWST|TVA|IVA)$")


def _tax_id_suffix(ctx: Context, seg: Segment, val: v.Value) -> v.Value:
    """"300576428  RT0001" (a Canadian program account), "CHE-123.456.789  MWST": a suffix set apart."""
    mid = (seg.top + seg.bottom) / 2
    for r in ctx.layout.segments:  # by position: OCR may have put the suffix on a line of its own
        if r.page == seg.page and r.top <= mid <= r.bottom and seg.right - 0.002 <= r.left <= seg.right + 0.05 \
                and _TAX_SUFFIX.match(r.text.strip()):
            return v.Value(f"{val.value} {r.text.strip()}", val.start, val.end, val.quality)
    return val


_WORDY_CELL = re.compile(r"[^\W\d_]{4,}")


def _numeric_start(seg: Segment) -> bool:
    t = seg.text.lstrip(" (-€$£")
    return bool(t) and t[0].isdigit()


def _overlap(a: Segment, b: Segment) -> float:
    return min(a.right, b.right) - max(a.left, b.left)


_SWISS_UID = re.compile(r"CHE[\-. ]?\d{3}[.\-]?\d{3}[.\-]?\d{3}")
_TAX_ID_SHAPE = re.compile(r"^[\s:#.]*(?:(?:[A-Z]{2}|CHE)[ \-.]?\d{2}|\d{8,}(?![.,]\d)|[A-Z]\d{7,8}[A-Z0-9]?\b)")


def _link(ctx: Context, seg: Segment, i: int, label: LabelMatch, name: str) -> list[Candidate]:
    if name == "tax":
        # "VAT: DE123456789", "MWST: CHE-123.456.789": a tax label over a tax id, not an amount
        zones = _zones(ctx, seg, i, label, "vendor_tax_id")
        if zones and _TAX_ID_SHAPE.match(zones[0][0].text[zones[0][1] : zones[0][2]]):
            if _is_customer_context(seg, label, ctx):
                return []
            name = "vendor_tax_id"
    read = _reader(name, ctx)
    found: list[Candidate] = []
    at_start = seg.folded[: label.start].strip(" :-#*•") == ""
    if not at_start and label.weight <= 0.6:
        return []  # a generic word ("number") inside a phrase is no label
    pos_factor = 1.0 if at_start else 0.85
    for zseg, start, end, relation in _zones(ctx, seg, i, label, name):
        if name in ("vendor_tax_id", "vendor_name", "customer_name", "payment_terms") and relation == "inline":
            # "CHE-123.456.789 MWST", "sold by Amazon Web Services": words in the value that look like labels
            end = len(zseg.text)
        text = zseg.text[start:end]
        values = read(text)
        if not values:
            continue
        if name in AMOUNT_FIELDS:
            values = values[-1:]  # the rightmost amount of the zone
            if relation == "inline" and values and _TRAILING_JUNK.search(text[values[0].end :]):
                continue  # "TVA non applicable, art. 293 B du CGI": a number inside a sentence
        else:
            values = values[:1]
        for val in values:
            a, b = start + val.start, start + val.end
            if name == "vendor_tax_id" and b >= len(zseg.text.rstrip()):
                val = _tax_id_suffix(ctx, zseg, val)
            if name == "vendor_tax_id" and _SWISS_UID.fullmatch(val.value) and label.kind in ("tax", "vendor_tax_id") \
                    and re.search(r"mwst|tva|iva|vat", seg.folded[label.start : label.end]):
                # A Swiss UID under a VAT label is the VAT number, written "CHE-123.456.789 MWST"
                suffix = {"fr": "TVA", "it": "IVA"}.get(label.language or "", "MWST")
                val = v.Value(f"{val.value} {suffix}", val.start, val.end, val.quality)
            weight = max(label.weight, 0.8) if label.colon else label.weight  # "Nummer:" is a label
            if label.weight == 0.8 and name in ("invoice_date", "invoice_number") and zseg.page == 1 \
                    and zseg.top < 0.4 and len(val.value) >= 4:
                weight = 0.86  # "Date" / "Invoice 2025-118" in the header: the invoice's own
            if relation == "below2" and weight < 1.0:
                continue
            score = weight * _relation_factor(relation, label) * pos_factor * val.quality
            if name in ("invoice_date", "invoice_number") and zseg.top > 0.85:
                score *= 0.9  # a page footer's date or number is more often a print date or a reference
            if name not in ("vendor_name", "customer_name", "payment_terms") and _LEAD_WORD.search(text[: val.start]):
                score *= 0.75  # "Date de facture associée : 30/11/2018": a qualifier between label and value
            found.append(Candidate(
                field=name, value=val.value, score=score, page=zseg.page, bbox=zseg.bbox_of(a, b),
                ocr=zseg.confidence_of(a, b), relation=relation, label=label, segment=zseg,
                order=zseg.page + zseg.top, extra={"number": val.number, "label_seg": seg, "at_start": at_start},
            ))
        if name not in AMOUNT_FIELDS and found:
            break
    if name in AMOUNT_FIELDS and len(found) > 1:
        found.sort(key=lambda c: c.segment.right if c.segment else 0)
        numbers = [c.extra.get("number") for c in found]
        if name in ("tax", "subtotal") and len(found) >= 3 and None not in numbers[-3:] \
                and numbers[-3] + numbers[-2] == numbers[-1]:
            # a tax row "19 %  |  376,37  |  71,51  |  447,88": base, tax, gross
            found = [found[-2] if name == "tax" else found[-3]]
        else:
            found = found[-1:]
    return found
