"""A thin drawing layer over a reportlab canvas, with y measured DOWN from the top of the page (points).

``dry=True`` measures without drawing: layouts use it to know how tall a block will be before placing it.
"""

from __future__ import annotations

from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from ..fonts import Family, safe_text

Color = tuple[float, float, float]
BLACK: Color = (0, 0, 0)


class Pen:
    def __init__(
        self, canvas: Canvas | None, width: float, height: float, family: Family, size: float, *, dry: bool = False
    ):
        self.c = canvas
        self.W = width
        self.H = height
        self.family = family
        self.size = size
        self.dry = dry or canvas is None
        self.color: Color = BLACK

    def dry_copy(self) -> Pen:
        return Pen(None, self.W, self.H, self.family, self.size, dry=True)

    # --- text -------------------------------------------------------------------------------------------------
    def font_name(self, bold: bool = False, family: Family | None = None) -> str:
        fam = family or self.family
        return fam.bold if bold else fam.regular

    def clean(self, text: str, family: Family | None = None) -> str:
        return safe_text(text) if (family or self.family).builtin else text

    def width(self, text: str, size: float | None = None, bold: bool = False, family: Family | None = None) -> float:
        return stringWidth(self.clean(text, family), self.font_name(bold, family), size or self.size)

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float | None = None,
        bold: bool = False,
        align: str = "left",
        color: Color | None = None,
        family: Family | None = None,
        char_space: float = 0,
    ) -> float:
        """Draw one line with its baseline at ``y``; returns its width."""
        size = size or self.size
        text = self.clean(str(text), family)
        font = self.font_name(bold, family)
        w = stringWidth(text, font, size) + char_space * max(len(text) - 1, 0)
        if self.dry or not text:
            return w
        if align == "right":
            x -= w
        elif align == "center":
            x -= w / 2
        c = self.c
        c.setFillColorRGB(*(color or self.color))
        if char_space:
            t = c.beginText(x, self.H - y)
            t.setFont(font, size)
            t.setCharSpace(char_space)
            t.textOut(text)
            t.setCharSpace(0)  # Tc is page state in PDF: reset it, or every later string is spaced too
            c.drawText(t)
        else:
            c.setFont(font, size)
            c.drawString(x, self.H - y, text)
        return w

    def wrap(self, text: str, width: float, size: float | None = None, bold: bool = False) -> list[str]:
        text = self.clean(text)
        return simpleSplit(text, self.font_name(bold), size or self.size, max(width, 10)) or [""]

    def para(
        self,
        x: float,
        y: float,
        text: str,
        width: float,
        *,
        size: float | None = None,
        leading: float | None = None,
        bold: bool = False,
        color: Color | None = None,
        align: str = "left",
    ) -> float:
        """Draw wrapped text starting with the first baseline at ``y``; returns the y below the last line."""
        size = size or self.size
        leading = leading or size * 1.25
        for line in self.wrap(text, width, size, bold):
            self.text(x if align != "right" else x + width, y, line, size=size, bold=bold, color=color, align=align)
            y += leading
        return y

    # --- shapes -----------------------------------------------------------------------------------------------
    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        stroke: Color | None = BLACK,
        fill: Color | None = None,
        lw: float = 0.5,
        radius: float = 0,
    ) -> None:
        if self.dry:
            return
        c = self.c
        c.setLineWidth(lw)
        if stroke:
            c.setStrokeColorRGB(*stroke)
        if fill:
            c.setFillColorRGB(*fill)
        if radius:
            c.roundRect(x, self.H - y - h, w, h, radius, stroke=1 if stroke else 0, fill=1 if fill else 0)
        else:
            c.rect(x, self.H - y - h, w, h, stroke=1 if stroke else 0, fill=1 if fill else 0)

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        *,
        color: Color = BLACK,
        lw: float = 0.5,
        dash: tuple | None = None,
    ) -> None:
        if self.dry:
            return
        c = self.c
        c.setLineWidth(lw)
        c.setStrokeColorRGB(*color)
        if dash:
            c.setDash(*dash)
        c.line(x1, self.H - y1, x2, self.H - y2)
        if dash:
            c.setDash()

    def hline(self, x1: float, x2: float, y: float, **kw) -> None:
        self.line(x1, y, x2, y, **kw)

    def circle(
        self, cx: float, cy: float, r: float, *, fill: Color | None = None, stroke: Color | None = None, lw: float = 1
    ) -> None:
        if self.dry:
            return
        c = self.c
        c.setLineWidth(lw)
        if fill:
            c.setFillColorRGB(*fill)
        if stroke:
            c.setStrokeColorRGB(*stroke)
        c.circle(cx, self.H - cy, r, stroke=1 if stroke else 0, fill=1 if fill else 0)

    def polygon(
        self,
        points: list[tuple[float, float]],
        *,
        fill: Color | None = None,
        stroke: Color | None = None,
        lw: float = 1,
    ) -> None:
        if self.dry:
            return
        c = self.c
        p = c.beginPath()
        p.moveTo(points[0][0], self.H - points[0][1])
        for x, y in points[1:]:
            p.lineTo(x, self.H - y)
        p.close()
        c.setLineWidth(lw)
        if fill:
            c.setFillColorRGB(*fill)
        if stroke:
            c.setStrokeColorRGB(*stroke)
        c.drawPath(p, stroke=1 if stroke else 0, fill=1 if fill else 0)
