"""Render an InvoiceSpec to PDF bytes: layout header, item table flowing over pages, totals, notes, footers."""

from __future__ import annotations

import io
from decimal import Decimal

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfgen.canvas import Canvas

from ..fonts import resolve
from ..model import InvoiceSpec
from .context import Ctx
from .layouts import LAYOUT_CLASSES
from .pen import Pen

LAYOUTS: tuple[str, ...] = tuple(LAYOUT_CLASSES)


def render_invoice(spec: InvoiceSpec) -> bytes:
    """The invoice as a born-digital PDF (text layer included). Deterministic: same spec, same bytes."""
    pages = 1
    for _ in range(4):  # "Page n of N" needs N: render until the count we printed is the count we made
        data, made = _render(spec, pages)
        if made == pages:
            return data
        pages = made
    return data


def page_count(spec: InvoiceSpec) -> int:
    return _render(spec, 1)[1]


def _render(spec: InvoiceSpec, total_pages: int) -> tuple[bytes, int]:
    buf = io.BytesIO()
    size = LETTER if spec.style.page == "LETTER" else A4
    canvas = Canvas(buf, pagesize=size, invariant=1, pageCompression=1)
    canvas.setCreator("Invoice generator")
    family = resolve(spec.style.font)
    pen = Pen(canvas, size[0], size[1], family, spec.style.size)
    ctx = Ctx(spec, pen, total_pages)
    layout = LAYOUT_CLASSES[spec.style.layout](ctx)
    if spec.stamp:
        draw_stamp(canvas, spec, size[0], size[1])

    page = 1
    y = layout.first_page()
    table = layout.table()
    bottom = layout.footer_top - 6
    running = Decimal(0)
    lines = spec.lines
    carry_h = table.extra_row_height()

    def measure(fn):
        """Run ``fn`` with every pen dry, so it only measures."""
        dry = Pen(None, pen.W, pen.H, family, spec.style.size, dry=True)
        ctx.pen, layout.pen, table.pen = dry, dry, dry
        try:
            return fn()
        finally:
            ctx.pen, layout.pen, table.pen = pen, pen, pen

    # Plan the page breaks first: rows that do not fit go to the next page, and when the totals would be left
    # alone on a page of their own, the last rows move with them.
    carry_h += measure(lambda: table.close(0.0))
    heights = [table.row_height(ln) for ln in lines]
    y_rows = measure(lambda: table.header(y))
    y_cont = measure(lambda: table.running_row(table.header(layout.next_page(2)), "x", Decimal(0)))
    need = measure(lambda: layout.closing(layout.totals_block(0.0, table)))
    breaks: set[int] = set()
    yy = y_rows
    for i, h in enumerate(heights):
        if i > 0 and yy + h + carry_h > bottom:
            breaks.add(i)
            yy = y_cont
        yy += h
    yy = measure(lambda: table.close(yy))
    totals_alone = False
    if yy + need > bottom:
        on_last = len(lines) - max(breaks, default=0)
        for k in (1, 2, 3):
            if k < on_last and y_cont + sum(heights[-k:]) + need <= bottom:
                breaks.add(len(lines) - k)
                break
        else:
            totals_alone = True

    def break_page(y: float) -> float:
        nonlocal page
        y = table.close(y)
        table.running_row(y, ctx.L("carried_forward", next=page + 1), running)
        layout.footer(page)
        canvas.showPage()
        page += 1
        y = layout.next_page(page)
        y = table.header(y)
        return table.running_row(y, ctx.L("brought_forward", prev=page - 1), running)

    y = table.header(y)
    for i, ln in enumerate(lines):
        if i in breaks:
            y = break_page(y)
        y = table.row(y, i, ln)
        running += ln.amount
    y = table.close(y)
    if totals_alone:
        layout.footer(page)
        canvas.showPage()
        page += 1
        y = layout.next_page(page)
    y = layout.totals_block(y, table)
    layout.closing(y)
    layout.footer(page)
    canvas.showPage()
    canvas.save()
    return buf.getvalue(), page


def draw_stamp(canvas: Canvas, spec: InvoiceSpec, width: float, height: float) -> None:
    """A translucent stamp on page 1, under the text: a "COPY" watermark, or an accounts-payable "received"
    stamp with its own date (a date that is not the invoice's)."""
    import random

    rng = random.Random(f"stamp:{spec.style.seed}")
    family = resolve("helvetica")
    canvas.saveState()
    if spec.stamp[0] == "watermark":
        canvas.setFillColorRGB(0.5, 0.5, 0.5)
        canvas.setFillAlpha(0.13)
        canvas.translate(width / 2, height / 2)
        canvas.rotate(rng.uniform(25, 45))
        canvas.setFont(family.bold, rng.choice((70, 84, 96)))
        canvas.drawCentredString(0, -30, spec.stamp[1])
    else:
        color = rng.choice(((0.75, 0.1, 0.1), (0.1, 0.2, 0.7), (0.15, 0.45, 0.2)))
        canvas.setStrokeColorRGB(*color)
        canvas.setFillColorRGB(*color)
        canvas.setStrokeAlpha(0.7)
        canvas.setFillAlpha(0.7)
        if len(spec.stamp) >= 5:  # a place chosen where the stamp hides no text
            canvas.translate(float(spec.stamp[3]), float(spec.stamp[4]))
        else:
            canvas.translate(width * rng.uniform(0.5, 0.72), height * rng.uniform(0.45, 0.68))
        canvas.rotate(rng.uniform(-12, 12))
        canvas.setLineWidth(2)
        canvas.roundRect(-70, -26, 140, 52, 6, stroke=1, fill=0)
        canvas.setFont(family.bold, 15)
        canvas.drawCentredString(0, 4, spec.stamp[1])
        canvas.setFont(family.bold, 12)
        canvas.drawCentredString(0, -16, spec.stamp[2])
    canvas.restoreState()
