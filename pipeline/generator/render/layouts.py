"""Ten structurally different invoice layouts.

Each layout draws its first-page header (vendor, title, key facts, addresses) and returns where the item table
starts; draws continuation headers and footers; and places the totals and closing notes. The shared flow
(table rows, page breaks, carried-forward lines) lives in engine.py.
"""

from __future__ import annotations

from ..fonts import resolve
from .blocks import (
    LOGO_KINDS,
    above_grid,
    colon_lines,
    fit_line,
    footer_columns,
    keep_whole,
    kv_block,
    kv_table,
    logo,
    notes,
    party_block,
    strip_table,
    tax_summary,
    totals_bar,
    totals_boxed,
    totals_kv,
    totals_width,
)
from .context import GREY, LIGHT, WHITE, Ctx, tint
from .table import ItemTable

PRINTED = {
    "en": ("Printed", "Generated on", "Created"),
    "de": ("Druckdatum", "Erstellt am", "Gedruckt am"),
    "fr": ("Imprimé le", "Édité le"),
    "es": ("Impreso el", "Fecha de impresión"),
    "nl": ("Afgedrukt op", "Aangemaakt op"),
    "it": ("Stampato il", "Data stampa"),
}
DIRECT_DEBIT = {
    "en": "The amount will be collected by direct debit from your account {iban}.",
    "de": "Der Rechnungsbetrag wird per SEPA-Lastschrift von Ihrem Konto {iban} eingezogen.",
    "fr": "Le montant sera prélevé sur votre compte {iban}.",
    "es": "El importe se cargará en su cuenta {iban} mediante domiciliación bancaria.",
    "nl": "Het bedrag wordt automatisch afgeschreven van uw rekening {iban}.",
    "it": "L'importo sarà addebitato sul Vs. conto {iban} tramite SDD.",
}
DUE_SENTENCE = {
    "en": ("Please pay by {date}.", "Payment is due by {date}.", "Please remit payment no later than {date}."),
    "de": ("Bitte zahlen Sie bis zum {date}.", "Zahlbar ohne Abzug bis {date}.", "Fällig zum {date}."),
    "fr": (
        "À régler avant le {date}.",
        "Date limite de paiement : {date}.",
        "Paiement attendu au plus tard le {date}.",
    ),
    "es": ("Fecha límite de pago: {date}.", "Rogamos abonen el importe antes del {date}."),
    "nl": ("Gelieve te betalen vóór {date}.", "Uiterlijk te voldoen op {date}."),
    "it": ("Da saldare entro il {date}.", "Scadenza del pagamento: {date}."),
}
ATTN = {
    "en": "Attn:",
    "de": "z. Hd.",
    "fr": "À l'attention de",
    "es": "A la atención de",
    "nl": "T.a.v.",
    "it": "Alla c.a.",
}


class Layout:
    name = "base"
    table_styles: tuple[str, ...] = ("grid", "rules", "zebra", "band", "minimal", "boxed")
    bank_in_footer_p = 0.5

    def __init__(self, ctx: Ctx):
        self.ctx = ctx
        self.pen = ctx.pen
        self.spec = ctx.spec
        r = ctx.rng
        self.size = ctx.size
        self.logo_kind = r.choice((*LOGO_KINDS, "none"))
        self.table_style = r.choice(self.table_styles)
        self.label_color = GREY if r.random() < 0.4 else None
        self.title_size = self.size + r.choice((8, 10, 12, 14))
        self.title_color = ctx.accent if r.random() < 0.5 else (0, 0, 0)
        self.bank_in_footer = bool(ctx.spec.bank) and r.random() < self.bank_in_footer_p
        self.printed_date = None
        if r.random() < 0.12:
            import datetime as dt

            when = ctx.spec.invoice_date + dt.timedelta(days=r.randint(0, 6))
            self.printed_date = f"{r.choice(PRINTED[ctx.spec.lang])}: {ctx.date(when)}"
        self.attn = (
            f"{ATTN[ctx.spec.lang]} {ctx.spec.customer.contact}"
            if ctx.spec.customer.contact and r.random() < 0.35
            else None
        )
        self.customer_extra: list[str] = []
        self.setup()
        self.totals = ctx.totals_rows()
        self.bank = ctx.bank_lines()
        self.contacts = ctx.contact_lines()
        self.vat_line = ctx.vendor_tax_line()
        if (
            ctx.spec.customer.tax_id
            and not getattr(ctx, "customer_vat_in_meta", False)
            and (r.random() < 0.4 or ctx.spec.tax_mode == "reverse_charge")
        ):
            self.customer_extra.append(f"{ctx.L('customer_vat_id')}: {ctx.spec.customer.tax_id}")
        self.closing_paras = self._closing()
        self.footer_top = self.footer(1, measure=True)

    # -- to override --------------------------------------------------------------------------------------------
    def setup(self) -> None:
        self.meta = self.ctx.meta_rows()

    def first_page(self) -> float:
        raise NotImplementedError

    def table(self) -> ItemTable:
        return ItemTable(self.ctx, self.ctx.ml, self.ctx.content_w, self.table_style)

    def next_page(self, page: int) -> float:
        """A continuation header: who, which invoice, which page."""
        c, pen = self.ctx, self.pen
        y = c.mt
        pen.text(c.ml, y + self.size + 3, self.spec.vendor.name, size=self.size + 3, bold=True)
        pen.text(
            c.right,
            y + self.size + 3,
            f"{c.L('title').title() if c.L('title').isupper() else c.L('title')} {self.spec.invoice_number}",
            size=self.size + 1,
            bold=True,
            align="right",
        )
        y += self.size * 2 + 6
        pen.text(c.right, y, c.page_label(page), size=self.size - 1, color=GREY, align="right")
        pen.hline(c.ml, c.right, y + 4, lw=0.5, color=GREY)
        return y + 18

    def totals_block(self, y: float, table: ItemTable) -> float:
        c = self.ctx
        width = min(max(230.0, table.width * 0.45), table.width)
        return totals_kv(
            self.pen,
            table.x + table.width,
            y + 8,
            width,
            self.totals,
            size=self.size,
            label_align="left",
            accent=c.accent,
            rule="above",
        )

    def closing(self, y: float, x: float | None = None, width: float | None = None) -> float:
        c = self.ctx
        x = c.ml if x is None else x
        width = c.content_w if width is None else width
        return notes(self.pen, x, y + 6, width, self.closing_paras, size=self.size - 0.5)

    def footer(self, page: int, *, measure: bool = False) -> float:
        """Draw the footer of ``page``; return its top y. ``measure`` draws nothing."""
        c = self.ctx
        pen = self.pen.dry_copy() if measure else self.pen
        cols = self.footer_columns()
        bottom = c.H - c.mb
        page_text = c.page_label(page)
        pen.text(c.right, bottom, page_text, size=self.size - 1.5, color=GREY, align="right")
        if self.printed_date:
            pen.text(c.ml, bottom, self.printed_date, size=self.size - 1.5, color=GREY)
        if not cols:
            return bottom - self.size - 6
        return footer_columns(pen, c.ml, bottom - self.size - 2, c.content_w, cols, size=self.size - 2, rule=True)

    # -- shared pieces ------------------------------------------------------------------------------------------
    def footer_columns(self) -> list[list[str]]:
        return [self.bank] if self.bank_in_footer and self.bank else []

    def _closing(self) -> list[tuple[str, bool]]:
        c, s, r = self.ctx, self.spec, self.ctx.rng
        out: list[tuple[str, bool]] = []
        if s.due_date and getattr(c, "due_in_sentence", False):
            out.append((r.choice(DUE_SENTENCE[s.lang]).format(date=c.date(s.due_date)), False))
        if s.payment_terms and not getattr(c, "terms_in_meta", False):
            out.append((f"{c.L('payment_terms')}: {s.payment_terms}" if r.random() < 0.6 else s.payment_terms, False))
        if s.tax_mode == "reverse_charge":
            out.append((c.L("reverse_charge"), True))
        elif s.tax_mode == "exempt":
            out.append((c.L("exempt"), False))
        if s.customer_iban:
            out.append((DIRECT_DEBIT[s.lang].format(iban=c.iban(s.customer_iban)), False))
        if self.spec.bank and not self.bank_in_footer:
            out.append((c.L("pay_by_transfer"), False))
            for line in c.bank_lines():
                out.append((line, False))
        if s.lang == "fr" and r.random() < 0.5:
            out.append((c.L("late_fee"), False))
        if r.random() < 0.5:
            out.append((c.L("thanks"), False))
        return out

    def vendor_lines(self, *, contacts: bool = True, vat: bool = True) -> list[str]:
        v = self.spec.vendor
        lines = list(v.address_lines)
        if contacts:
            lines += self.contacts[:3]
        if vat and self.vat_line:
            lines.append(self.vat_line)
        return lines

    def draw_parties(
        self, y: float, x: float | None = None, width: float | None = None, *, label_style: str | None = None
    ) -> float:
        c, s, r = self.ctx, self.spec, self.ctx.rng
        x = c.ml if x is None else x
        width = c.content_w if width is None else width
        label_style = label_style or self._party_label_style
        col = min(230.0, width / 2 - 10)
        bottom = party_block(
            self.pen,
            x,
            y,
            col,
            s.customer,
            label=c.L("bill_to"),
            label_style=label_style,
            name_bold=self._name_bold,
            size=self.size,
            attn=self.attn,
            extra=self.customer_extra,
            color=c.accent,
        )
        if s.ship_to:
            b2 = party_block(
                self.pen,
                x + width / 2 if self._ship_far else x + col + 20,
                y,
                col,
                s.ship_to,
                label=c.L("ship_to"),
                label_style=label_style,
                name_bold=self._name_bold,
                size=self.size,
                color=c.accent,
            )
            bottom = max(bottom, b2)
        del r
        return bottom

    @property
    def _party_label_style(self) -> str:
        if not hasattr(self, "_pls"):
            self._pls = self.ctx.rng.choice(("caps", "bold", "accent", "underline"))
            self._name_bold = self.ctx.rng.random() < 0.6
            self._ship_far = self.ctx.rng.random() < 0.5
        return self._pls

    def prepare_parties(self) -> None:
        _ = self._party_label_style


# ------------------------------------------------------------------------------------------------------------------
class Classic(Layout):
    """Vendor top-left under a logo; title and key facts (labels left of values) top-right; Bill to / Ship to."""

    name = "classic"

    def setup(self) -> None:
        self.meta = self.ctx.meta_rows(max_rows=9)
        self.prepare_parties()
        self.value_align = self.ctx.rng.choice(("left", "right"))

    def first_page(self) -> float:
        c, pen, s = self.ctx, self.pen, self.spec
        y = c.mt
        if self.logo_kind != "none":
            room = c.content_w - pen.width(c.L("title"), self.title_size, True) - 30
            logo(pen, c, self.logo_kind, c.ml, y, 34, with_name=False, max_w=room)
            y += 44
        left = party_block(
            pen,
            c.ml,
            y,
            250,
            s.vendor,
            label=None,
            label_style="bold",
            name_bold=True,
            size=self.size,
            extra=self.vendor_lines()[len(s.vendor.address_lines) :],
        )
        ry = c.mt
        pen.text(
            c.right,
            ry + self.title_size,
            c.L("title"),
            size=self.title_size,
            bold=True,
            color=self.title_color,
            align="right",
        )
        ry += self.title_size + 14
        right = kv_block(
            pen,
            c.right - 215,
            ry,
            215,
            self.meta,
            size=self.size,
            bold_labels=c.bold_labels,
            label_color=self.label_color,
            value_align=self.value_align,
        )
        y = max(left, right) + 18
        y = self.draw_parties(y)
        return y + 18

    def footer_columns(self) -> list[list[str]]:
        if self.bank_in_footer:
            return [[self.spec.vendor.name, *([self.spec.company_reg] if self.spec.company_reg else [])], self.bank]
        return [[self.spec.company_reg]] if self.spec.company_reg else []


class Din(Layout):
    """German business-letter style: small sender line over the recipient window, info block right, the vendor's
    full details only in a multi-column footer."""

    name = "din"
    table_styles = ("rules", "minimal", "grid", "zebra")
    bank_in_footer_p = 0.9

    def setup(self) -> None:
        r = self.ctx.rng
        self.meta = self.ctx.meta_rows(max_rows=10)
        self.heading_with_number = r.random() < 0.6
        self.heading_kind = "label" if len(self.ctx.L("invoice_number")) > 8 and r.random() < 0.4 else "title"
        if self.heading_with_number and r.random() < 0.5:
            self.meta = [m for m in self.meta if m[0] != "invoice_number"]
        self.greeting = self.spec.lang == "de" and r.random() < 0.5
        self.value_align = r.choice(("left", "right"))
        self.sender_sep = r.choice((" · ", " | ", ", ", " - "))

    def first_page(self) -> float:
        c, pen, s = self.ctx, self.pen, self.spec
        top = c.mt
        if self.logo_kind != "none":
            logo(pen, c, self.logo_kind, c.right, top, 40, with_name=True, align="right", max_w=c.content_w * 0.7)
        else:
            pen.text(c.right, top + 22, s.vendor.name, size=self.size + 9, bold=True, color=c.accent, align="right")
        y = max(top + 85, 120)
        sender = self.sender_sep.join([s.vendor.name, *s.vendor.address_lines])
        avail = c.content_w - 200 - 16
        ssize = 6.5
        while pen.width(sender, ssize) > avail and ssize > 5:
            ssize -= 0.25
        sy = y
        for part in pen.wrap(sender, avail, ssize) if pen.width(sender, ssize) > avail else [sender]:
            sw = pen.text(c.ml, sy, part, size=ssize, color=GREY)
            pen.hline(c.ml, c.ml + sw, sy + 2, lw=0.3, color=GREY)
            sy += ssize * 1.3
        left = party_block(
            pen,
            c.ml,
            sy + 4,
            min(240, avail),
            s.customer,
            label=None,
            label_style="bold",
            name_bold=False,
            size=self.size + 0.5,
            attn=self.attn,
            extra=self.customer_extra,
        )
        right = kv_block(
            pen,
            c.right - 200,
            y - 6,
            200,
            self.meta,
            size=self.size - 0.5,
            bold_labels=c.bold_labels,
            label_color=self.label_color,
            value_align=self.value_align,
            bold_keys=(),
        )
        y = max(left + 24, right + 14, y + 110) + self.size + 5
        title = c.L("title")
        if self.heading_with_number:
            if self.heading_kind == "label":
                title = f"{c.L('invoice_number').rstrip(':')} {s.invoice_number}"
            else:
                title = f"{title.title() if title.isupper() else title} {s.invoice_number}"
        pen.text(c.ml, y, title, size=self.size + 5, bold=True)
        y += 14
        if self.greeting:
            y = pen.para(c.ml, y + self.size, c.L("greeting"), c.content_w, size=self.size)
            y = pen.para(c.ml, y + 2, c.L("intro"), c.content_w, size=self.size)
        return y + 8

    def footer_columns(self) -> list[list[str]]:
        s = self.spec
        cols = [[s.vendor.name, *s.vendor.address_lines], self.contacts[:4]]
        if self.bank_in_footer and self.bank:
            cols.append(self.bank)
        reg = [x for x in (s.company_reg, self.vat_line) if x]
        if reg:
            cols.append(reg)
        return cols


class Centered(Layout):
    """Centred logo, vendor and title; key facts in a horizontal table; Bill to left, Ship to right."""

    name = "centered"
    table_styles = ("grid", "rules", "boxed", "band")

    def setup(self) -> None:
        self.meta = self.ctx.meta_rows(max_rows=10)
        self.prepare_parties()
        self._ship_far = True
        self.strip_fill = self.ctx.rng.choice((LIGHT, tint(self.ctx.accent, 0.85), None))

    def first_page(self) -> float:
        c, pen, s = self.ctx, self.pen, self.spec
        y = c.mt
        mid = c.W / 2
        if self.logo_kind not in ("none", "wordmark"):
            logo(pen, c, self.logo_kind, mid, y, 32, with_name=False, align="center")
            y += 40
        pen.text(mid, y + self.size + 6, s.vendor.name, size=self.size + 6, bold=True, align="center")
        y += self.size + 16
        pen.text(mid, y, ", ".join(s.vendor.address_lines), size=self.size - 0.5, align="center")
        y += self.size + 4
        line2 = "  ·  ".join([*self.contacts[:2], *([self.vat_line] if self.vat_line else [])])
        pen.text(mid, y, line2, size=self.size - 1, align="center", color=GREY)
        y += 12
        pen.hline(c.ml, c.right, y, lw=0.8, color=c.accent)
        y += self.title_size + 10
        pen.text(
            mid,
            y,
            c.L("title").upper(),
            size=self.title_size,
            bold=True,
            align="center",
            color=self.title_color,
            char_space=2,
        )
        y += 16
        y = strip_table(pen, c.ml, y, c.content_w, self.meta, size=self.size, fill=self.strip_fill) + 10
        y = self.draw_parties(y)
        return y + 16

    def totals_block(self, y: float, table: ItemTable) -> float:
        return totals_boxed(
            self.pen,
            table.x + table.width,
            y + 10,
            min(250, table.width * 0.5),
            self.totals,
            size=self.size,
            accent=self.ctx.accent,
        )

    def footer_columns(self) -> list[list[str]]:
        if self.bank_in_footer:
            return [self.bank, [self.spec.company_reg] if self.spec.company_reg else []]
        return []


class Banner(Layout):
    """A full-width coloured band with the title and vendor; key facts as labels above values; total in a bar."""

    name = "banner"
    table_styles = ("band", "zebra", "minimal", "rules")

    def setup(self) -> None:
        r = self.ctx.rng
        self.meta = self.ctx.meta_rows(max_rows=8)
        self.prepare_parties()
        self.cols = r.choice((3, 4, 4))
        self.band_h = r.choice((70, 80, 92))

    def first_page(self) -> float:
        c, pen, s = self.ctx, self.pen, self.spec
        pen.rect(0, 0, c.W, self.band_h, stroke=None, fill=c.accent)
        pen.text(
            c.ml,
            self.band_h / 2 + self.title_size * 0.35,
            c.L("title").upper(),
            size=self.title_size + 2,
            bold=True,
            color=WHITE,
        )
        pen.text(c.right, self.band_h / 2 - 2, s.vendor.name, size=self.size + 4, bold=True, color=WHITE, align="right")
        pen.text(
            c.right,
            self.band_h / 2 + self.size + 4,
            ", ".join(s.vendor.address_lines),
            size=self.size - 1,
            color=WHITE,
            align="right",
        )
        y = self.band_h + 14
        info = [*self.contacts[:3], *([self.vat_line] if self.vat_line else [])]
        isize = self.size - 1.5
        lines = ["   ".join(info)]
        if pen.width(lines[0], isize) > c.content_w:  # two lines rather than off the page
            half = (len(info) + 1) // 2
            lines = ["   ".join(info[:half]), "   ".join(info[half:])]
        for line in lines:
            fit_line(
                pen, c.right, y - isize, line, c.content_w, size=isize, lead=isize * 1.3, color=GREY, align="right"
            )
            y += isize * 1.3
        y += 18 - isize * 1.3
        y = above_grid(
            pen,
            c.ml,
            y,
            c.content_w,
            self.meta,
            cols=self.cols,
            size=self.size,
            boxed=False,
            label_color=GREY,
            value_bold=True,
            upper=True,
        )
        y += 8
        pen.hline(c.ml, c.right, y, lw=0.4, color=GREY)
        y = self.draw_parties(y + 10)
        return y + 16

    def totals_block(self, y: float, table: ItemTable) -> float:
        return totals_bar(
            self.pen,
            table.x + table.width * 0.45,
            table.x + table.width,
            y + 8,
            table.width * 0.55,
            self.totals,
            size=self.size,
            accent=self.ctx.accent,
        )

    def next_page(self, page: int) -> float:
        c = self.ctx
        self.pen.rect(0, 0, c.W, 28, stroke=None, fill=c.accent)
        self.pen.text(
            c.ml, 19, f"{c.L('title')} {self.spec.invoice_number}", size=self.size + 1, bold=True, color=WHITE
        )
        self.pen.text(c.right, 19, self.spec.vendor.name, size=self.size, color=WHITE, align="right")
        return 48

    def footer_columns(self) -> list[list[str]]:
        if self.bank_in_footer:
            return [self.bank, [self.spec.company_reg] if self.spec.company_reg else []]
        return [[self.spec.company_reg]] if self.spec.company_reg else []


class Sidebar(Layout):
    """A tinted left column with vendor, key facts (labels above values) and bank; content to its right."""

    name = "sidebar"
    table_styles = ("minimal", "rules", "zebra")
    bank_in_footer_p = 0.0

    def setup(self) -> None:
        r = self.ctx.rng
        self.meta = self.ctx.meta_rows(max_rows=9)
        self.prepare_parties()
        self.side_w = r.choice((150, 165, 180))
        self.side_fill = tint(self.ctx.accent, r.choice((0.88, 0.92)))
        self.bank_in_side = bool(self.spec.bank)
        self.bank_in_footer = self.bank_in_side  # keeps bank lines out of the closing notes

    @property
    def x0(self) -> float:
        return self.side_w + 24

    def _side(self) -> None:
        self.pen.rect(0, 0, self.side_w, self.ctx.H, stroke=None, fill=self.side_fill)

    def first_page(self) -> float:
        c, pen, s = self.ctx, self.pen, self.spec
        self._side()
        sx, sw = 16, self.side_w - 28
        y = c.mt
        if self.logo_kind not in ("none",):
            logo(pen, c, self.logo_kind if self.logo_kind != "wordmark" else "circle", sx, y, 30, with_name=False)
            y += 40
        y = party_block(
            pen,
            sx,
            y,
            sw,
            s.vendor,
            label=None,
            label_style="bold",
            name_bold=True,
            size=self.size - 0.5,
            extra=[*self.contacts[:3], *([self.vat_line] if self.vat_line else [])],
        )
        y += 14
        y = above_grid(
            pen, sx, y, sw, self.meta, cols=1, size=self.size - 0.5, boxed=False, label_color=c.accent, value_bold=False
        )
        if self.bank_in_side:
            y += 10
            pen.text(sx, y, c.L("bank").upper(), size=self.size - 1.5, bold=True, color=c.accent)
            y += 4
            for line in self.bank:
                y = keep_whole(pen, sx, y, line, sw, size=self.size - 1.5)
        ty = c.mt + self.title_size
        pen.text(self.x0, ty, c.L("title"), size=self.title_size + 4, bold=True, color=self.title_color)
        y2 = ty + 30
        y2 = self.draw_parties(y2, self.x0, c.right - self.x0)
        return y2 + 20

    def next_page(self, page: int) -> float:
        c = self.ctx
        self._side()
        self.pen.text(16, c.mt + 12, self.spec.vendor.name, size=self.size, bold=True)
        self.pen.text(
            c.right,
            c.mt + 12,
            f"{c.L('invoice_number').rstrip(':')} {self.spec.invoice_number} – {c.page_label(page)}",
            size=self.size,
            align="right",
        )
        return c.mt + 36

    def table(self) -> ItemTable:
        return ItemTable(self.ctx, self.x0, self.ctx.right - self.x0, self.table_style)

    def closing(self, y: float, x: float | None = None, width: float | None = None) -> float:
        return super().closing(y, self.x0, self.ctx.right - self.x0)

    def footer(self, page: int, *, measure: bool = False) -> float:
        c = self.ctx
        pen = self.pen.dry_copy() if measure else self.pen
        bottom = c.H - c.mb
        pen.text(c.right, bottom, c.page_label(page), size=self.size - 1.5, color=GREY, align="right")
        if self.spec.company_reg:
            footer_columns(
                pen,
                self.x0,
                bottom - self.size - 2,
                c.right - self.x0,
                [[self.spec.company_reg]],
                size=self.size - 2,
                rule=False,
            )
        return bottom - 3 * self.size - 10


class Boxed(Layout):
    """A form: vendor, title, key facts (boxed cells, label on top) and addresses each in a box."""

    name = "boxed"
    table_styles = ("boxed", "grid")

    def setup(self) -> None:
        r = self.ctx.rng
        self.meta = self.ctx.meta_rows(max_rows=8)
        self.prepare_parties()
        self.cell_fill = r.choice((None, LIGHT))
        self.radius = r.choice((0, 0, 4))

    def first_page(self) -> float:
        c, pen, s = self.ctx, self.pen, self.spec
        y = c.mt
        half = c.content_w / 2 - 6
        vendor_lines = self.vendor_lines()[len(s.vendor.address_lines) :]
        h_v = (
            party_block(
                pen.dry_copy(),
                c.ml + 8,
                y + 8,
                half - 16,
                s.vendor,
                label=None,
                label_style="bold",
                name_bold=True,
                size=self.size,
                extra=vendor_lines,
            )
            - y
            + 6
        )
        pen.rect(c.ml, y, half, h_v, lw=0.8, radius=self.radius)
        party_block(
            pen,
            c.ml + 8,
            y + 8,
            half - 16,
            s.vendor,
            label=None,
            label_style="bold",
            name_bold=True,
            size=self.size,
            extra=vendor_lines,
        )
        rx = c.ml + half + 12
        pen.rect(rx, y, half, self.title_size + 16, lw=0.8, fill=tint(c.accent, 0.85), radius=self.radius)
        pen.text(
            rx + half / 2,
            y + self.title_size + 6,
            c.L("title").upper(),
            size=self.title_size,
            bold=True,
            align="center",
        )
        ry = above_grid(
            pen,
            rx,
            y + self.title_size + 22,
            half,
            self.meta,
            cols=2,
            size=self.size,
            boxed=True,
            label_color=GREY,
            value_bold=True,
            fill=self.cell_fill,
        )
        y = max(y + h_v, ry) + 12
        h_c = self.draw_parties_boxed(y, measure=True)
        self.draw_parties_boxed(y)
        return y + h_c + 16

    def draw_parties_boxed(self, y: float, *, measure: bool = False) -> float:
        c, s = self.ctx, self.spec
        pen = self.pen.dry_copy() if measure else self.pen
        half = c.content_w / 2 - 6
        b1 = party_block(
            pen.dry_copy(),
            c.ml + 8,
            y + 8,
            half - 16,
            s.customer,
            label=c.L("bill_to"),
            label_style="caps",
            name_bold=True,
            size=self.size,
            attn=self.attn,
            extra=self.customer_extra,
        )
        b2 = b1
        if s.ship_to:
            b2 = party_block(
                pen.dry_copy(),
                c.ml + half + 20,
                y + 8,
                half - 16,
                s.ship_to,
                label=c.L("ship_to"),
                label_style="caps",
                name_bold=True,
                size=self.size,
            )
        h = max(b1, b2) - y + 4
        pen.rect(c.ml, y, half, h, lw=0.6, radius=self.radius)
        party_block(
            pen,
            c.ml + 8,
            y + 8,
            half - 16,
            s.customer,
            label=c.L("bill_to"),
            label_style="caps",
            name_bold=True,
            size=self.size,
            attn=self.attn,
            extra=self.customer_extra,
        )
        if s.ship_to:
            pen.rect(c.ml + half + 12, y, half, h, lw=0.6, radius=self.radius)
            party_block(
                pen,
                c.ml + half + 20,
                y + 8,
                half - 16,
                s.ship_to,
                label=c.L("ship_to"),
                label_style="caps",
                name_bold=True,
                size=self.size,
            )
        return h

    def totals_block(self, y: float, table: ItemTable) -> float:
        return totals_boxed(
            self.pen,
            table.x + table.width,
            y,
            min(260, table.width * 0.5),
            self.totals,
            size=self.size,
            accent=self.ctx.accent,
        )

    def footer_columns(self) -> list[list[str]]:
        cols = []
        if self.bank_in_footer:
            cols.append(self.bank)
        if self.spec.company_reg:
            cols.append([self.spec.company_reg])
        return cols


class TitleLeft(Layout):
    """The title and the invoice number as a big heading top-left (no label); vendor right-aligned top-right."""

    name = "title_left"
    table_styles = ("zebra", "rules", "minimal", "band")

    def setup(self) -> None:
        r = self.ctx.rng
        meta = self.ctx.meta_rows(max_rows=8)
        self.number_style = r.choice(("same_line", "hash_below", "no_below"))
        self.meta = meta if r.random() < 0.3 else [m for m in meta if m[0] != "invoice_number"]
        self.prepare_parties()
        self.meta_right = r.random() < 0.5

    def first_page(self) -> float:
        c, pen, s = self.ctx, self.pen, self.spec
        y = c.mt + self.title_size
        title = c.L("title")
        if self.number_style == "same_line":
            pen.text(c.ml, y, f"{title} {s.invoice_number}", size=self.title_size, bold=True, color=self.title_color)
        else:
            pen.text(c.ml, y, title, size=self.title_size, bold=True, color=self.title_color)
            y += self.size + 10
            prefix = "# " if self.number_style == "hash_below" else f"{c.L('invoice_number').rstrip(':')} "
            pen.text(c.ml, y, f"{prefix}{s.invoice_number}", size=self.size + 3, bold=True)
        y += 14
        vy = c.mt
        if self.logo_kind != "none":
            heading = f"{c.L('title')} {s.invoice_number}" if self.number_style == "same_line" else c.L("title")
            room = c.content_w - pen.width(heading, self.title_size, True) - 30
            logo(pen, c, self.logo_kind, c.right, vy, 30, with_name=False, align="right", max_w=room)
            vy += 38
        vy = party_block(
            pen,
            c.right - 230,
            vy,
            230,
            s.vendor,
            label=None,
            label_style="bold",
            name_bold=True,
            size=self.size,
            extra=self.vendor_lines()[len(s.vendor.address_lines) :],
            align="right",
        )
        if self.meta_right:
            y = max(y, vy) + 14
            py = self.draw_parties(y, c.ml, c.content_w * 0.55)
            my = colon_lines(pen, c.right - 220, y, 220, self.meta, size=self.size, align="right")
            return max(py, my) + 18
        y = colon_lines(pen, c.ml, y, 260, self.meta, size=self.size)
        y = max(y, vy) + 14
        return self.draw_parties(y) + 18

    def totals_block(self, y: float, table: ItemTable) -> float:
        width = min(max(220.0, table.width * 0.42), table.width)
        return totals_kv(
            self.pen,
            table.x + table.width,
            y + 8,
            width,
            self.totals,
            size=self.size,
            label_align="right",
            accent=self.ctx.accent,
            rule="box",
        )


class Mono(Layout):
    """A monospaced ERP print-out: everything is text in columns, rules are dashes."""

    name = "mono"
    table_styles = ("mono",)
    bank_in_footer_p = 0.2

    def setup(self) -> None:
        self.meta = self.ctx.meta_rows(max_rows=10)
        self.ctx.accent = (0, 0, 0)

    def _dash(self, y: float, ch: str = "-") -> None:
        c = self.ctx
        n = int(c.content_w / self.pen.width(ch, self.size))
        self.pen.text(c.ml, y, ch * n, size=self.size)

    def first_page(self) -> float:
        c, pen, s = self.ctx, self.pen, self.spec
        y = c.mt + self.size
        name = s.vendor.name
        pen.text(c.ml, y, name, size=self.size + 2, bold=True)
        y += self.size * 1.5
        for line in self.vendor_lines():
            pen.text(c.ml, y, line, size=self.size)
            y += self.size * 1.3
        y += 6
        self._dash(y, "=")
        y += self.size * 1.8
        pen.text(c.W / 2, y, " ".join(c.L("title").upper()), size=self.size + 3, bold=True, align="center")
        y += self.size * 1.2
        self._dash(y, "=")
        y += self.size * 2
        top = y
        py = party_block(
            pen,
            c.ml,
            y,
            230,
            s.customer,
            label=c.L("bill_to").upper(),
            label_style="bold",
            name_bold=False,
            size=self.size,
            attn=self.attn,
            extra=self.customer_extra,
        )
        label_w = max(len(lab) for _, lab, _ in self.meta) + 1
        my = top
        mx = c.right - 240
        vx = mx + pen.width(" " * (label_w + 1), self.size)
        for _key, lab, val in self.meta:
            pen.text(mx, my + self.size, lab, size=self.size)
            for part in pen.wrap(val, c.right - vx, self.size):
                pen.text(vx, my + self.size, part, size=self.size)
                my += self.size * 1.35
        return max(py, my) + 16

    def totals_block(self, y: float, table: ItemTable) -> float:
        c, pen = self.ctx, self.pen
        label_w = max(len(lab) for _, lab, _ in self.totals) + 2
        val_w = max(len(v) for _, _, v in self.totals)
        y += 4
        for kind, lab, val in self.totals:
            text = f"{lab.ljust(label_w)}{val.rjust(val_w)}"
            if kind in ("total", "due"):
                self._dash_short(y, len(text))
                y += self.size * 1.1
            pen.text(c.right, y + self.size, text, size=self.size, bold=kind in ("total", "due"), align="right")
            y += self.size * 1.4
        return y + 6

    def _dash_short(self, y: float, n: int) -> None:
        self.pen.text(self.ctx.right, y + self.size * 0.6, "-" * n, size=self.size, align="right")

    def footer_columns(self) -> list[list[str]]:
        return [self.bank] if self.bank_in_footer else []


class Minimal(Layout):
    """Airy, modern: small caps labels above values, the amount due big at the top, From/Bill to side by side."""

    name = "minimal"
    table_styles = ("minimal", "rules")

    def setup(self) -> None:
        r = self.ctx.rng
        self.meta = self.ctx.meta_rows(max_rows=8)
        self.cols = r.choice((3, 4))
        self.prepare_parties()
        self.vendor_as_from = r.random() < 0.6

    def first_page(self) -> float:
        c, pen, s = self.ctx, self.pen, self.spec
        y = c.mt
        key = "amount_due" if s.show_amount_due else "total"
        value = c.money(s.amount_due if s.show_amount_due else s.total)
        room = c.content_w - pen.width(value, self.size + 13, True) - 30
        if self.logo_kind != "none":
            logo(pen, c, self.logo_kind, c.ml, y, 26, with_name=True, max_w=room)
        else:
            fit_line(
                pen,
                c.ml,
                y + 18 - self.size - 5,
                s.vendor.name,
                room,
                size=self.size + 5,
                lead=self.size * 1.6,
                bold=True,
            )
        pen.text(c.right, y + 8, c.L(key).upper(), size=self.size - 1.5, color=GREY, align="right", char_space=0.8)
        pen.text(c.right, y + 34, value, size=self.size + 13, bold=True, align="right", color=c.accent)
        y += 60
        pen.text(c.ml, y, c.L("title").upper(), size=self.size - 1, color=GREY, char_space=1.5)
        y += self.size + 8
        y = above_grid(
            pen,
            c.ml,
            y,
            c.content_w,
            self.meta,
            cols=self.cols,
            size=self.size,
            boxed=False,
            label_color=GREY,
            value_bold=False,
            upper=True,
        )
        y += 14
        col = c.content_w / 2 - 10
        if self.vendor_as_from:
            b1 = party_block(
                pen,
                c.ml,
                y,
                col,
                s.vendor,
                label=c.L("from"),
                label_style="caps",
                name_bold=True,
                size=self.size,
                extra=self.vendor_lines()[len(s.vendor.address_lines) :],
            )
            b2 = party_block(
                pen,
                c.ml + col + 20,
                y,
                col,
                s.customer,
                label=c.L("bill_to"),
                label_style="caps",
                name_bold=True,
                size=self.size,
                attn=self.attn,
                extra=self.customer_extra,
            )
            y = max(b1, b2)
            if s.ship_to:
                y = party_block(
                    pen,
                    c.ml + col + 20,
                    y + 10,
                    col,
                    s.ship_to,
                    label=c.L("ship_to"),
                    label_style="caps",
                    name_bold=True,
                    size=self.size,
                )
        else:
            line = "  ·  ".join([s.vendor.name, *s.vendor.address_lines, *([self.vat_line] if self.vat_line else [])])
            y = pen.para(c.ml, y, line, c.content_w, size=self.size - 1, color=GREY)
            y = self.draw_parties(y + 4, label_style="caps")
        return y + 24

    def footer_columns(self) -> list[list[str]]:
        cols = []
        if self.bank_in_footer:
            cols.append(self.bank)
        if not self.vendor_as_from:
            cols.append(self.contacts[:3])
        return cols


class KvTable(Layout):
    """Wordmark header only; key facts in a bordered key/value table right; a per-rate tax table; vendor details
    only in the footer."""

    name = "kvtable"
    table_styles = ("grid", "boxed", "rules")
    bank_in_footer_p = 0.8

    def setup(self) -> None:
        r = self.ctx.rng
        self.meta = self.ctx.meta_rows(max_rows=9)
        self.prepare_parties()
        self.tax_table = bool(self.spec.tax_lines) and r.random() < 0.7
        self.label_fill = r.choice((LIGHT, tint(self.ctx.accent, 0.85)))

    def first_page(self) -> float:
        c, pen, s = self.ctx, self.pen, self.spec
        y = c.mt
        kind = self.logo_kind if self.logo_kind != "none" else "wordmark"
        title_w = pen.width(c.L("title"), self.title_size, True)
        logo(pen, c, kind, c.ml, y, 34, with_name=kind != "wordmark", max_w=c.content_w - title_w - 30)
        pen.text(
            c.right,
            y + self.title_size,
            c.L("title"),
            size=self.title_size,
            bold=True,
            color=self.title_color,
            align="right",
        )
        y += 46
        pen.hline(c.ml, c.right, y, lw=1.5, color=c.accent)
        y += 16
        py = party_block(
            pen,
            c.ml,
            y,
            230,
            s.customer,
            label=c.L("bill_to"),
            label_style=self._party_label_style,
            name_bold=True,
            size=self.size,
            attn=self.attn,
            extra=self.customer_extra,
        )
        if s.ship_to:
            py = party_block(
                pen,
                c.ml,
                py + 10,
                230,
                s.ship_to,
                label=c.L("ship_to"),
                label_style=self._party_label_style,
                name_bold=True,
                size=self.size,
            )
        ky = kv_table(pen, c.right - 240, y, 240, self.meta, size=self.size - 0.5, label_fill=self.label_fill)
        return max(py, ky) + 20

    def totals_block(self, y: float, table: ItemTable) -> float:
        c = self.ctx
        y0 = y + 10
        ty = totals_boxed(
            self.pen,
            table.x + table.width,
            y0,
            min(250, table.width * 0.45),
            self.totals,
            size=self.size,
            accent=c.accent,
        )
        if self.tax_table:
            box_w = max(min(250, table.width * 0.45), totals_width(self.pen, self.totals, self.size))
            room = table.width - box_w - 20
            if room >= 200:
                ty = max(ty, tax_summary(self.pen, c, table.x, y0, room, size=self.size))
            else:  # not enough room beside the totals: the tax table goes under them
                ty = tax_summary(
                    self.pen,
                    c,
                    table.x + table.width - min(300, table.width),
                    ty,
                    min(300, table.width),
                    size=self.size,
                )
        return ty

    def footer_columns(self) -> list[list[str]]:
        s = self.spec
        cols = [
            [s.vendor.name, *s.vendor.address_lines],
            [*self.contacts[:3], *([self.vat_line] if self.vat_line else [])],
        ]
        if self.bank_in_footer and self.bank:
            cols.append(self.bank)
        if s.company_reg:
            cols[-1] = [*cols[-1], s.company_reg]
        return cols


LAYOUT_CLASSES: dict[str, type[Layout]] = {
    cls.name: cls for cls in (Classic, Din, Centered, Banner, Sidebar, Boxed, TitleLeft, Mono, Minimal, KvTable)
}

__all__ = ["LAYOUT_CLASSES", "Layout", "resolve"]


def _next_page_height(self: Layout) -> float:
    """How far down a continuation page's content starts (measured, nothing drawn)."""
    real = self.pen
    self.pen = real.dry_copy()
    try:
        return self.next_page(2)
    finally:
        self.pen = real


Layout.next_page_height = _next_page_height  # type: ignore[attr-defined]
