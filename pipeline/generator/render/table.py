"""The line-item table: columns sized to their content, wrapped descriptions, several visual styles, and the
rows that carry a running subtotal across page breaks."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..locales import LOCALES
from ..model import Line
from .context import GREY, LIGHT, WHITE, Ctx, tint
from .pen import BLACK

STYLES = ("grid", "rules", "zebra", "band", "minimal", "boxed", "mono")
NUMERIC = {"quantity", "unit_price", "amount", "discount", "vat", "pos"}


@dataclass
class Column:
    key: str
    header: str
    width: float = 0
    align: str = "left"


class ItemTable:
    def __init__(self, ctx: Ctx, x: float, width: float, style: str, *, size: float | None = None):
        self.ctx = ctx
        self.pen = ctx.pen
        self.x = x
        self.width = width
        self.style = style
        r = ctx.rng
        self.size = size or ctx.size
        self.pad = r.choice((3.0, 4.0, 5.0)) if style != "mono" else 1.5
        self.leading = self.size * 1.22
        self.header_bold = style != "mono" or r.random() < 0.5
        self.header_fill = {
            "band": ctx.accent,
            "grid": LIGHT if r.random() < 0.6 else None,
            "boxed": tint(ctx.accent, 0.85),
            "zebra": tint(ctx.accent, 0.8) if r.random() < 0.6 else None,
        }.get(style)
        self.header_color = WHITE if style == "band" else BLACK
        self.zebra_fill = tint(ctx.accent, 0.93) if r.random() < 0.5 else LIGHT
        self.pos_step = 10 if r.random() < 0.15 else 1
        self.merge_unit = "unit" not in ctx.style.columns and r.random() < 0.5
        self.upper_header = r.random() < 0.3
        self.rule_color = GREY if r.random() < 0.5 else BLACK
        labels = {
            "pos": ctx.L("pos"),
            "sku": ctx.L("sku"),
            "description": ctx.L("description"),
            "quantity": ctx.L("quantity"),
            "unit": ctx.L("unit"),
            "unit_price": ctx.L("unit_price"),
            "discount": ctx.L("discount_col"),
            "vat": ctx.L("vat_col"),
            "amount": ctx.L("amount"),
        }
        if not self.upper_header:  # one all-caps synonym among mixed-case headers looks wrong: use another one
            table = LOCALES[ctx.spec.locale].labels
            for k, v in labels.items():
                if v.isupper() and len(v) > 4:
                    options = [
                        o for o in table[{"discount": "discount_col", "vat": "vat_col"}.get(k, k)] if not o.isupper()
                    ]
                    labels[k] = options[0] if options else v
        if ctx.style.currency_on == "none" and r.random() < 0.6:
            cur = ctx.spec.currency
            labels["amount"] = f"{labels['amount']} ({cur})" if r.random() < 0.6 else f"{labels['amount']} {cur}"
            if r.random() < 0.5:
                labels["unit_price"] = f"{labels['unit_price']} ({cur})"
        self.columns = [
            Column(
                k,
                labels[k].upper() if self.upper_header else labels[k],
                align="right" if k in NUMERIC and k != "pos" else ("center" if k == "pos" else "left"),
            )
            for k in ctx.style.columns
        ]
        self.spec_lines = ctx.spec.lines
        self._fit()

    # --- cells and widths ---------------------------------------------------------------------------------------
    def cell(self, key: str, i: int, ln: Line) -> str:
        c = self.ctx
        if key == "pos":
            return str((i + 1) * self.pos_step)
        if key == "sku":
            return ln.sku or ""
        if key == "description":
            return ln.description
        if key == "quantity":
            q = c.qty(ln.quantity)
            return f"{q} {ln.unit}" if self.merge_unit and ln.unit else q
        if key == "unit":
            return ln.unit or ""
        if key == "unit_price":
            return c.price(ln.unit_price)
        if key == "discount":
            return f"{c.rate(ln.discount_pct)}%" if ln.discount_pct else ""
        if key == "vat":
            return f"{c.rate(ln.vat_rate)}%" if ln.vat_rate is not None else ""
        if key == "amount":
            return c.line_money(ln.amount)
        return ""

    def _fit(self) -> None:
        pen = self.pen
        fixed = 0.0
        for col in self.columns:
            if col.key == "description":
                continue
            cells = [self.cell(col.key, i, ln) for i, ln in enumerate(self.spec_lines)]
            w = max([pen.width(col.header, self.size, self.header_bold)] + [pen.width(t, self.size) for t in cells])
            if col.key == "amount":  # room for the running subtotal of carried-forward rows (bold, with currency)
                w = max(w, pen.width(self.ctx.money(self.ctx.spec.subtotal), self.size, True))
            col.width = w + 2 * self.pad + 2
            fixed += col.width
        desc = next(c for c in self.columns if c.key == "description")
        desc.width = self.width - fixed
        if desc.width < 130 and self.size > 6.5:  # too many wide columns: smaller type, then try again
            self.size -= 0.5
            self.leading = self.size * 1.22
            self._fit()
            return
        header_w = max(self.pen.width(w, self.size, self.header_bold) for w in desc.header.split()) + 2 * self.pad
        if desc.width < max(90.0, header_w):  # still too narrow: drop the columns a narrow table can do without
            for key in ("sku", "pos", "unit"):
                if any(c.key == key for c in self.columns):
                    self.columns = [c for c in self.columns if c.key != key]
                    if key == "unit":
                        self.merge_unit = True
                    self._fit()
                    return

    # --- geometry ---------------------------------------------------------------------------------------------
    def row_lines(self, ln: Line) -> list[str]:
        desc = next(c for c in self.columns if c.key == "description")
        return self.pen.wrap(ln.description, desc.width - 2 * self.pad, self.size)

    def row_height(self, ln: Line) -> float:
        return len(self.row_lines(ln)) * self.leading + 2 * self.pad

    def header_height(self) -> float:
        lines = max(len(self.pen.wrap(c.header, c.width - 2 * self.pad, self.size, True)) for c in self.columns)
        return lines * self.leading + 2 * self.pad + (2 if self.style in ("band", "grid", "boxed") else 0)

    def extra_row_height(self) -> float:
        return self.leading + 2 * self.pad + 2

    # --- drawing ----------------------------------------------------------------------------------------------
    def _col_x(self) -> list[float]:
        xs, x = [], self.x
        for c in self.columns:
            xs.append(x)
            x += c.width
        return xs

    def _text_in(self, col: Column, x: float, baseline: float, text: str, *, bold: bool = False, color=None) -> None:
        if col.align == "right":
            self.pen.text(
                x + col.width - self.pad, baseline, text, size=self.size, bold=bold, align="right", color=color
            )
        elif col.align == "center":
            self.pen.text(x + col.width / 2, baseline, text, size=self.size, bold=bold, align="center", color=color)
        else:
            self.pen.text(x + self.pad, baseline, text, size=self.size, bold=bold, color=color)

    def header(self, y: float) -> float:
        pen, h = self.pen, self.header_height()
        if self.header_fill:
            pen.rect(self.x, y, self.width, h, stroke=None, fill=self.header_fill)
        xs = self._col_x()
        for col, x in zip(self.columns, xs, strict=True):
            lines = pen.wrap(col.header, col.width - 2 * self.pad, self.size, True)
            for k, t in enumerate(lines):
                self._text_in(
                    col,
                    x,
                    y + self.pad + self.size + k * self.leading,
                    t,
                    bold=self.header_bold,
                    color=self.header_color,
                )
        if self.style in ("grid", "boxed"):
            pen.rect(self.x, y, self.width, h, lw=0.6)
            for x in xs[1:]:
                pen.line(x, y, x, y + h, lw=0.4)
        elif self.style == "mono":
            pen.text(self.x, y + h + self.size * 0.5, "-" * int(self.width / pen.width("-", self.size)), size=self.size)
            h += self.leading * 0.7
        elif self.style in ("rules", "minimal", "zebra"):
            pen.hline(
                self.x, self.x + self.width, y + h, lw=0.9 if self.style != "minimal" else 0.5, color=self.rule_color
            )
            if self.style == "rules":
                pen.hline(self.x, self.x + self.width, y, lw=0.9, color=self.rule_color)
        return y + h

    def row(self, y: float, i: int, ln: Line) -> float:
        pen = self.pen
        lines = self.row_lines(ln)
        h = len(lines) * self.leading + 2 * self.pad
        if self.style == "zebra" and i % 2 == 1:
            pen.rect(self.x, y, self.width, h, stroke=None, fill=self.zebra_fill)
        xs = self._col_x()
        base = y + self.pad + self.size
        for col, x in zip(self.columns, xs, strict=True):
            if col.key == "description":
                for k, t in enumerate(lines):
                    pen.text(x + self.pad, base + k * self.leading, t, size=self.size)
            else:
                self._text_in(col, x, base, self.cell(col.key, i, ln))
        if self.style == "grid":
            pen.rect(self.x, y, self.width, h, lw=0.4)
            for x in xs[1:]:
                pen.line(x, y, x, y + h, lw=0.4)
        elif self.style == "boxed":
            pen.line(self.x, y, self.x, y + h, lw=0.6)
            pen.line(self.x + self.width, y, self.x + self.width, y + h, lw=0.6)
            for x in xs[1:]:
                pen.line(x, y, x, y + h, lw=0.4)
        elif self.style == "rules":
            pen.hline(self.x, self.x + self.width, y + h, lw=0.3, color=GREY)
        return y + h

    def close(self, y: float) -> float:
        if self.style == "boxed":
            self.pen.hline(self.x, self.x + self.width, y, lw=0.6)
        elif self.style in ("minimal", "zebra", "band"):
            self.pen.hline(self.x, self.x + self.width, y, lw=0.6, color=self.rule_color)
        elif self.style == "mono":
            self.pen.text(self.x, y + self.size, "-" * int(self.width / self.pen.width("-", self.size)), size=self.size)
            return y + self.leading
        return y

    def running_row(self, y: float, label: str, value: Decimal) -> float:
        """A 'carried forward' / 'brought forward' row: label left of the amount column, running subtotal in it."""
        pen = self.pen
        h = self.extra_row_height()
        amount_col = next(c for c in self.columns if c.key == "amount")
        xs = self._col_x()
        ax = xs[self.columns.index(amount_col)]
        base = y + self.pad + self.size + 1
        if self.style in ("grid", "boxed"):
            pen.rect(self.x, y, self.width, h, lw=0.5, fill=LIGHT)
            pen.rect(self.x, y, self.width, h, lw=0.5)
        else:
            pen.hline(self.x, self.x + self.width, y + 1, lw=0.4, color=GREY)
        amount = self.ctx.money(value)
        right = ax + amount_col.width - self.pad
        pen.text(right, base, amount, size=self.size, bold=True, align="right")
        label_right = min(ax - self.pad, right - pen.width(amount, self.size, True)) - 8
        pen.text(label_right, base, label, size=self.size, bold=True, align="right")
        return y + h
