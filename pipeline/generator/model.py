"""The invoice spec: everything a rendered invoice shows, and the truth derived from it.

A spec is plain data. ``random_spec`` (spec.py) draws one; ``render_invoice`` (render/) draws it; ``truth()``
gives the corpus record. Truth is what the document PRINTS: a field the document does not show is null (and
still listed in ``labelled_fields``, meaning "absent" per ../shared/corpus/README.md).

Amount identities (checked by the tests):
    subtotal = sum of line-item amounts (discount and shipping lines in the item table are line items)
    total    = subtotal - discount + shipping + tax   (discount/shipping: only when shown in the totals block)
    tax      = sum over rates of round(base_rate x rate)
    amount_due = total - amount_paid + previous_balance
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .money import CURRENCIES, MoneyFormat, NumberFormat, decimal_str
from .parties import Party


@dataclass(slots=True)
class Line:
    description: str
    quantity: Decimal  # already at the printed precision
    unit: str | None
    unit_price: Decimal
    amount: Decimal
    vat_rate: Decimal | None = None
    discount_pct: Decimal | None = None
    sku: str | None = None
    kind: str = "item"  # item | discount | shipping

    def truth(self) -> dict[str, str | None]:
        return {
            "description": self.description,
            "quantity": decimal_str(self.quantity),
            "unit_price": decimal_str(self.unit_price),
            "amount": decimal_str(self.amount),
        }


@dataclass(slots=True)
class TaxLine:
    rate: Decimal  # percent
    base: Decimal
    amount: Decimal
    name: str | None = None  # e.g. "GST", "PST" when a country has several taxes; else the locale's VAT label


@dataclass(slots=True)
class Bank:
    name: str | None = None
    iban: str | None = None  # compact
    bic: str | None = None
    account_no: str | None = None  # national account number (US, JP, AU...) or a legacy one next to the IBAN
    routing: str | None = None  # US ABA / AU BSB / GB sort code / CA transit, printed with its own label
    routing_label: str = "routing"


@dataclass(slots=True)
class Style:
    """How the invoice looks. Nothing here changes the truth except through the formats it fixes."""

    layout: str
    font: str  # font family key (render/fonts.py)
    size: float  # base font size in points
    accent: tuple[float, float, float]
    page: str  # "A4" | "LETTER"
    date_format: str
    number: NumberFormat
    money: MoneyFormat
    currency_on: str  # "all" amounts carry the mark | "totals" only | "none" (a "Currency: EUR" line instead)
    qty_places: int | None  # None: as few as needed
    labels: dict[str, str]
    seed: int  # for the renderer's own small visual choices (positions, rules, logo shape)
    columns: tuple[str, ...] = ("description", "quantity", "unit_price", "amount")
    iban_grouped: bool = True


@dataclass(slots=True)
class InvoiceSpec:
    locale: str
    lang: str
    currency: str
    invoice_number: str
    invoice_date: dt.date
    due_date: dt.date | None  # None when not printed
    vendor: Party
    customer: Party
    lines: list[Line]
    tax_lines: list[TaxLine]
    tax_mode: str  # vat | vat_mixed | sales_tax | gst | reverse_charge | exempt | none
    subtotal: Decimal
    tax: Decimal | None  # None when no tax is shown at all
    total: Decimal
    amount_due: Decimal
    style: Style
    ship_to: Party | None = None
    po_number: str | None = None
    customer_number: str | None = None
    order_date: dt.date | None = None
    delivery_date: dt.date | None = None
    service_period: tuple[dt.date, dt.date] | None = None
    delivery_note: str | None = None
    reference: str | None = None
    payment_terms: str | None = None
    discount: Decimal | None = None  # shown in the totals block
    discount_pct: Decimal | None = None
    shipping: Decimal | None = None  # shown in the totals block
    amount_paid: Decimal | None = None
    previous_balance: Decimal | None = None
    show_subtotal: bool = True
    show_amount_due: bool = False
    bank: Bank | None = None
    customer_iban: str | None = None  # direct debit from the CUSTOMER's account: a distractor for iban
    notes: list[str] = field(default_factory=list)
    company_reg: str | None = None  # registration line for the footer
    defects: tuple[str, ...] = ()  # deliberate problems (demo): "total_mismatch", "blur_total", ...
    # A stamp over page 1: ("watermark", "COPY") or ("received", "RECEIVED", "<date>"): ink, not invoice data
    stamp: tuple[str, ...] | None = None

    # -- derived -----------------------------------------------------------------------------------------------
    @property
    def minor(self) -> int:
        return CURRENCIES[self.currency].minor

    def fmt_money(self, value: Decimal, *, bare: bool | None = None) -> str:
        """An amount as the totals block prints it."""
        if bare is None:
            bare = self.style.currency_on == "none"
        return self.style.money.format(value, bare=bare)

    def fmt_line_money(self, value: Decimal) -> str:
        """An amount as the item table prints it."""
        return self.style.money.format(value, bare=self.style.currency_on != "all")

    @property
    def formatted_total(self) -> str:
        return self.fmt_money(self.total)

    def truth(self, doc: str, doc_kind: str, **extra: Any) -> dict[str, Any]:
        def d(x: dt.date | None) -> str | None:
            return x.isoformat() if x else None

        record: dict[str, Any] = {
            "doc": doc,
            "source": "generator",
            "label_source": "generator spec (exact: the values the document was rendered from)",
            "doc_kind": doc_kind,
            "invoice_number": self.invoice_number,
            "invoice_date": d(self.invoice_date),
            "due_date": d(self.due_date),
            "vendor_name": self.vendor.name,
            "vendor_address": self.vendor.address_one_line,
            "vendor_tax_id": self.vendor.tax_id,
            "customer_name": self.customer.name,
            "po_number": self.po_number,
            "currency": self.currency,
            "subtotal": decimal_str(self.subtotal) if self.show_subtotal else None,
            "tax": decimal_str(self.tax),
            "total": decimal_str(self.total),
            "amount_due": decimal_str(self.amount_due) if self.show_amount_due else None,
            "payment_terms": self.payment_terms,
            "iban": self.bank.iban if self.bank and self.bank.iban else None,
            "line_items": [ln.truth() for ln in self.lines],
        }
        from pipeline.extraction.types import FIELD_NAMES

        record["labelled_fields"] = [*FIELD_NAMES, "line_items"]
        record.update(
            locale=self.locale,
            layout=self.style.layout,
            font=self.style.font,
            tax_mode=self.tax_mode,
            vendor_address_lines=list(self.vendor.address_lines),
            discount=decimal_str(self.discount),
            shipping=decimal_str(self.shipping),
            amount_paid=decimal_str(self.amount_paid),
            previous_balance=decimal_str(self.previous_balance),
            tax_breakdown=[
                {"rate": decimal_str(t.rate), "base": decimal_str(t.base), "amount": decimal_str(t.amount)}
                for t in self.tax_lines
            ],
            subtotal_value=decimal_str(self.subtotal),
            amount_due_value=decimal_str(self.amount_due),
            formatted_total=self.formatted_total,
            defects=list(self.defects),
            stamp=list(self.stamp) if self.stamp else None,
        )
        record.update(extra)
        return record
