"""Reusable blocks: logo, address blocks, key-fact blocks in several arrangements, totals, notes, footers.

Every block takes a top ``y`` and returns the ``y`` below what it drew, and draws the same whether the pen is
dry (measuring) or real. Random choices are made by the caller beforehand, never while drawing.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..parties import LEGAL, Party
from .context import GREY, LIGHT, WHITE, Ctx, tint
from .pen import BLACK, Color, Pen

Rows = Sequence[tuple[str, str, str]]

LEGAL_FORMS = sorted({form for forms in LEGAL.values() for form in forms}, key=len, reverse=True)
LOGO_KINDS = ("circle", "square", "bars", "triangle", "wordmark", "ring", "diamond", "stripe")


def initials(name: str) -> str:
    words = [w for w in name.replace("&", " ").split() if w[:1].isalpha() and w[:1].isupper()]
    return "".join(w[0] for w in words[:2]) or name[:1].upper()


def brand(name: str) -> str:
    """The company name without its legal form, as a logo shows it."""
    for legal in LEGAL_FORMS:
        if name.endswith(" " + legal) and len(name) > len(legal) + 2:
            return name[: -len(legal) - 1].rstrip(" ,")
    return name


def logo(
    pen: Pen,
    ctx: Ctx,
    kind: str,
    x: float,
    y: float,
    h: float,
    *,
    with_name: bool,
    align: str = "left",
    max_w: float = 1e9,
) -> float:
    """Draw a logo made of shapes (and maybe the company name) with its top-left at (x, y); returns its width.
    The name shrinks to keep the logo within ``max_w``."""
    a = ctx.accent
    name = ctx.spec.vendor.name
    short = brand(name)
    size = h * 0.42
    if kind == "wordmark":
        ws = h * 0.7
        while pen.width(short, ws, True) > max_w and ws > 8:
            ws -= 0.5
        w = pen.width(short, ws, True)
        x0 = x - w if align == "right" else x
        pen.text(x0, y + h * 0.75, short, size=ws, bold=True, color=a)
        return w
    while with_name and h + 8 + pen.width(short, size, True) > max_w and size > 7:
        size -= 0.5
    name_w = pen.width(short, size, True) + 8 if with_name else 0
    w = h + name_w
    x0 = x - w if align == "right" else (x - w / 2 if align == "center" else x)
    if kind == "circle":
        pen.circle(x0 + h / 2, y + h / 2, h / 2, fill=a)
        pen.text(
            x0 + h / 2, y + h / 2 + h * 0.14, initials(name), size=h * 0.38, bold=True, color=WHITE, align="center"
        )
    elif kind == "square":
        pen.rect(x0, y, h, h, stroke=None, fill=a, radius=h * 0.18)
        pen.text(x0 + h / 2, y + h * 0.68, initials(name)[:1], size=h * 0.55, bold=True, color=WHITE, align="center")
    elif kind == "bars":
        for k in range(3):
            bh = h * (0.5 + 0.25 * k)
            pen.rect(x0 + k * h * 0.33, y + h - bh, h * 0.24, bh, stroke=None, fill=tint(a, 0.45 - 0.2 * k))
    elif kind == "triangle":
        pen.polygon([(x0, y + h), (x0 + h * 0.45, y + h * 0.15), (x0 + h * 0.9, y + h)], fill=a)
        pen.polygon([(x0 + h * 0.35, y + h), (x0 + h * 0.7, y + h * 0.4), (x0 + h * 1.05, y + h)], fill=tint(a, 0.45))
    elif kind == "ring":
        pen.circle(x0 + h / 2, y + h / 2, h / 2 - 1.5, stroke=a, lw=3)
        pen.text(
            x0 + h / 2, y + h / 2 + h * 0.16, initials(name)[:1], size=h * 0.45, bold=True, color=a, align="center"
        )
    elif kind == "diamond":
        pen.polygon([(x0 + h / 2, y), (x0 + h, y + h / 2), (x0 + h / 2, y + h), (x0, y + h / 2)], fill=a)
        pen.polygon(
            [
                (x0 + h / 2, y + h * 0.25),
                (x0 + h * 0.75, y + h / 2),
                (x0 + h / 2, y + h * 0.75),
                (x0 + h * 0.25, y + h / 2),
            ],
            fill=WHITE,
        )
    elif kind == "stripe":
        for k in range(4):
            pen.rect(x0, y + k * h / 4, h * (1 - 0.18 * k), h / 4 - 2, stroke=None, fill=tint(a, 0.15 * k))
    if with_name:
        pen.text(
            x0 + h + 8, y + h / 2 + size * 0.35, short, size=size, bold=True, color=a if kind != "stripe" else BLACK
        )
    return w


def party_block(
    pen: Pen,
    x: float,
    y: float,
    width: float,
    party: Party,
    *,
    label: str | None,
    label_style: str,
    name_bold: bool,
    size: float,
    attn: str | None = None,
    extra: Sequence[str] = (),
    align: str = "left",
    color: Color | None = None,
) -> float:
    """An address block: optional label, name, attention line, address lines, extra lines (VAT id, phone...)."""
    lead = size * 1.28
    ax = x + width if align == "right" else x
    if label:
        if label_style == "caps":
            pen.text(ax, y + size, label.upper(), size=size - 1, bold=True, color=GREY, align=align, char_space=0.6)
        elif label_style == "accent":
            pen.text(ax, y + size, label, size=size, bold=True, color=color, align=align)
        elif label_style == "underline":
            w = pen.text(ax, y + size, label, size=size, bold=True, align=align)
            lx = ax - w if align == "right" else ax
            pen.hline(lx, lx + w, y + size + 2, lw=0.5)
        else:
            pen.text(ax, y + size, label, size=size, bold=True, align=align)
        y += lead + 2
    for line in pen.wrap(party.name, width, size + 0.5, name_bold):
        pen.text(ax, y + size, line, size=size + 0.5, bold=name_bold, align=align)
        y += lead
    for line in ([attn] if attn else []) + list(party.address_lines) + list(extra):
        y = fit_line(pen, ax, y, line, width, size=size, lead=lead, align=align)
    return y


def keep_whole(pen: Pen, x: float, y: float, line: str, width: float, *, size: float, min_size: float = 5.5) -> float:
    """A 'Label: value' line (an IBAN, an account number) drawn without breaking the value: smaller type, or the
    value on its own line under its label. ``y`` is the top; returns the y below."""
    s = size
    while pen.width(line, s) > width and s > min_size:
        s -= 0.25
    if pen.width(line, s) <= width:
        pen.text(x, y + s, line, size=s)
        return y + s * 1.3
    label, sep, value = line.partition(": ") if ": " in line else line.partition(" ")
    pen.text(x, y + size, label + sep.strip(), size=size)
    y += size * 1.3
    s = size
    while pen.width(value, s) > width and s > 4.5:
        s -= 0.25
    pen.text(x, y + s, value, size=s)
    return y + s * 1.3


def fit_line(
    pen: Pen,
    x: float,
    y: float,
    text: str,
    width: float,
    *,
    size: float,
    lead: float,
    align: str = "left",
    bold: bool = False,
    color: Color | None = None,
) -> float:
    """One line of a block kept inside ``width``: slightly smaller type first, then wrapped at spaces."""
    s = size
    while pen.width(text, s, bold) > width and s > size - 1.5:
        s -= 0.25
    parts = [text] if pen.width(text, s, bold) <= width else pen.wrap(text, width, s, bold)
    for part in parts:
        pen.text(x, y + size, part, size=s, align=align, bold=bold, color=color)
        y += lead
    return y


def kv_block(
    pen: Pen,
    x: float,
    y: float,
    width: float,
    rows: Rows,
    *,
    size: float,
    bold_labels: bool,
    label_color: Color | None,
    value_align: str = "left",
    bold_keys: Sequence[str] = ("invoice_number",),
    gap: float = 8,
    lead: float | None = None,
    align_block: str = "left",
) -> float:
    """Labels to the LEFT of values."""
    lead = lead or size * 1.45
    label_w = max((pen.width(lab, size, bold_labels) for _, lab, _ in rows), default=0) + gap
    value_w = width - label_w
    for key, lab, val in rows:
        pen.text(x, y + size, lab, size=size, bold=bold_labels, color=label_color)
        lines = pen.wrap(val, value_w, size, key in bold_keys)
        for k, t in enumerate(lines):
            if value_align == "right":
                pen.text(x + width, y + size + k * size * 1.2, t, size=size, bold=key in bold_keys, align="right")
            else:
                pen.text(x + label_w, y + size + k * size * 1.2, t, size=size, bold=key in bold_keys)
        y += lead + (len(lines) - 1) * size * 1.2
    return y


def colon_lines(
    pen: Pen,
    x: float,
    y: float,
    width: float,
    rows: Rows,
    *,
    size: float,
    align: str = "left",
    bold_keys: Sequence[str] = (),
) -> float:
    """'Label: value' as one string per line."""
    lead = size * 1.45
    for key, lab, val in rows:
        text = f"{lab.rstrip(':')}: {val}"
        for t in pen.wrap(text, width, size):
            pen.text(x + width if align == "right" else x, y + size, t, size=size, align=align, bold=key in bold_keys)
            y += lead
    return y


def above_grid(
    pen: Pen,
    x: float,
    y: float,
    width: float,
    rows: Rows,
    *,
    cols: int,
    size: float,
    boxed: bool,
    label_color: Color | None,
    value_bold: bool,
    fill: Color | None = None,
    upper: bool = False,
) -> float:
    """Labels ABOVE values, in a grid of ``cols`` cells per row; optionally each cell boxed. Labels wrap inside
    their cell (a single word too long for it gets smaller type)."""
    cw = width / cols
    pad = 4 if boxed else 0
    inner = cw - 2 * pad - 6
    lsize = size - 1.5

    def label_text(lab: str) -> str:
        text = lab.rstrip(":")
        return text.upper() if upper else text

    def label_fit(text: str, bold: bool) -> tuple[float, list[str]]:
        ls = lsize
        while ls > 5 and max(pen.width(w, ls, bold) for w in text.split() or [""]) > inner:
            ls -= 0.25
        return ls, pen.wrap(text, inner, ls, bold)

    label_bold = not upper and label_color is None
    for start in range(0, len(rows), cols):
        chunk = rows[start : start + cols]
        fitted = [label_fit(label_text(lab), label_bold) for _, lab, _ in chunk]
        label_h = max(len(lines) for _, lines in fitted) * lsize * 1.2
        heights = []
        for _, _lab, val in chunk:
            n = len(pen.wrap(val, inner, size, value_bold))
            heights.append(pad * 2 + label_h + lsize * 0.1 + n * size * 1.25 + 2)
        h = max(heights)
        for k, ((_key, _lab, val), (ls, lines)) in enumerate(zip(chunk, fitted, strict=True)):
            cx = x + k * cw
            if boxed:
                pen.rect(cx, y, cw, h, lw=0.5, fill=fill)
            for j, t in enumerate(lines):
                pen.text(
                    cx + pad + (2 if boxed else 0),
                    y + pad + lsize + j * lsize * 1.2,
                    t,
                    size=ls,
                    color=label_color,
                    bold=label_bold,
                )
            vy = y + pad + label_h + lsize * 0.1 + size + 1
            for t in pen.wrap(val, inner, size, value_bold):
                pen.text(cx + pad + (2 if boxed else 0), vy, t, size=size, bold=value_bold)
                vy += size * 1.25
        y += h + (0 if boxed else size * 0.6)
    return y


def kv_table(
    pen: Pen,
    x: float,
    y: float,
    width: float,
    rows: Rows,
    *,
    size: float,
    label_fill: Color | None,
    label_w: float | None = None,
) -> float:
    """A bordered two-column table: label cell | value cell."""
    pad = 4
    label_w = label_w or min(width * 0.5, max(pen.width(lab, size, True) for _, lab, _ in rows) + 2 * pad + 2)
    for _key, lab, val in rows:
        lines = pen.wrap(val, width - label_w - 2 * pad, size)
        ls = size  # a single long word ("BETALINGSVOORWAARDEN") cannot wrap: it gets smaller type
        while ls > 5.5 and max(pen.width(w, ls, True) for w in lab.rstrip(":").split() or [""]) > label_w - 2 * pad:
            ls -= 0.25
        label_lines = pen.wrap(lab.rstrip(":"), label_w - 2 * pad, ls, True)
        h = max(len(lines), len(label_lines)) * size * 1.25 + 2 * pad
        pen.rect(x, y, label_w, h, lw=0.5, fill=label_fill)
        pen.rect(x + label_w, y, width - label_w, h, lw=0.5)
        for k, t in enumerate(label_lines):
            pen.text(x + pad, y + pad + size + k * size * 1.25, t, size=ls, bold=True)
        for k, t in enumerate(lines):
            pen.text(x + label_w + pad, y + pad + size + k * size * 1.25, t, size=size)
        y += h
    return y


def strip_table(
    pen: Pen,
    x: float,
    y: float,
    width: float,
    rows: Rows,
    *,
    size: float,
    fill: Color | None,
    header_color: Color = BLACK,
    max_cols: int = 5,
) -> float:
    """A horizontal table: one header row of labels, one row of values beneath."""
    pad = 4

    def fits(n: int) -> bool:  # every word of every label and value fits its cell
        cw = width / min(n, len(rows))
        words = [(w, True) for _, lab, _ in rows for w in lab.rstrip(":").split()]
        words += [(w, False) for _, _, val in rows for w in val.split()]
        return all(pen.width(w, size, bold) <= cw - 2 * pad for w, bold in words)

    while max_cols > 2 and not fits(max_cols):
        max_cols -= 1
    for start in range(0, len(rows), max_cols):
        chunk = rows[start : start + max_cols]
        cw = width / len(chunk)
        lh = (
            max(len(pen.wrap(lab.rstrip(":"), cw - 2 * pad, size - 0.5, True)) for _, lab, _ in chunk) * (size * 1.2)
            + 2 * pad
        )
        vh = max(len(pen.wrap(val, cw - 2 * pad, size)) for _, _, val in chunk) * (size * 1.25) + 2 * pad
        for k, (_key, lab, val) in enumerate(chunk):
            cx = x + k * cw
            pen.rect(cx, y, cw, lh, lw=0.5, fill=fill)
            for j, t in enumerate(pen.wrap(lab.rstrip(":"), cw - 2 * pad, size - 0.5, True)):
                pen.text(
                    cx + pad, y + pad + size - 0.5 + j * size * 1.2, t, size=size - 0.5, bold=True, color=header_color
                )
            pen.rect(cx, y + lh, cw, vh, lw=0.5)
            for j, t in enumerate(pen.wrap(val, cw - 2 * pad, size)):
                pen.text(cx + pad, y + lh + pad + size + j * size * 1.25, t, size=size)
        y += lh + vh + 4
    return y


def totals_width(pen: Pen, rows: Rows, size: float) -> float:
    """The narrowest totals block in which no label runs into its amount."""
    return max(
        (pen.width(lab, size + 1, True) + pen.width(val, size + 1, True) + 24 for _, lab, val in rows), default=0
    )


def totals_kv(
    pen: Pen,
    x_right: float,
    y: float,
    width: float,
    rows: Rows,
    *,
    size: float,
    label_align: str,
    accent: Color,
    rule: str = "above",
    bold_total: bool = True,
    strong_kinds: Sequence[str] = ("total", "due"),
) -> float:
    """Totals with labels left of right-aligned values, in a column ``width`` wide ending at ``x_right``."""
    lead = size * 1.6
    width = max(width, totals_width(pen, rows, size))
    x = x_right - width
    label_x = x if label_align == "left" else x_right - max(pen.width(v, size + 1, True) for _, _, v in rows) - 14
    for kind, lab, val in rows:
        strong = kind in strong_kinds and bold_total
        s = size + (1 if strong else 0)
        if strong and rule in ("above", "both"):
            pen.hline(x, x_right, y + 1, lw=0.8)
        if strong and rule == "box":
            pen.rect(x - 4, y, width + 4, lead + 2, stroke=None, fill=tint(accent, 0.85))
        pen.text(label_x, y + s + 3, lab, size=s, bold=strong, align="left" if label_align == "left" else "right")
        pen.text(x_right - 2, y + s + 3, val, size=s, bold=strong, align="right")
        y += lead + (2 if strong else 0)
        if strong and rule == "both":
            pen.hline(x, x_right, y - 1, lw=0.6)
            pen.hline(x, x_right, y + 1, lw=0.6)
    return y + 4


def totals_boxed(pen: Pen, x_right: float, y: float, width: float, rows: Rows, *, size: float, accent: Color) -> float:
    """Totals in a bordered box, one row per line, the total row filled with the accent colour."""
    pad = 4
    width = max(width, totals_width(pen, rows, size))
    x = x_right - width
    for kind, lab, val in rows:
        h = size * 1.3 + 2 * pad
        strong = kind in ("total", "due")
        pen.rect(x, y, width, h, lw=0.5, fill=accent if strong and kind == "total" else None)
        color = WHITE if strong and kind == "total" else BLACK
        pen.text(x + pad, y + pad + size, lab, size=size, bold=strong, color=color)
        pen.text(x_right - pad, y + pad + size, val, size=size, bold=strong, color=color, align="right")
        y += h
    return y + 6


def totals_bar(
    pen: Pen, x_left: float, x_right: float, y: float, width: float, rows: Rows, *, size: float, accent: Color
) -> float:
    """Ordinary rows right-aligned, then a full-width accent bar holding the total."""
    normal = [r for r in rows if r[0] != "total"]
    before = []
    after = []
    seen_total = False
    for r in rows:
        if r[0] == "total":
            seen_total = True
        elif seen_total:
            after.append(r)
        else:
            before.append(r)
    y = (
        totals_kv(pen, x_right, y, width, before, size=size, label_align="left", accent=accent, rule="none")
        if before
        else y
    )
    total = next(r for r in rows if r[0] == "total")
    h = size * 2.4
    pen.rect(x_left, y, x_right - x_left, h, stroke=None, fill=accent)
    pen.text(x_left + 10, y + h / 2 + size * 0.45, total[1], size=size + 2, bold=True, color=WHITE)
    pen.text(x_right - 10, y + h / 2 + size * 0.45, total[2], size=size + 2, bold=True, color=WHITE, align="right")
    y += h + 6
    if after:
        y = totals_kv(pen, x_right, y, width, after, size=size, label_align="left", accent=accent, rule="none")
    del normal
    return y


def tax_summary(pen: Pen, ctx: Ctx, x: float, y: float, width: float, *, size: float) -> float:
    """A per-rate table: rate | net | tax | gross (common on German, Italian and Spanish invoices)."""
    s = ctx.spec
    heads = [ctx.L("vat_rate_label"), ctx.L("net"), ctx.L("tax_total"), ctx.L("gross")]
    bare = lambda v: s.fmt_money(v, bare=True)  # noqa: E731 - the table's amounts go without the currency mark
    rows = [[f"{ctx.rate(t.rate)} %", bare(t.base), bare(t.amount), bare(t.base + t.amount)] for t in s.tax_lines]
    pad = 3
    fs = size - 0.5

    def col_widths(fs: float) -> list[float]:
        return [
            max(pen.width(h, fs, True), *(pen.width(r[k], fs) for r in rows)) + 2 * pad + 4 for k, h in enumerate(heads)
        ]

    widths = col_widths(fs)
    while sum(widths) > width and fs > 5.5:  # smaller type rather than colliding columns
        fs -= 0.25
        widths = col_widths(fs)
    width = sum(widths)
    edges = [x + sum(widths[: k + 1]) for k in range(4)]
    pen.rect(x, y, width, size * 1.3 + 2 * pad, stroke=None, fill=LIGHT)
    for k, h in enumerate(heads):
        pen.text(
            edges[k] - pad if k else x + pad, y + pad + size, h, size=fs, bold=True, align="right" if k else "left"
        )
    y += size * 1.3 + 2 * pad
    for cells in rows:
        for k, c in enumerate(cells):
            pen.text(edges[k] - pad if k else x + pad, y + pad + size, c, size=fs, align="right" if k else "left")
        y += size * 1.3 + 2 * pad
        pen.hline(x, x + width, y, lw=0.3, color=GREY)
    return y + 6


def notes(pen: Pen, x: float, y: float, width: float, paragraphs: Sequence[tuple[str, bool]], *, size: float) -> float:
    """Paragraphs of small print: (text, bold)."""
    for text, bold in paragraphs:
        y = pen.para(x, y + size, text, width, size=size, bold=bold) - size + size * 0.5
    return y


def footer_columns(
    pen: Pen,
    x: float,
    y_bottom: float,
    width: float,
    columns: Sequence[Sequence[str]],
    *,
    size: float,
    rule: bool,
    color: Color = GREY,
) -> float:
    """Small-print columns ending at ``y_bottom``; returns the top y used. Columns get widths in proportion to
    their longest line; text is never cut: the type shrinks to fit, and a line that still does not fit wraps at
    spaces (an IBAN is kept whole wherever a column can hold it)."""
    columns = [c for c in columns if c]
    if not columns:
        return y_bottom

    def prose(line: str) -> bool:  # long sentences (a registry entry) may wrap; short facts (an IBAN) should not
        return len(line) > 48

    def need(line: str, sz: float) -> float:
        return min(pen.width(line, sz), 150.0) if prose(line) else pen.width(line, sz)

    def widths(sz: float) -> list[float]:
        needs = [max(need(line, sz) for line in col) + 10 for col in columns]
        total = sum(needs)
        return needs if total <= width else [width * n / total for n in needs]

    cws = widths(size)
    while size > 5.5 and any(need(line, size) > cw - 6 for col, cw in zip(columns, cws, strict=True) for line in col):
        size -= 0.25
        cws = widths(size)
    if sum(cws) < width:  # spread the spare room between the columns
        spare = (width - sum(cws)) / len(cws)
        cws = [cw + spare for cw in cws]
    lead = size * 1.3
    wrapped = [
        [part for line in col for part in pen.wrap(line, cw - 6, size)] for col, cw in zip(columns, cws, strict=True)
    ]
    n = max((len(c) for c in wrapped), default=0)
    top = y_bottom - n * lead
    if rule:
        pen.hline(x, x + width, top - 4, lw=0.4, color=GREY)
    cx = x
    for col, cw in zip(wrapped, cws, strict=True):
        for j, line in enumerate(col):
            pen.text(cx, top + j * lead + size, line, size=size, color=color)
        cx += cw
    return top - 8
