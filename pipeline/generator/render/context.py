"""What every layout needs: the spec, the pen, the formats, and the label/row builders."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from ..ids import group_iban
from ..locales import format_date
from ..model import InvoiceSpec
from .pen import Color, Pen

GREY: Color = (0.42, 0.42, 0.45)
LIGHT: Color = (0.93, 0.93, 0.94)
WHITE: Color = (1, 1, 1)


def tint(c: Color, amount: float) -> Color:
    """Mix a colour with white (amount 0..1 of white)."""
    return tuple(x + (1 - x) * amount for x in c)  # type: ignore[return-value]


class Ctx:
    def __init__(self, spec: InvoiceSpec, pen: Pen, total_pages: int):
        self.spec = spec
        self.style = spec.style
        self.pen = pen
        self.total_pages = total_pages
        self.rng = random.Random(spec.style.seed)
        self.W = pen.W
        self.H = pen.H
        r = self.rng
        self.ml = r.choice((40, 45, 50, 56, 62, 70))  # left margin
        self.mr = self.ml if r.random() < 0.7 else r.choice((40, 50, 56))
        self.mt = r.choice((36, 42, 50, 60))
        self.mb = r.choice((30, 36, 42))
        self.accent: Color = spec.style.accent
        self.size = spec.style.size
        self.bold_labels = r.random() < 0.55
        self.colon = r.random() < 0.5  # labels end with ':' in key-value blocks
        self.upper_labels = r.random() < 0.2

    @property
    def right(self) -> float:
        return self.W - self.mr

    @property
    def content_w(self) -> float:
        return self.W - self.ml - self.mr

    # --- text formats ---------------------------------------------------------------------------------------
    def L(self, key: str, **kw) -> str:
        text = self.style.labels.get(key, key)
        if "{" in text:
            try:
                text = text.format(**kw)
            except (KeyError, IndexError):
                text = text.split("{")[0].strip()
        return text

    def label(self, key: str, **kw) -> str:
        """A label as a key-value block shows it (upper-cased or with a colon, by the document's habit)."""
        text = self.L(key, **kw)
        if self.upper_labels:
            text = text.upper()
        if self.colon and not text.endswith(":"):
            text += ":"
        return text

    def date(self, d: dt.date) -> str:
        return format_date(d, self.style.date_format, self.spec.locale)

    def money(self, v: Decimal) -> str:
        return self.spec.fmt_money(v)

    def line_money(self, v: Decimal) -> str:
        return self.spec.fmt_line_money(v)

    def price(self, v: Decimal) -> str:
        places = max(self.spec.minor, -v.as_tuple().exponent)
        digits = self.style.number.format(abs(v), places)
        m = self.style.money
        sign = "-" if v < 0 else ""
        if self.style.currency_on != "all" or m.where == "none":
            return sign + digits
        gap = " " if m.space else ""
        return f"{sign}{m.mark}{gap}{digits}" if m.where == "before" else f"{sign}{digits}{gap}{m.mark}"

    def qty(self, q: Decimal) -> str:
        places = max(0, -q.as_tuple().exponent)
        return self.style.number.format(q, places)

    def rate(self, r: Decimal) -> str:
        text = format(r.normalize(), "f")
        return text.replace(".", self.style.number.decimal or ".")

    def iban(self, iban: str) -> str:
        return group_iban(iban) if self.style.iban_grouped else iban

    # --- rows -------------------------------------------------------------------------------------------------
    def currency_row_needed(self) -> bool:
        from ..money import CURRENCIES

        m = self.style.money
        return self.style.currency_on == "none" or (
            m.mark != self.spec.currency and CURRENCIES[self.spec.currency].ambiguous
        )

    def meta_rows(self, *, max_rows: int = 12, include_terms: bool | None = None) -> list[tuple[str, str, str]]:
        """(key, label, value) rows for the invoice's key facts, in a document-specific order."""
        s, r = self.spec, self.rng
        rows: list[tuple[str, str]] = [
            ("invoice_number", s.invoice_number),
            ("invoice_date", self.date(s.invoice_date)),
        ]
        if r.random() < 0.25:
            rows.reverse()
        extra: list[tuple[str, str]] = []
        # Sometimes the due date is only said in a sentence under the totals ("Please pay by ...").
        self.due_in_sentence = bool(s.due_date) and r.random() < 0.15
        if s.due_date and not self.due_in_sentence:
            extra.append(("due_date", self.date(s.due_date)))
        if s.po_number:
            # A PO number right next to the invoice number is a classic trap; put it there often.
            if r.random() < 0.5:
                rows.insert(1 if rows[0][0] == "invoice_number" else 0, ("po_number", s.po_number))
            else:
                extra.append(("po_number", s.po_number))
        if s.customer_number:
            extra.append(("customer_number", s.customer_number))
        if s.order_date:
            extra.append(("order_date", self.date(s.order_date)))
        if s.delivery_date:
            extra.append(("delivery_date", self.date(s.delivery_date)))
        if s.service_period:
            a, b = s.service_period
            extra.append(
                (
                    "service_period",
                    f"{self.date(a)} – {self.date(b)}" if r.random() < 0.7 else f"{self.date(a)} - {self.date(b)}",
                )
            )
        if s.delivery_note:
            extra.append(("delivery_note", s.delivery_note))
        if s.reference:
            extra.append(("reference", s.reference))
        if s.vendor.contact and r.random() < 0.4:
            extra.append(("contact", s.vendor.contact))
        if include_terms is None:
            include_terms = r.random() < 0.5
        self.terms_in_meta = bool(s.payment_terms and include_terms)
        if self.terms_in_meta:
            extra.append(("payment_terms", s.payment_terms))
        if self.currency_row_needed():
            extra.append(("currency", s.currency))
        if s.customer.tax_id and r.random() < 0.25:
            extra.append(("customer_vat_id", s.customer.tax_id))
            self.customer_vat_in_meta = True
        # keep due date right after the date most of the time
        due = [x for x in extra if x[0] == "due_date"]
        rest = [x for x in extra if x[0] != "due_date"]
        r.shuffle(rest)
        if due and r.random() < 0.7:
            ordered = rows + due + rest
        else:
            ordered = rows + rest
            if due:
                ordered.insert(r.randint(2, len(ordered)), due[0])
        if len(ordered) > max_rows:  # drop optional distractors first, never the labelled fields
            keep = {"invoice_number", "invoice_date", "due_date", "po_number", "payment_terms", "currency"}
            while len(ordered) > max_rows:
                idx = next((i for i in range(len(ordered) - 1, -1, -1) if ordered[i][0] not in keep), None)
                if idx is None:
                    break
                ordered.pop(idx)
        return [(k, self.label(k), v) for k, v in ordered]

    def tax_label(self, t, *, with_base: bool = False) -> str:
        rate = self.rate(t.rate)
        if t.name:
            text = (
                self.rng.choice((f"{t.name} {rate}%", f"{t.name} ({rate}%)", f"{t.name} @ {rate}%"))
                if not hasattr(self, "_tax_fmt")
                else self._tax_fmt.format(name=t.name, rate=rate)
            )
            if not hasattr(self, "_tax_fmt"):
                self._tax_fmt = text.replace(t.name, "{name}").replace(rate, "{rate}", 1)
        else:
            text = self.L("tax", rate=rate)
        if with_base:
            on = {"en": "on", "de": "auf", "fr": "sur", "es": "sobre", "nl": "over", "it": "su"}[self.spec.lang]
            text = f"{text} {on} {self.money(t.base)}"
        return text

    def totals_rows(self) -> list[tuple[str, str, str]]:
        """(kind, label, value) rows of the totals block."""
        s, r = self.spec, self.rng
        rows: list[tuple[str, str, str]] = []
        if s.show_subtotal:
            rows.append(("subtotal", self.L("subtotal"), self.money(s.subtotal)))
        if s.discount:
            rows.append(
                ("discount", self.L("discount", rate=self.rate(s.discount_pct or Decimal(0))), self.money(-s.discount))
            )
        if s.shipping:
            rows.append(("shipping", self.L("shipping"), self.money(s.shipping)))
        with_base = r.random() < 0.15
        for t in s.tax_lines:
            rows.append(("tax", self.tax_label(t, with_base=with_base), self.money(t.amount)))
        if len(s.tax_lines) > 1 and r.random() < 0.5:
            rows.append(("tax_total", self.L("tax_total"), self.money(s.tax or Decimal(0))))
        total_value = s.total
        if "total_mismatch" in s.defects:
            total_value = s.total + (Decimal(10) if s.minor == 0 else Decimal("10.00"))
        rows.append(("total", self.L("total"), self.money(total_value)))
        if s.amount_paid:
            rows.append(
                (
                    "paid",
                    self.L("amount_paid"),
                    self.money(-s.amount_paid) if r.random() < 0.6 else self.money(s.amount_paid),
                )
            )
        if s.previous_balance:
            rows.append(("previous", self.L("previous_balance"), self.money(s.previous_balance)))
        if s.show_amount_due:
            rows.append(("due", self.L("amount_due"), self.money(s.amount_due)))
        return rows

    def bank_lines(self) -> list[str]:
        b = self.spec.bank
        if not b:
            return []
        out = []
        sep = ": " if self.rng.random() < 0.7 else " "
        if b.name:
            out.append(f"{self.L('bank')}{sep}{b.name}" if self.rng.random() < 0.6 else b.name)
        if b.iban:
            out.append(f"{self.L('iban').rstrip(':')}{sep}{self.iban(b.iban)}")
        if b.bic:
            out.append(f"{self.L('bic').rstrip(':')}{sep}{b.bic}")
        if b.routing:
            label = {
                "routing": self.style.labels.get("routing", "Routing No."),
                "sort_code": "Sort Code",
                "bsb": "BSB",
                "bank_code": self.style.labels.get("bank_code", "BLZ"),
            }[b.routing_label]
            if self.spec.vendor.country == "CA":
                label = "Transit/Institution"
            out.append(f"{label}{sep}{b.routing}")
        if b.account_no:
            out.append(f"{self.style.labels.get('account_no', 'Account No.')}{sep}{b.account_no}")
        return out

    def contact_lines(self, party=None) -> list[str]:
        p = party or self.spec.vendor
        out = []
        sep = ": " if self.rng.random() < 0.6 else " "
        if p.phone:
            out.append(f"{self.L('phone')}{sep}{p.phone}")
        if p.fax:
            out.append(f"{self.L('fax')}{sep}{p.fax}")
        if p.email:
            out.append(f"{self.L('email')}{sep}{p.email}" if self.rng.random() < 0.6 else p.email)
        if p.website and self.rng.random() < 0.6:
            out.append(p.website)
        return out

    def vendor_tax_line(self) -> str | None:
        v = self.spec.vendor
        if not v.tax_id_display:
            return None
        return f"{self.L('vat_id')}{': ' if self.rng.random() < 0.75 else ' '}{v.tax_id_display}"

    def page_label(self, n: int) -> str:
        return self.L("page", n=n, total=self.total_pages)
