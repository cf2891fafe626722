"""Reading the rows of an items table under a known header: cells, continuation lines, page breaks, the end.

Each line below the header is cut into cells by the header's columns (a segment that spans two value columns,
"60,00 10,00%", is cut at its numbers). A line with an amount in the amount column starts an item; a line with
only description text continues the item above it; a line that starts with a totals label (subtotal, total,
tax, amount due) ends the table; carried/brought-forward lines are skipped. At a page break the table goes on
under a repeated header, or, without one, at the first line whose numbers sit where the columns were.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..layout import Layout, Line, Segment
from ..parsing.amounts import find_amounts, parse_amount
from ..parsing.labels import find_labels, label_at_start
from ..types import Word
from .header import NUMERIC, Column, Header

__all__ = ["Chunk", "RawRow", "read_table"]

STOP_KINDS = frozenset({"subtotal", "total", "tax", "amount_due", "x_paid"})
SKIP_KINDS = frozenset({"x_carried", "x_previous"})
_ROW_KINDS = frozenset({"x_discount", "x_shipping"})
# Sums the shared labels do not name on their own.
_CARRY = re.compile(
    r"\b(?:anterior|precedente|previous|vorige|vortrag|ubertrag|report(?:e|ee)?|a\s+reporter|riport(?:o|are|ato)|"
    r"carried|brought|forward|viene\s+de|pasa\s+a|(?:page|pagina|seite|blatt|blad|pag)\.?\s*\d|"
    r"transport(?:e|eren)?|over\s+te\s+brengen|overgebracht|zu\s+ubertragen|suma\s+y\s+sigue|van\s+vorige|"
    r"vorherige[rn]?\s+seite)\b"
)
_EXTRA_STOP = re.compile(
    r"^\s*(?:suma|somma|som|sum|somme|imponibile|base|zwischentotal|\w*totaal|\w*summe|\w*total|totale?)\b"
)
_PERCENT = re.compile(r"[-+]?\d+(?:[.,]\d+)?\s?%")


@dataclass(slots=True)
class Chunk:
    words: list[Word]
    text: str
    left: float
    right: float
    numeric: bool


@dataclass(slots=True)
class RawRow:
    """One item as read: the cells' texts by column kind, and the words it covers."""

    page: int
    cells: dict[str, list[str]] = field(default_factory=dict)
    words: list[Word] = field(default_factory=list)
    top: float = 0.0
    bottom: float = 0.0
    extra_desc: list[str] = field(default_factory=list)  # continuation lines below the row's numbers
    before_desc: list[str] = field(default_factory=list)  # description lines above them (cells centred)
    columns: tuple[str, ...] = ()  # kinds the header had


def _units(seg: Segment, decimal_sep: str | None) -> list[Chunk]:
    """A segment cut at its numbers: each amount or percentage with the words after it up to the next one."""
    spans: list[tuple[int, int]] = []
    for m in find_amounts(seg.text, decimal_sep=decimal_sep):
        raw = seg.text[m.start : m.end]
        spans.append((m.start + len(raw) - len(raw.lstrip()), m.end))
    for m in _PERCENT.finditer(seg.text):
        if not any(s < m.end() and m.start() < e for s, e in spans):
            spans.append((m.start(), m.end()))
    spans.sort()
    if len(spans) < 2:
        return [_chunk(seg.words, seg.text, numeric=bool(spans))]
    groups: list[list[Word]] = []
    numeric: list[bool] = []
    for w, offset in zip(seg.words, seg.starts, strict=True):
        end = offset + len(w.text)
        begins = any(offset <= s < end for s, _e in spans)
        inside_earlier = any(s < offset < e for s, e in spans)
        if not groups or (begins and not inside_earlier):
            groups.append([w])
            numeric.append(begins or inside_earlier)
        else:
            groups[-1].append(w)
            numeric[-1] = numeric[-1] or begins or inside_earlier
    return [_chunk(g, " ".join(w.text for w in g), numeric=n) for g, n in zip(groups, numeric, strict=True)]


def _chunk(words: list[Word], text: str, *, numeric: bool) -> Chunk:
    return Chunk(words, text, min(w.left for w in words), max(w.right for w in words), numeric)


def _text_chunk(words: list[Word]) -> Chunk:
    return _chunk(words, " ".join(w.text for w in words), numeric=False)


def _overlap(a_left: float, a_right: float, c: Column) -> float:
    return min(a_right, c.right + 0.004) - max(a_left, c.left - 0.004)


class Grid:
    """The header's columns, with the rules that put a piece of a line into one of them."""

    def __init__(self, header: Header):
        self.header = header
        self.columns = header.columns
        self.desc = header.column("desc")
        self.amount = header.column("amount") or header.column("price")
        after = [c for c in self.columns if self.desc is not None and c.left > self.desc.right - 0.001]
        self.after_desc = min(after, key=lambda c: c.left) if after else None
        self.left = header.left - 0.03
        # A description column that comes first may hold text starting left of its (centred) header.
        self.desc_first = self.desc is not None and self.desc is self.columns[0]
        self.reach = self.desc.left - 0.17 if self.desc is not None else self.left
        self.right = header.right + 0.06
        # Where the amount column's values end (learnt from the rows read so far), for continuation pages.
        self.amount_rights: list[float] = []

    def column_of(self, ch: Chunk, *, after_text: bool = False) -> Column:
        """The column of a piece of a line; ``after_text``: a description piece precedes it on the line."""
        desc, nxt = self.desc, self.after_desc
        zone = self.reach if self.desc_first else (desc.left - 0.03 if desc is not None else 0.0)
        if desc is not None and ch.left >= zone:
            limit = nxt.left if nxt is not None else 1.0
            if not ch.numeric and ch.left < limit - 0.005:
                return desc
            # A number standing apart after the description is a value whose header is centred further right.
            inside = ch.right < limit - 0.01 and ch.left < limit - 0.005
            if inside and ch.left >= min(zone + 0.025, desc.left - 0.005) and not (after_text and nxt is not None):
                return desc
        best, best_ov = None, 0.0
        for c in self.columns:
            ov = _overlap(ch.left, ch.right, c)
            if ov > best_ov:
                best, best_ov = c, ov
        if best is not None:
            return best
        return min(self.columns, key=lambda c: max(c.left - ch.right, ch.left - c.right))

    def cells(self, line: Line, decimal_sep: str | None) -> list[tuple[Column, Chunk]]:
        """The line's pieces inside the table, each with its column, left to right."""
        out: list[Chunk] = []
        for seg in line.segments:
            if self.desc_first and self.reach <= seg.left < self.left and seg.right >= self.reach + 0.07:
                # Descriptions that start left of a centred "Description" header: the whole segment is the cell.
                if not seg.text.rstrip().endswith(":"):
                    out.append(_text_chunk(seg.words))
                    continue
            if seg.right < self.left or seg.left > self.right:
                continue
            words = [w for w in seg.words if w.right >= self.left and w.left <= self.right]
            if not words:
                continue
            if len(words) != len(seg.words):
                out.append(_text_chunk(words))
                continue
            desc = self.desc
            if desc is not None and seg.left < desc.left - 0.01 < seg.right:
                # A code run into the description ("SKU-1885 Film…"): cut where the description column starts.
                head = [w for w in seg.words if w.left < desc.left - 0.01]
                tail = [w for w in seg.words if w.left >= desc.left - 0.01]
                if head and tail:
                    out.extend((_text_chunk(head), _text_chunk(tail)))
                    continue
            value_cols = [c for c in self.columns if c.kind in NUMERIC and _overlap(seg.left, seg.right, c) > 0]
            pieces = _units(seg, decimal_sep) if len(value_cols) >= 2 else None
            if pieces is None or len(pieces) < 2:
                pieces = [_chunk(seg.words, seg.text, numeric=_is_numeric(seg.text, decimal_sep))]
            out.extend(pieces)
        placed: list[tuple[Column, Chunk]] = []
        after_text = False
        for ch in sorted(out, key=lambda c: c.left):
            col = self.column_of(ch, after_text=after_text)
            after_text = after_text or (col is self.desc and not ch.numeric)
            placed.append((col, ch))
        return self._spread(placed)

    def _spread(self, placed: list[tuple[Column, Chunk]]) -> list[tuple[Column, Chunk]]:
        """Two numbers in one value column while a neighbouring one is empty: values keep the columns' order."""
        order = [c for c in self.columns if c.kind in NUMERIC]
        for _ in range(len(order)):
            moved = False
            for k, col in enumerate(order):
                mine = [i for i, (c, ch) in enumerate(placed) if c is col and ch.numeric]
                if len(mine) < 2:
                    continue
                used = {id(c) for c, _ch in placed}
                if k > 0 and id(order[k - 1]) not in used:
                    i = min(mine, key=lambda i: placed[i][1].left)
                    placed[i] = (order[k - 1], placed[i][1])
                    moved = True
                elif k + 1 < len(order) and id(order[k + 1]) not in used:
                    i = max(mine, key=lambda i: placed[i][1].left)
                    placed[i] = (order[k + 1], placed[i][1])
                    moved = True
            if not moved:
                break
        return placed


_NUMERIC_START = re.compile(r"^\s*[-−(+]?\s*(?:[A-Za-z]{1,3}\.?\$?\s?|[€$£¥₹]\s?)?[-−]?\d")


def _is_numeric(text: str, decimal_sep: str | None) -> bool:
    """A number with at most a currency or a short unit ("12,50 €", "1 pausch.", "3 h"), not text with one."""
    if not _NUMERIC_START.match(text):
        return False
    tokens = text.split()
    letters = sum(ch.isalpha() for ch in text)
    return len(tokens) <= 3 and letters <= 12


_PER_UNIT = re.compile(r"\s*(?:/|\bper\s|\bpro\s|\bje\s|\bpar\s|\bpor\s)\s*[^\d\s]{1,8}\.?$", re.I)  # "80,00 €/h"
_TIMES = re.compile(r"^(\d[\d.,]*)\s*[x×](?=\s|$)", re.I)  # "2x" / "2 ×"


def cell_amount(texts: list[str], decimal_sep: str | None) -> Decimal | None:
    """The amount a cell holds: the whole text when it is one, else its last amount that is not a percentage."""
    if not texts:
        return None
    text = _PER_UNIT.sub("", " ".join(texts).strip())
    value = parse_amount(text, decimal_sep=decimal_sep)
    if value is not None:
        return value
    found = list(find_amounts(text, decimal_sep=decimal_sep))
    if not found:
        return None
    rest = text
    for m in reversed(found):
        rest = rest[: m.start] + " " + rest[m.end :]
    if re.search(r"\d", _PERCENT.sub(" ", rest)):
        return None  # digits left over ("9:99", "12.5O"): a misread number, not an amount beside some text
    return found[-1].value


def cell_quantity(texts: list[str], decimal_sep: str | None) -> Decimal | None:
    """The number a quantity cell starts with ("2 pcs", "1,5 h", "3.00")."""
    if not texts:
        return None
    text = _TIMES.sub(r"\1", " ".join(texts).strip())
    value = parse_amount(text, decimal_sep=decimal_sep)
    if value is not None:
        return value
    for m in find_amounts(text, decimal_sep=decimal_sep):
        if m.start <= 2:
            return m.value
        break
    return None


def _line_label(cells: list[tuple[Column, Chunk]]) -> str | None:
    """The label the line's text starts with; else a totals label anywhere in its first piece of text."""
    if not cells:
        return None
    ordered = sorted((cc[1] for cc in cells), key=lambda ch: ch.left)
    folded = _fold(ordered[0].text)
    if _CARRY.search(folded):
        return "x_carried"
    label = label_at_start(folded)
    if label is not None and (label.kind in STOP_KINDS or label.kind in SKIP_KINDS):
        return label.kind
    if label is not None and label.kind in _ROW_KINDS:
        return None  # "Discount", "Shipping": a row of the table
    if label is not None and label.kind == "x_rate":
        return "in_text:tax"  # a VAT rate table under the items
    if _EXTRA_STOP.match(folded):
        return "in_text:total"
    for found in find_labels(folded):
        if found.kind in STOP_KINDS or found.kind in SKIP_KINDS:
            return "in_text:" + found.kind
    # A totals label further right on the line ("Rate … Total excl. GST"), next to a small tax table.
    for ch in ordered[1:]:
        if ch.numeric:
            continue
        label = label_at_start(_fold(ch.text))
        if label is not None and (label.kind in STOP_KINDS or label.kind in SKIP_KINDS):
            return "in_text:" + label.kind
    return None


def _fold(text: str) -> str:
    from ..parsing.text import fold

    return fold(text)


@dataclass(slots=True)
class _State:
    rows: list[RawRow] = field(default_factory=list)
    last_bottom: float | None = None  # bottom of the last table line on this page
    gaps: list[float] = field(default_factory=list)
    ended: bool = False
    page_done: bool = False
    resuming: bool = False  # on a continuation page without a header: wait for a row that fits the columns
    stop_line: Line | None = None
    # Description-only lines not yet given to a row: (line, text, words); they go to the row above or below.
    pending: list[tuple[Line, str, list[Word]]] = field(default_factory=list)
    anchor: float | None = None  # bottom of what precedes the pending lines (the last row, or the header)
    tolerance: float = 0.004  # gaps closer than this are the same gap

    def settle(self, row: RawRow | None) -> None:
        """Give the pending lines to the previous row and to ``row``, split at the widest gap between them."""
        if not self.pending:
            return
        prev = self.rows[-1] if self.rows else None
        if prev is not None and self.pending[0][0].page != prev.page:
            prev = None
        split = len(self.pending)
        if row is not None:
            gaps = []
            last = self.anchor if self.anchor is not None else self.pending[0][0].top
            for line, _t, _w in self.pending:
                gaps.append(line.top - last)
                last = line.bottom
            gaps.append(row.top - last)
            # Gaps within a third of a line are equal; then the lines belong above (rows are top-aligned).
            widest = max(gaps)
            split = max(k for k, g in enumerate(gaps) if g >= widest - self.tolerance)
        for k, (line, text, words) in enumerate(self.pending):
            target = prev if k < split else row
            if target is None:
                continue
            if target is row:
                target.before_desc.append(text)
            else:
                target.extra_desc.append(text)
                target.bottom = max(target.bottom, line.bottom)
            target.words.extend(words)
        self.pending = []


def read_table(layout: Layout, header: Header, others: list[Header], decimal_sep: str | None) -> tuple[list[RawRow], Line | None]:
    """The rows under ``header`` (going on under ``others`` on later pages), and the line that ended the table."""
    grid = Grid(header)
    lines = layout.lines
    lh = layout.line_height or 0.012
    st = _State(tolerance=0.35 * lh)
    page = header.page
    i = header.last_line + 1
    later = {h.page: h for h in reversed(others) if h.page > header.page}
    while i < len(lines):
        line = lines[i]
        if not st.rows and i - header.last_line > 40:
            break  # no row under this "header" for 40 lines: it heads no items table
        if line.page != page:
            if st.ended:
                break
            page = line.page
            st.settle(None)
            st.page_done = False
            st.last_bottom = None
            st.anchor = None
            nxt = later.get(page)
            if nxt is not None and nxt.first_line >= i:
                # Rows above a repeated header on the new page (page furniture) are skipped.
                grid = _regrid(grid, nxt)
                st.anchor = nxt.bottom
                i = nxt.last_line + 1
                st.resuming = False
                continue
            st.resuming = True
        if st.page_done:
            i += 1
            continue
        same_page_header = next((h for h in others if h.page == page and h.first_line == i), None)
        if same_page_header is not None and st.rows:
            if same_page_header.page == st.rows[-1].page:
                st.ended = True
                break
            grid = _regrid(grid, same_page_header)
            i = same_page_header.last_line + 1
            st.resuming = False
            continue
        cells = grid.cells(line, decimal_sep)
        if not cells:
            i += 1
            continue
        by_kind: dict[str, list[str]] = {}
        for col, ch in cells:
            by_kind.setdefault(col.kind, []).append(ch.text)
        kind = _line_label(cells)
        amount_col = grid.amount
        amount_texts = [ch.text for col, ch in cells if col is amount_col]
        amount = cell_amount(amount_texts, decimal_sep) if amount_texts else None
        if amount_texts and by_kind.get("price") and by_kind.get("qty"):
            if _needs_repair(by_kind["qty"], by_kind["price"], amount_texts, decimal_sep):
                if _repair_row(cells, amount_col, decimal_sep):
                    amount_texts = [ch.text for col, ch in cells if col is amount_col]
                    amount = cell_amount(amount_texts, decimal_sep)
                    by_kind["price"] = [ch.text for col, ch in cells if col.kind == "price"]
        has_price = bool(by_kind.get("price")) and _is_numeric(" ".join(by_kind["price"]), decimal_sep) and (
            cell_amount(by_kind["price"], decimal_sep) is not None
        )
        has_qty = cell_quantity(by_kind.get("qty") or by_kind.get("unit") or [], decimal_sep) is not None
        if has_price and has_qty:
            kind = None  # a full row is an item whatever its words ("Transport et emballage")
        if kind in SKIP_KINDS:
            # A carried-forward line holds a label and one amount. With a quantity it is an item whose words
            # look like one ("Pallet transport") but whose price is unreadable: skipped, the page goes on.
            if st.rows and line.page == st.rows[-1].page and line.top > st.rows[-1].top and not has_qty:
                st.page_done = True  # "carried forward": the rest of this page is furniture
                st.settle(None)
            i += 1
            continue
        if kind is not None and kind.startswith("in_text:"):
            # A totals word inside text ("Merchandise Total 881.63") ends the table only next to an amount.
            kind = kind[8:] if not (has_price or has_qty) and amount is not None else None
        if kind in STOP_KINDS and not (has_price and has_qty):
            if line.page + 1 in later and later[line.page + 1].first_line > i:
                # A page total under the rows, and the same table again on the next page: it goes on there.
                st.page_done = True
                st.settle(None)
                i += 1
                continue
            st.ended = True
            st.stop_line = line
            break
        gap = line.top - st.last_bottom if st.last_bottom is not None else 0.0
        limit = max(3.2 * lh, 2.0 * _median(st.gaps)) if st.gaps else 4.5 * lh
        if st.last_bottom is not None and gap > limit:
            if st.rows and st.rows[-1].page == layout.page_count:
                st.ended = True
                break
            st.page_done = True  # the table may go on on the next page
            st.settle(None)
            i += 1
            continue
        if amount is not None and (by_kind.get("desc") or has_price or has_qty or grid.desc is None):
            if st.resuming and not _fits(grid, cells, amount_col):
                i += 1
                continue
            st.resuming = False
            row = RawRow(page=line.page, top=line.top, bottom=line.bottom, columns=tuple(c.kind for c in grid.columns))
            for col, ch in cells:
                row.cells.setdefault(_key(col, amount_col), []).append(ch.text)
                row.words.extend(ch.words)
                if col is amount_col:
                    grid.amount_rights.append(ch.right)
            if st.last_bottom is not None and not st.pending:
                st.gaps.append(max(0.0, gap))
            st.settle(row)
            st.rows.append(row)
            st.last_bottom = line.bottom
            st.anchor = line.bottom
        elif (
            not st.resuming and set(by_kind) <= {"desc", "pos", "other", "date", "unit"}
            and any(ch.isalnum() for t in by_kind.get("desc", []) for ch in t)
        ):
            if st.anchor is None and line.page == header.page:
                st.anchor = header.bottom
            reference = st.last_bottom if st.last_bottom is not None else st.anchor
            first = not st.rows or st.rows[-1].page != line.page  # nothing read yet under this header
            if reference is not None and (gap_ok(line.top - reference, lh, st.gaps) or (first and line.top - reference < 3.5 * lh)):
                st.pending.append((line, " ".join(by_kind["desc"]), [w for _c, ch in cells for w in ch.words]))
                st.last_bottom = line.bottom
        i += 1
    st.settle(None)
    return st.rows, st.stop_line


def gap_ok(gap: float, lh: float, gaps: list[float]) -> bool:
    """A description line close enough to the table's last line to belong to it."""
    return gap <= max(1.3 * lh, 1.2 * _median(gaps) if gaps else 0.0)


_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "|": "1", "i": "1", "t": "1",
                             "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "g": "9"})
_OCR_POINTS = re.compile(r"[:;+]")


def repair_number(text: str) -> str:
    """An OCR'd number with its usual misreadings undone ("1:151.35" → "1.151.35" → "1151.35", "t8.tt" → "18.11")."""
    t = text.strip().rstrip(".,")
    if sum(ch.isdigit() for ch in t) < 2:
        return t
    t = _OCR_POINTS.sub(".", t.translate(_OCR_DIGITS)).replace("'", ".")
    head, _sep, tail = t.rpartition(".")
    if head and "," not in t and head.count(".") >= 1 and len(tail) == 2:
        t = head.replace(".", "") + "." + tail  # grouping read as points: keep the last as the decimal mark
    return t


def _strict(text: str, decimal_sep: str | None) -> Decimal | None:
    return parse_amount(text.strip(), decimal_sep=decimal_sep)


def _needs_repair(qty_t: list[str], price_t: list[str], amount_t: list[str], decimal_sep: str | None) -> bool:
    """The row's numbers do not read cleanly, or do not add up: worth trying the OCR repairs."""
    from . import consistent

    qty = cell_quantity(qty_t, decimal_sep)
    price, amount = _strict(" ".join(price_t), decimal_sep), _strict(" ".join(amount_t), decimal_sep)
    return qty is not None and (price is None or amount is None or not consistent(qty, price, amount))


def _repair_row(cells: list[tuple[Column, Chunk]], amount_col: Column | None, decimal_sep: str | None) -> bool:
    """Repair the price and amount of a row when the repaired numbers satisfy quantity × price = amount."""
    from . import consistent

    def texts(kind: str) -> list[str]:
        return [ch.text for col, ch in cells if (col is amount_col if kind == "amount" else col.kind == kind)]

    qty = cell_quantity(texts("qty"), decimal_sep)
    if qty is None:
        return False
    price_raw, amount_raw = " ".join(texts("price")), " ".join(texts("amount"))
    options = []
    for p_text in dict.fromkeys((price_raw, repair_number(price_raw))):
        for a_text in dict.fromkeys((amount_raw, repair_number(amount_raw))):
            price, amount = _strict(p_text, decimal_sep), _strict(a_text, decimal_sep)
            if price is not None and amount is not None and consistent(qty, price, amount):
                options.append((price, amount))
    if not options:
        return False
    price, amount = options[0]
    for col, ch in cells:
        if col is amount_col:
            ch.text = format(amount, "f")
        elif col.kind == "price":
            ch.text = format(price, "f")
    return True


def _key(col: Column, amount_col: Column | None) -> str:
    """The cell's name in a row: the amount column is "amount" even when it is headed "Price"."""
    if col is amount_col:
        return "amount"
    if col.kind == "amount":
        return "amount_other"
    return col.kind


def _regrid(old: Grid, header: Header) -> Grid:
    grid = Grid(header)
    grid.amount_rights = old.amount_rights
    return grid


def _fits(grid: Grid, cells: list[tuple[Column, Chunk]], amount_col: Column | None) -> bool:
    """On a page without a repeated header: the amount ends where the amounts above ended."""
    if not grid.amount_rights:
        return False
    ref = _median(grid.amount_rights)
    return any(col is amount_col and abs(ch.right - ref) < 0.02 for col, ch in cells)


def _median(values: list[float]) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    return s[len(s) // 2]
