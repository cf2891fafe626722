"""Items tables without a header row: found by a column of amounts aligned on their right edge.

A candidate row is a line that starts with text (not a label such as "Total" or "Invoice date") and ends with an
amount; consecutive candidates whose amounts end at the same x form a table. Numbers between the text and the
amount are the quantity and unit price, told apart by the arithmetic (quantity × price = amount) and, failing
that, by their shape. Only tables of two or more rows are taken, and their items get a lower confidence than
rows read under a header unless the arithmetic holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..layout import Layout, Line, Segment
from ..parsing.amounts import parse_amount
from ..parsing.labels import label_at_start
from ..types import LineItem, Word, union_bbox
from .table import cell_quantity

__all__ = ["find_headerless"]

_ALIGN = 0.012  # how far right edges of one amount column may differ (page width)
# Labels that make a line a total or a key/value pair rather than an item ("Web hosting" is a row).
_NOT_ROWS = frozenset({"subtotal", "total", "tax", "amount_due", "x_paid", "x_previous", "x_carried", "x_rate"})
_DECIMALS = re.compile(r"\d[.,]\d{2}(?!\d)")
_LETTERS = re.compile(r"[^\W\d_]{2,}")


@dataclass(slots=True)
class _Row:
    line: Line
    text: list[Segment]
    numbers: list[tuple[Segment, Decimal]]
    amount_right: float
    extra: list[str] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)


def _candidate(line: Line, sep: str | None) -> _Row | None:
    segs = line.segments
    if len(segs) < 2:
        return None
    last = segs[-1]
    amount = parse_amount(last.text, decimal_sep=sep)
    if amount is None or not _DECIMALS.search(last.text):
        return None  # money has decimals: "Seite: 1" is not an item
    text: list[Segment] = []
    numbers: list[tuple[Segment, Decimal]] = []
    for seg in segs[:-1]:
        value = parse_amount(seg.text, decimal_sep=sep)
        if value is None:
            value = cell_quantity([seg.text], sep) if numbers or text else None
        if value is not None and (text or numbers):
            numbers.append((seg, value))
        elif not numbers:
            text.append(seg)
        else:
            return None  # text between the numbers: not a table row
    if not text or not _LETTERS.search(text[0].text) or len(numbers) > 3:
        return None
    if any(s.text.rstrip().endswith(":") for s in text):
        return None  # "Amount: 12.00" is a key and its value
    for seg in text:
        label = label_at_start(seg.folded)
        if label is not None and (label.kind in _NOT_ROWS or label.colon):
            return None
    numbers.append((last, amount))
    return _Row(line, text, numbers, last.right, words=[w for s in segs for w in s.words])


def find_headerless(layout: Layout, decimal_sep: str | None) -> list[LineItem]:
    """The longest run of rows whose amounts line up, read as items; [] when there is no such run."""
    best: list[_Row] = []
    run: list[_Row] = []
    lh = layout.line_height or 0.012
    for line in layout.lines:
        row = _candidate(line, decimal_sep)
        prev = run[-1] if run else None
        if row is not None:
            fits = (
                prev is not None and prev.line.page == line.page and abs(prev.amount_right - row.amount_right) <= _ALIGN
                and len(prev.numbers) == len(row.numbers) and line.top - prev.line.bottom < 4 * lh
                and abs(prev.text[0].left - row.text[0].left) <= 0.01
            )
            if not fits:
                if len(run) > len(best):
                    best = run
                run = []
            run.append(row)
            continue
        if prev is not None and prev.line.page == line.page and line.top - prev.line.bottom < 1.3 * lh:
            segs = line.segments
            if len(segs) == 1 and abs(segs[0].left - prev.text[0].left) < 0.01 and _LETTERS.search(segs[0].text):
                if label_at_start(segs[0].folded) is None:
                    prev.extra.append(segs[0].text)
                    prev.words.extend(segs[0].words)
                    continue
        if len(run) > len(best):
            best = run
        run = []
    if len(run) > len(best):
        best = run
    # Two rows with quantities and prices make a table; amounts alone need three (a totals block has two).
    if len(best) < (2 if len(best[0].numbers) >= 2 else 3) if best else True:
        return []
    return [_item(r) for r in best]


def _item(row: _Row) -> LineItem:
    from . import consistent, row_confidence

    amount = row.numbers[-1][1]
    others = [v for _s, v in row.numbers[:-1]]
    qty = price = None
    if len(others) >= 2:
        a, b = others[-2], others[-1]
        if consistent(a, b, amount):
            qty, price = (a, b) if _looks_like_quantity(a) or not _looks_like_quantity(b) else (b, a)
        else:
            qty, price = a, b
    elif len(others) == 1:
        x = others[0]
        if x == amount:
            price = x
        elif _looks_like_quantity(x):
            qty = x
        else:
            price = x
    description = " ".join([" ".join(s.text for s in row.text), *row.extra]).strip()
    conf = row_confidence(qty, price, amount, None, ("desc", "qty", "price", "amount"), description, row.words)
    if not (qty is not None and price is not None and consistent(qty, price, amount)):
        conf = min(conf, 60.0)
    return LineItem(
        description=description,
        quantity=format(qty, "f") if qty is not None else None,
        unit_price=format(price, "f") if price is not None else None,
        amount=format(amount, "f"),
        confidence=conf - 5.0,
        page=row.line.page,
        bbox=union_bbox(row.words),
    )


def _looks_like_quantity(value: Decimal) -> bool:
    exp = value.as_tuple().exponent
    return value == value.to_integral_value() and (not isinstance(exp, int) or exp >= 0)
