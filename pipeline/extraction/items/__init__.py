"""Line items: the rows of an invoice's items table (description, quantity, unit price, amount).

``find_line_items(layout)`` finds the table by its header row (column names in six languages, see
:mod:`.header`), reads its rows under those columns across page breaks (:mod:`.table`) and stops at the totals
block. A table without a header is found by its column of amounts (:mod:`.headerless`). Each item gets a
confidence from how consistent its row is (quantity × unit price = amount), whether its columns were all
found, the OCR certainty of its words, and whether the items add up to a total printed under the table.

``items_total(items)`` is the sum of the amounts, for the field parser's cross-checks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from ..layout import Layout, Line, build_layout
from ..parsing.amounts import decimal_separator_of, find_amounts
from ..types import Document, LineItem, Page, Word, union_bbox
from .header import Header, find_headers
from .table import RawRow, cell_amount, cell_quantity, read_table

__all__ = ["find_line_items", "items_total"]

_POS_PREFIX = re.compile(r"^\s*\d{1,4}[.)]?\s+(?=\S)")
_SPACES = re.compile(r"\s+")


def find_line_items(layout: Layout, *, decimal_sep: str | None = None) -> list[LineItem]:
    """The items of the document's items table, in order; empty when there is none."""
    if not layout.lines:
        return []
    sep = decimal_sep or decimal_separator_of(s.text for s in layout.segments)
    layout = _without_watermarks(layout)
    headers = find_headers(layout)
    for k, header in enumerate(headers):
        rows, stop = read_table(layout, header, headers[k + 1 :], sep)
        _split_codes(rows)
        items = [item for row in rows if (item := _item(row, sep)) is not None]
        if items:
            _strip_numbering(items)
            _check_sum(items, layout, stop, sep)
            return items
    from .headerless import find_headerless

    return find_headerless(layout, sep)


def _without_watermarks(layout: Layout) -> Layout:
    """The layout again without giant words (a diagonal "COPY" watermark), which swallow the rows they cross."""
    limit = 6 * (layout.line_height or 0.012)
    words = [w for line in layout.lines for s in line.segments for w in s.words]
    if all(w.height <= limit for w in words):
        return layout
    pages: dict[int, list[Word]] = {}
    for w in words:
        if w.height <= limit:
            pages.setdefault(w.page, []).append(w)
    # The page's size only sets how wide a gap splits a segment; an A4 page's proportions are near enough.
    document = Document(
        pages=[Page(number=n, width=595, height=842, words=pages.get(n, [])) for n in range(1, layout.page_count + 1)],
        engine="",
    )
    return build_layout(document)


def items_total(items: Sequence[LineItem]) -> Decimal | None:
    """The sum of the items' amounts, or None when there are no items or one has no amount."""
    if not items:
        return None
    total = Decimal(0)
    for item in items:
        if item.amount is None:
            return None
        try:
            total += Decimal(item.amount)
        except InvalidOperation:
            return None
    return total


def _text(parts: list[str]) -> str:
    return _SPACES.sub(" ", " ".join(p for p in parts if p)).strip()


def _item(row: RawRow, sep: str | None) -> LineItem | None:
    amount = cell_amount(row.cells.get("amount", []), sep)
    if amount is None:
        return None
    desc_parts = list(row.cells.get("desc", []))
    if "desc" not in row.columns:
        desc_parts = [t for t in row.cells.get("other", []) if not _mostly_number(t)]
    description = _text(row.before_desc + desc_parts + row.extra_desc)
    if "pos" in row.columns and not row.cells.get("pos") and _POS_PREFIX.match(description):
        description = _POS_PREFIX.sub("", description, count=1)
    qty = cell_quantity(row.cells.get("qty", []), sep)
    if qty is None and not row.cells.get("qty"):
        qty = cell_quantity(row.cells.get("unit", []), sep)  # "50 pcs" drawn under "Qty Unit"
    price = cell_amount(row.cells.get("price", []), sep)
    if (qty is None) != (price is None):
        # A value under a header we could not name: the arithmetic says what it is.
        for text in row.cells.get("other", []):
            value = cell_quantity([text], sep)
            if value is None or not consistent(qty or value, price or value, amount):
                continue
            qty, price = (value, price) if qty is None else (qty, value)
            break
    disc = _percent(row.cells.get("disc", []))
    if (qty is None) != (price is None):
        qty, price = _split_run_together(row, qty, price, amount, disc, sep)
    if qty is not None and price is not None and not consistent(qty, price, amount, disc):
        # "5.000" is 5 or 5000 depending on the decimal mark; the arithmetic tells which (JPY invoices).
        texts = row.cells.get("qty") or row.cells.get("unit") or []
        for other in (".", ","):
            alt = cell_quantity(texts, other)
            if alt is not None and alt != qty and consistent(alt, price, amount, disc):
                qty = alt
                break
    item = LineItem(
        description=description,
        quantity=_dec(qty),
        unit_price=_dec(price),
        amount=_dec(amount),
        page=row.page,
        bbox=union_bbox(row.words),
    )
    item.confidence = row_confidence(qty, price, amount, disc, row.columns, description, row.words)
    return item


_TWO_NUMBERS = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s+(\S.*)$")


def _split_run_together(
    row: RawRow, qty: Decimal | None, price: Decimal | None, amount: Decimal, disc: Decimal | None, sep: str | None
) -> tuple[Decimal | None, Decimal | None]:
    """"2 270,62 EUR" in one cell is a quantity and a price, not 2270.62, when they multiply to the amount."""
    texts = row.cells.get("price") if qty is None else row.cells.get("qty")
    m = _TWO_NUMBERS.match(" ".join(texts or []))
    if m is None:
        return qty, price
    q, p = cell_quantity([m.group(1)], sep), cell_amount([m.group(2)], sep)
    if q is not None and p is not None and consistent(q, p, amount, disc):
        return q, p
    return qty, price


def row_confidence(
    qty: Decimal | None, price: Decimal | None, amount: Decimal, disc: Decimal | None,
    columns: tuple[str, ...], description: str, words: list[Word],
) -> float:
    """How sure the row is right: arithmetic agreement, columns found, OCR certainty."""
    if qty is not None and price is not None:
        conf = 90.0 if consistent(qty, price, amount, disc) else 55.0
    elif qty is not None or price is not None:
        conf = 72.0
    else:
        conf = 62.0 if not ({"qty", "price"} & set(columns)) else 55.0
    if not description:
        conf -= 25.0
    elif description[0].islower():
        conf -= 15.0  # starts mid-sentence: probably the tail of a description whose start was lost
    if words:
        low = min(w.confidence for w in words)
        mean = sum(w.confidence for w in words) / len(words)
        conf -= 0.5 * (100.0 - mean) + 0.3 * max(0.0, 85.0 - low)
    return max(1.0, min(99.0, conf))


def consistent(qty: Decimal, price: Decimal, amount: Decimal, disc: Decimal | None = None) -> bool:
    """quantity × unit price (less a discount %) = amount, within the rounding of what is printed."""
    expected = qty * price
    if disc is not None:
        expected = expected * (1 - disc / 100)
    tol = _half_unit(amount) + abs(qty) * _half_unit(price) + Decimal("0.0051")
    return abs(expected - amount) <= tol


def _half_unit(value: Decimal) -> Decimal:
    exp = value.as_tuple().exponent
    return Decimal(5).scaleb((exp if isinstance(exp, int) else 0) - 1)


def _percent(texts: list[str]) -> Decimal | None:
    for t in texts:
        m = re.search(r"(\d+(?:[.,]\d+)?)\s?%", t)
        if m:
            try:
                return Decimal(m.group(1).replace(",", "."))
            except InvalidOperation:
                return None
    return None


def _mostly_number(text: str) -> bool:
    digits = sum(c.isdigit() for c in text)
    return digits > 0 and digits >= 0.5 * len(text.replace(" ", ""))


def _dec(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return format(value, "f")


_CODE = re.compile(r"^(?=[\w./-]*\d)[\w./-]{4,}$")


_SKU = re.compile(r"^(?:[A-Z]{1,5}-?)?\d{4,}$")


def _split_codes(rows: list[RawRow]) -> None:
    """An article code at the start of most descriptions ("149562  Toner CE285A", "SKU-207919 Flyer A5") is a code
    column without a header of its own: it leaves the description."""
    if len(rows) < 2:
        return
    coded = [r for r in rows if len(r.cells.get("desc", [])) >= 2 and _CODE.match(r.cells["desc"][0])]
    if len(coded) >= 0.6 * len(rows):
        for r in coded:
            r.cells.setdefault("pos", []).append(r.cells["desc"].pop(0))
        return
    # The code run into the description's text: its first word, when that word is a code in most rows.
    firsts = [(r, r.cells["desc"][0].split(" ", 1)) for r in rows if r.cells.get("desc")]
    coded_words = [(r, parts) for r, parts in firsts if len(parts) == 2 and _SKU.match(parts[0])]
    if len(coded_words) >= 0.6 * len(rows) and len({parts[0] for _r, parts in coded_words}) == len(coded_words):
        for r, parts in coded_words:
            r.cells.setdefault("pos", []).append(parts[0])
            r.cells["desc"][0] = parts[1]


_NUMBERED = re.compile(r"^\s*(\d{1,4})[.)]?\s+(?=\S)")


def _strip_numbering(items: list[LineItem]) -> None:
    """Position numbers run into the descriptions ("1 Desk", "2 Chair", …): drop them when they count up."""
    found = [_NUMBERED.match(item.description) for item in items]
    if len(items) < 2 or not all(found):
        return
    numbers = [int(m.group(1)) for m in found if m is not None]
    if all(b > a for a, b in zip(numbers, numbers[1:], strict=False)) and numbers[0] <= 10 * len(numbers):
        for item, m in zip(items, found, strict=True):
            if m is not None:
                item.description = item.description[m.end() :]


def _check_sum(items: list[LineItem], layout: Layout, stop: Line | None, sep: str | None) -> None:
    """Items that add up to an amount printed just under the table are right together: raise them a little."""
    total = items_total(items)
    if total is None or stop is None:
        return
    candidates: list[Decimal] = []
    for line in layout.lines[stop.index : stop.index + 4]:
        if line.page != stop.page:
            break
        for seg in line.segments:
            candidates.extend(m.value for m in find_amounts(seg.text, decimal_sep=sep))
    if any(abs(c - total) <= Decimal("0.011") * len(items) for c in candidates):
        for item in items:
            item.confidence = min(97.0, item.confidence + 6.0)


def header_of(layout: Layout) -> Header | None:
    """The first items header in the document (for callers that want the table's position)."""
    headers = find_headers(layout)
    return headers[0] if headers else None


__all__ += ["cell_amount", "cell_quantity", "consistent", "header_of", "row_confidence"]
