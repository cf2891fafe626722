"""Draw a random, internally consistent invoice spec."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from decimal import Decimal

from . import ids
from .fonts import FAMILIES, available, safe_text
from .items import CATALOG, DISCOUNT_TEXT, SHIPPING_TEXT, describe, quantity
from .locales import LOCALES, TERMS, UNITS
from .model import Bank, InvoiceSpec, Line, Style, TaxLine
from .money import CURRENCIES, MoneyFormat, NumberFormat, quantize, to_minor
from .parties import LANG_OF, Party, make_party, person_name

# (weight, locale, vendor country, customer countries (first = domestic), currencies with weights)
PROFILES: tuple[tuple[int, str, str, tuple[str, ...], tuple[tuple[str, int], ...]], ...] = (
    (13, "en-US", "US", ("US", "CA"), (("USD", 1),)),
    (3, "en-US", "CA", ("CA", "US"), (("CAD", 4), ("USD", 1))),
    (9, "en-GB", "GB", ("GB", "IE", "DE", "NL", "FR"), (("GBP", 6), ("EUR", 2), ("USD", 1))),
    (3, "en-GB", "IE", ("IE", "GB", "DE"), (("EUR", 1),)),
    (2, "en-GB", "AU", ("AU",), (("AUD", 1),)),
    (2, "en-GB", "SE", ("SE", "DK", "DE"), (("SEK", 3), ("EUR", 1))),
    (2, "en-GB", "DK", ("DK", "SE", "DE"), (("DKK", 3), ("EUR", 1))),
    (2, "en-GB", "PL", ("PL", "DE"), (("PLN", 3), ("EUR", 1))),
    (2, "en-US", "JP", ("JP", "US"), (("JPY", 1),)),
    (2, "en-GB", "NL", ("NL", "DE", "GB"), (("EUR", 1),)),
    (2, "en-GB", "DE", ("DE", "GB", "US"), (("EUR", 3), ("USD", 1))),
    (12, "de-DE", "DE", ("DE", "AT", "FR", "NL"), (("EUR", 1),)),
    (3, "de-DE", "AT", ("AT", "DE"), (("EUR", 1),)),
    (4, "de-CH", "CH", ("CH", "DE"), (("CHF", 5), ("EUR", 1))),
    (10, "fr-FR", "FR", ("FR", "BE", "DE", "ES"), (("EUR", 1),)),
    (2, "fr-FR", "BE", ("BE", "FR"), (("EUR", 1),)),
    (10, "es-ES", "ES", ("ES", "FR", "DE"), (("EUR", 1),)),
    (10, "nl-NL", "NL", ("NL", "BE", "DE"), (("EUR", 1),)),
    (10, "it-IT", "IT", ("IT", "DE", "FR"), (("EUR", 1),)),
)

EU = frozenset({"DE", "AT", "FR", "BE", "ES", "NL", "IT", "IE", "SE", "DK", "PL"})
VAT_RATES = {  # standard, reduced rates
    "DE": ("19", ("7",)),
    "AT": ("20", ("10", "13")),
    "CH": ("8.1", ("2.6",)),
    "FR": ("20", ("5.5", "10")),
    "BE": ("21", ("6", "12")),
    "ES": ("21", ("10", "4")),
    "NL": ("21", ("9",)),
    "IT": ("22", ("10", "4")),
    "GB": ("20", ("5",)),
    "IE": ("23", ("13.5",)),
    "SE": ("25", ("12", "6")),
    "DK": ("25", ()),
    "PL": ("23", ("8", "5")),
    "JP": ("10", ("8",)),
    "AU": ("10", ()),
}
BANK_BY_CODE = {
    "ABNA": "ABN AMRO",
    "INGB": "ING Bank",
    "RABO": "Rabobank",
    "SNSB": "SNS Bank",
    "TRIO": "Triodos Bank",
    "KNAB": "Knab",
    "BUNQ": "bunq",
    "NWBK": "NatWest",
    "BARC": "Barclays",
    "LOYD": "Lloyds Bank",
    "HBUK": "HSBC UK",
    "MIDL": "HSBC UK",
    "SRLG": "Starling Bank",
    "AIBK": "AIB",
    "BOFI": "Bank of Ireland",
    "IPBS": "PTSB",
}
# Canadian sales taxes by province: (name, rate) parts
CA_TAXES = {
    "ON": (("HST", "13"),),
    "NS": (("HST", "15"),),
    "QC": (("GST", "5"), ("QST", "9.975")),
    "BC": (("GST", "5"), ("PST", "7")),
    "AB": (("GST", "5"),),
}
# Tax words in English labels, per vendor country (the locale's default is "VAT")
TAX_WORD = {"US": "Tax", "CA": "GST", "AU": "GST", "JP": "Tax"}
TAX_ID_LABELS = {
    "US": ("Tax ID", "EIN", "Federal Tax ID", "Tax ID No."),
    "CA": ("GST/HST No.", "BN", "GST Reg. No."),
    "AU": ("ABN", "ABN:"),
    "JP": ("Registration No.", "Invoice Reg. No."),
}
US_SALES_TAX = ("6.25", "7", "8.875", "8.25", "6", "7.5", "9.5", "4", "5.3", "10.25", "6.35", "8")
ACCENTS = (
    (0.11, 0.23, 0.45),
    (0.0, 0.42, 0.45),
    (0.55, 0.08, 0.12),
    (0.13, 0.4, 0.2),
    (0.2, 0.2, 0.22),
    (0.36, 0.18, 0.5),
    (0.85, 0.42, 0.05),
    (0.0, 0.0, 0.0),
    (0.05, 0.35, 0.65),
    (0.45, 0.3, 0.15),
)
LAYOUT_NAMES = ("classic", "din", "centered", "banner", "sidebar", "boxed", "title_left", "mono", "minimal", "kvtable")


def _weighted(rng: random.Random, pairs):
    total = sum(w for w, *_ in pairs) if not isinstance(pairs[0][1], int) else sum(w for _, w in pairs)
    r = rng.uniform(0, total)
    acc = 0.0
    for p in pairs:
        w = p[0] if not isinstance(p[1], int) else p[1]
        acc += w
        if r <= acc:
            return p
    return pairs[-1]


def _pick_profile(rng: random.Random, locale: str | None, currency: str | None):
    candidates = [
        p
        for p in PROFILES
        if (locale is None or p[1] == locale) and (currency is None or any(c == currency for c, _ in p[4]))
    ]
    if not candidates:
        raise ValueError(f"no profile for locale={locale!r} currency={currency!r}")
    r = rng.uniform(0, sum(p[0] for p in candidates))
    acc = 0.0
    for p in candidates:
        acc += p[0]
        if r <= acc:
            return p
    return candidates[-1]


def _pick_currency(rng: random.Random, options, forced: str | None) -> str:
    if forced:
        return forced
    r = rng.uniform(0, sum(w for _, w in options))
    acc = 0.0
    for code, w in options:
        acc += w
        if r <= acc:
            return code
    return options[-1][0]


def _rate_text(rate: Decimal, number: NumberFormat) -> str:
    text = format(rate.normalize(), "f")
    return text.replace(".", number.decimal or ".")


def _money_format(
    rng: random.Random, locale: str, currency: str, number: NumberFormat, builtin_font: bool
) -> MoneyFormat:
    cur = CURRENCIES[currency]
    symbol = rng.choice(cur.symbols) if rng.random() < 0.7 else cur.symbols[0]
    if currency == "PLN" and builtin_font:
        symbol = "PLN"
    use_code = rng.random() < 0.3 or (cur.ambiguous and rng.random() < 0.3)
    mark = currency if use_code else symbol
    lang = LOCALES[locale].lang
    if locale == "nl-NL" or locale == "de-CH" or lang == "en":
        where, space = "before", use_code or mark in ("CHF", "Fr.", "kr", "kr.")
        if mark in ("kr", "kr.", "zł") or (use_code and rng.random() < 0.3):
            where, space = "after", True
        if locale == "nl-NL" and not use_code:
            space = rng.random() < 0.7
    else:  # de, fr, es, it: after, with a space
        where, space = "after", True
        if use_code and rng.random() < 0.5 or (lang == "it" and rng.random() < 0.4):
            where = "before"
    return MoneyFormat(number=number, mark=mark, where=where, space=space, places=cur.minor)


def _choose_labels(rng: random.Random, locale: str) -> dict[str, str]:
    table = LOCALES[locale].labels
    labels = {key: rng.choice(options) for key, options in table.items()}
    # Keep labels of different fields distinct, or the document itself would be ambiguous.
    groups = (
        ("due_date", "payment_terms"),
        ("total", "amount_due", "subtotal"),
        ("invoice_number", "title"),
        ("carried_forward", "brought_forward"),
        ("amount", "subtotal"),
        ("total", "amount"),
        ("pos", "sku", "description", "quantity", "unit", "unit_price", "discount_col", "vat_col", "amount"),
        ("invoice_number", "po_number", "customer_number", "delivery_note", "reference"),
        ("invoice_date", "due_date", "order_date", "delivery_date"),
    )

    def norm(text: str) -> str:
        return text.lower().rstrip(":. ")

    for _ in range(3):  # a change for one group can clash with an earlier group: settle in a few passes
        for group in groups:
            seen: set[str] = set()
            for key in group:
                tries = 0
                while norm(labels[key]) in seen and tries < 20:
                    labels[key] = rng.choice(table[key])
                    tries += 1
                if norm(labels[key]) in seen:  # no distinct synonym drawn: take the first distinct one, if any
                    labels[key] = next((o for o in table[key] if norm(o) not in seen), labels[key])
                seen.add(norm(labels[key]))
    return labels


def _font(rng: random.Random, layout: str) -> str:
    if layout == "mono":
        options = [("courier", 3), ("dejavu-mono", 2)]
    else:
        options = [
            ("helvetica", 25),
            ("times", 9),
            ("dejavu-sans", 25),
            ("dejavu-serif", 10),
            ("dejavu-condensed", 14),
            ("courier", 2),
        ]
    options = [(k, w) for k, w in options if available(k)] or [("helvetica", 1)]
    return _pick_currency(rng, options, None)


def _columns(rng: random.Random, *, mixed: bool, line_discounts: bool, layout: str) -> tuple[str, ...]:
    cols = ["description", "quantity", "unit_price", "amount"]
    if rng.random() < 0.4:
        cols.insert(0, "pos")
    if rng.random() < 0.22 and layout != "mono":
        cols.insert(1 if cols[0] == "pos" else 0, "sku")
    if rng.random() < 0.35:
        cols.insert(cols.index("quantity") + 1, "unit")
    if line_discounts:
        cols.insert(cols.index("amount"), "discount")
    if mixed and rng.random() < 0.85 or (not mixed and rng.random() < 0.12):
        cols.insert(cols.index("amount"), "vat")
    if rng.random() < 0.2:  # price before quantity
        q, p = cols.index("quantity"), cols.index("unit_price")
        cols[q], cols[p] = cols[p], cols[q]
        if "unit" in cols:
            cols.remove("unit")
            cols.insert(cols.index("quantity") + 1, "unit")
    return tuple(cols)


def _sanitize_party(p: Party) -> Party:
    return replace(
        p,
        name=safe_text(p.name),
        address_lines=tuple(safe_text(x) for x in p.address_lines),
        contact=safe_text(p.contact) if p.contact else None,
    )


def random_spec(
    rng: random.Random,
    *,
    locale: str | None = None,
    currency: str | None = None,
    layout: str | None = None,
    n_lines: int | None = None,
    tax_mode: str | None = None,
    dates: tuple[dt.date, dt.date] = (dt.date(2019, 1, 1), dt.date(2026, 6, 30)),
) -> InvoiceSpec:
    """A random invoice. Everything is drawn from ``rng``; the same rng state gives the same spec.

    The keyword arguments pin a choice (``dates`` bounds the invoice date); anything left out is drawn.
    """
    _w, locale, vendor_country, customer_countries, currencies = _pick_profile(rng, locale, currency)
    info = LOCALES[locale]
    lang = info.lang
    currency = _pick_currency(rng, currencies, currency)
    cur = CURRENCIES[currency]
    layout = layout or rng.choice(LAYOUT_NAMES)
    font = _font(rng, layout)
    builtin = FAMILIES[font].builtin

    number = rng.choice(info.number_formats)
    if lang == "en" and vendor_country in ("SE", "DK", "PL") and rng.random() < 0.4:
        number = NumberFormat(" ", ",")
    if vendor_country == "CH" and locale != "de-CH":
        number = NumberFormat("'", ".")
    if builtin and "\u00a0" in number.group:
        number = NumberFormat(" ", number.decimal)
    money = _money_format(rng, locale, currency, number, builtin)
    if currency == "USD" and vendor_country != "US" and money.mark == "$":
        money = replace(money, mark=rng.choice(("US$", "USD")))
    date_formats = info.date_formats
    date_format = date_formats[0] if rng.random() < 0.4 else rng.choice(date_formats)
    if vendor_country == "JP" and rng.random() < 0.6:
        date_format = "ymd_slash"
    labels = _choose_labels(rng, locale)
    if lang == "en" and vendor_country in TAX_WORD:
        word = TAX_WORD[vendor_country]
        labels = {k: v.replace("VAT", word) if k != "customer_vat_id" else v for k, v in labels.items()}
        labels["vat_id"] = rng.choice(TAX_ID_LABELS[vendor_country])
        if vendor_country == "AU" and rng.random() < 0.7:
            labels["title"] = rng.choice(("TAX INVOICE", "Tax Invoice"))

    # --- parties ---------------------------------------------------------------------------------------------
    domestic = rng.random() < 0.8
    customer_country = (
        customer_countries[0] if domestic or len(customer_countries) == 1 else rng.choice(customer_countries[1:])
    )
    if tax_mode == "reverse_charge" and (customer_country == vendor_country or customer_country not in EU):
        others = [c for c in customer_countries if c != vendor_country and c in EU] or [
            c for c in ("DE", "FR", "NL") if c != vendor_country
        ]
        customer_country = rng.choice(others)
    vendor_tax = ids.make_tax_id(rng, vendor_country)
    vendor_tax_display = ids.display_tax_id(rng, vendor_tax, vendor_country)
    show_vendor_tax = vendor_country not in ("US", "JP") or rng.random() < 0.35
    vendor = make_party(
        rng,
        vendor_country,
        doc_lang=lang,
        with_country=customer_country != vendor_country or rng.random() < 0.15,
        tax_id=vendor_tax if show_vendor_tax else None,
        tax_id_display=vendor_tax_display if show_vendor_tax else None,
    )
    business_customer = rng.random() < 0.9
    cust_tax = (
        ids.make_tax_id(rng, customer_country) if business_customer and customer_country in EU | {"GB", "CH"} else None
    )
    customer = make_party(
        rng,
        customer_country,
        doc_lang=lang,
        with_country=customer_country != vendor_country,
        business=business_customer,
        tax_id=cust_tax,
        tax_id_display=cust_tax,
    )
    ship_to = None
    if rng.random() < 0.25:
        ship_to = make_party(rng, customer_country, doc_lang=lang, with_country=customer_country != vendor_country)
        ship_to = replace(ship_to, name=customer.name if rng.random() < 0.6 else ship_to.name)

    # --- dates and numbers -----------------------------------------------------------------------------------
    start, end = dates
    invoice_date = start + dt.timedelta(days=rng.randrange(max(1, (end - start).days + 1)))
    invoice_number = ids.make_invoice_number(rng, invoice_date.year, invoice_date.month)
    term_days, phrases = rng.choice(TERMS[lang])
    payment_terms = rng.choice(phrases) if rng.random() < 0.65 else None
    if payment_terms and "{" in payment_terms:
        payment_terms = payment_terms.format(days=term_days)
    if term_days == 0 and payment_terms is None and rng.random() < 0.5:
        term_days = rng.choice((14, 30))
    due_date = invoice_date + dt.timedelta(days=term_days) if term_days > 0 and rng.random() < 0.78 else None
    po_number = ids.make_po_number(rng, invoice_date.year) if rng.random() < 0.45 else None
    customer_number = ids.make_customer_number(rng) if rng.random() < 0.45 else None
    order_date = invoice_date - dt.timedelta(days=rng.randint(2, 45)) if rng.random() < 0.25 else None
    delivery_date = invoice_date - dt.timedelta(days=rng.randint(0, 12)) if rng.random() < 0.3 else None
    service_period = None
    if rng.random() < 0.15:
        first = (invoice_date.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        last = invoice_date.replace(day=1) - dt.timedelta(days=1)
        service_period = (first, last)
    delivery_note = ids.make_delivery_note(rng, invoice_date.year) if rng.random() < 0.15 else None
    reference = (
        rng.choice(
            (
                "Project Atlas",
                "Q3 roll-out",
                "Office move",
                "Website 2.0",
                "Annual audit",
                "Site 14",
                "Frame agreement 2024",
            )
        )
        if rng.random() < 0.12
        else None
    )

    # --- tax mode --------------------------------------------------------------------------------------------
    if tax_mode is None:
        if vendor_country == "US":
            tax_mode = "sales_tax" if rng.random() < 0.72 else "none"
        elif vendor_country == "CA":
            tax_mode = "gst"
        elif vendor_country in ("AU", "JP"):
            tax_mode = "gst" if vendor_country == "AU" else ("vat_mixed" if rng.random() < 0.25 else "vat")
        else:
            r = rng.random()
            cross_border_eu = customer_country != vendor_country and customer_country in EU and vendor_country in EU
            if cross_border_eu and r < 0.7 and business_customer:
                tax_mode = "reverse_charge"
            elif r < 0.08 and vendor_country in EU | {"GB", "CH"}:
                tax_mode = "exempt"
            elif r < 0.28 and VAT_RATES[vendor_country][1]:
                tax_mode = "vat_mixed"
            else:
                tax_mode = "vat"
    if tax_mode == "vat_mixed" and not VAT_RATES.get(vendor_country, ("", ()))[1]:
        tax_mode = "vat"
    if tax_mode == "reverse_charge" and customer.tax_id is None:
        ct = ids.make_tax_id(rng, customer_country) if customer_country in EU | {"GB", "CH"} else None
        customer = replace(customer, tax_id=ct, tax_id_display=ct)

    standard = Decimal(VAT_RATES.get(vendor_country, ("0", ()))[0])
    reduced = [Decimal(r) for r in VAT_RATES.get(vendor_country, ("0", ()))[1]]

    # --- lines -----------------------------------------------------------------------------------------------
    if n_lines is None:
        r = rng.random()
        n_lines = rng.randint(1, 5) if r < 0.5 else rng.randint(6, 15) if r < 0.8 else rng.randint(16, 40)
    line_discounts = rng.random() < 0.08
    columns = _columns(rng, mixed=tax_mode == "vat_mixed", line_discounts=line_discounts, layout=layout)
    qty_places = None if rng.random() < 0.6 else rng.choice((2, 2, 2, 3, 1))
    categories = sorted({c.category for c in CATALOG})
    focus = rng.sample(categories, k=rng.choice((1, 2, 2, 3)))
    pool = [c for c in CATALOG if c.category in focus]
    if tax_mode == "vat_mixed":
        if not any(c.reduced for c in pool):
            pool += [c for c in CATALOG if c.reduced]
        if all(c.reduced for c in pool):
            pool += [c for c in CATALOG if c.category == "office"]
    elif (
        tax_mode == "vat" and reduced
    ):  # food and books at the standard rate would be wrong where a reduced rate exists
        pool = [c for c in pool if not c.reduced] or [c for c in CATALOG if c.category == "services"]
    unit_names: dict[str, str] = {}
    lines: list[Line] = []
    used: set[str] = set()
    for _ in range(n_lines):
        item = rng.choice(pool)
        desc = describe(rng, item, lang, info.babel, invoice_date)
        if desc in used:
            desc = describe(rng, item, lang, info.babel, invoice_date)
        used.add(desc)
        q = quantity(rng, item.qty)
        places = qty_places if qty_places is not None else max(0, -q.normalize().as_tuple().exponent)
        q = quantize(q, places)
        if q <= 0:
            q = quantize(Decimal(1), places)
        lo, hi = item.price
        price = Decimal(str(round(rng.uniform(lo, hi), 2)))
        scale = {"JPY": Decimal(150), "SEK": Decimal(11), "DKK": Decimal("7.5"), "PLN": Decimal("4.3")}.get(
            currency, Decimal(1)
        )
        price = price * scale
        price_places = cur.minor + (1 if cur.minor and price < 1 and rng.random() < 0.5 else 0)
        price = quantize(price, price_places)
        if price <= 0:
            price = quantize(Decimal("0.5") * scale, price_places)
        disc = None
        if line_discounts and rng.random() < 0.45:
            disc = Decimal(rng.choice((5, 10, 15, 2, 3, 20)))
        gross = q * price * ((Decimal(100) - disc) / Decimal(100) if disc else Decimal(1))
        amount = to_minor(gross, currency)
        if amount == 0:
            continue
        if item.unit not in unit_names:  # one printed name per unit kind in a document
            unit_names[item.unit] = rng.choice(UNITS[item.unit][lang])
        unit = unit_names[item.unit]
        rate = None
        if tax_mode in ("vat", "vat_mixed", "gst"):
            rate = standard
            if tax_mode == "vat_mixed" and item.reduced:
                rate = reduced[0]
        sku = f"{rng.choice(('', 'A', 'ART', 'P', 'SKU-'))}{rng.randint(1000, 999999)}" if "sku" in columns else None
        lines.append(Line(desc, q, unit, price, amount, rate, disc, sku))
    if not lines:  # every line rounded to nothing (only possible with JPY and tiny prices)
        lines.append(
            Line(
                describe(rng, CATALOG[13], lang, info.babel, invoice_date),
                Decimal(1),
                None,
                to_minor(Decimal(100), currency),
                to_minor(Decimal(100), currency),
                standard or None,
            )
        )
    if tax_mode == "vat_mixed" and len({ln.vat_rate for ln in lines}) < 2:
        lines[-1].vat_rate = reduced[0] if lines[-1].vat_rate == standard else standard

    # discount / shipping as item lines, or in the totals block
    discount = discount_pct = shipping = None
    items_sum = sum((ln.amount for ln in lines), Decimal(0))
    if rng.random() < 0.1 and items_sum > 0:
        pct = Decimal(rng.choice((2, 3, 5, 10)))
        disc_rate = standard if tax_mode in ("vat", "vat_mixed", "gst") else None
        disc_base = items_sum
        if tax_mode == "vat_mixed":  # the discount applies to the goods of one rate: the rate with most goods
            by_rate: dict[Decimal, Decimal] = {}
            for ln in lines:
                by_rate[ln.vat_rate] = by_rate.get(ln.vat_rate, Decimal(0)) + ln.amount
            disc_rate, disc_base = max(by_rate.items(), key=lambda kv: (kv[1], kv[0]))
        amt = -to_minor(disc_base * pct / 100, currency)
        if amt:
            text = rng.choice(DISCOUNT_TEXT[lang]).format(pct=_rate_text(pct, number))
            lines.append(
                Line(
                    text,
                    Decimal(1) if qty_places is None else quantize(Decimal(1), qty_places),
                    None,
                    amt,
                    amt,
                    disc_rate,
                    kind="discount",
                )
            )
    elif rng.random() < 0.08 and tax_mode != "vat_mixed" and items_sum > 0:
        discount_pct = Decimal(rng.choice((2, 3, 5, 10, 15)))
        discount = to_minor(items_sum * discount_pct / 100, currency)
    if rng.random() < 0.12:
        ship_amt = to_minor(
            Decimal(str(round(rng.uniform(4.9, 89), 2))) * (Decimal(150) if currency == "JPY" else 1), currency
        )
        if rng.random() < 0.5:
            lines.append(
                Line(
                    rng.choice(SHIPPING_TEXT[lang]),
                    Decimal(1) if qty_places is None else quantize(Decimal(1), qty_places),
                    None,
                    ship_amt,
                    ship_amt,
                    standard if tax_mode in ("vat", "vat_mixed", "gst") else None,
                    kind="shipping",
                )
            )
        else:
            shipping = ship_amt

    subtotal = sum((ln.amount for ln in lines), Decimal(0))

    # --- tax -------------------------------------------------------------------------------------------------
    tax_lines: list[TaxLine] = []
    tax: Decimal | None
    if tax_mode in ("vat", "vat_mixed"):
        bases: dict[Decimal, Decimal] = {}
        for ln in lines:
            bases[ln.vat_rate or standard] = bases.get(ln.vat_rate or standard, Decimal(0)) + ln.amount
        if discount:
            bases[standard] = bases.get(standard, Decimal(0)) - discount
        if shipping:
            bases[standard] = bases.get(standard, Decimal(0)) + shipping
        for rate in sorted(bases, reverse=True):
            tax_lines.append(
                TaxLine(
                    rate,
                    bases[rate],
                    to_minor(bases[rate] * rate / 100, currency),
                    "Consumption tax" if vendor_country == "JP" else None,
                )
            )
        tax = sum((t.amount for t in tax_lines), Decimal(0))
    elif tax_mode == "sales_tax":
        rate = Decimal(rng.choice(US_SALES_TAX))
        base = subtotal - (discount or 0)  # shipping not taxed
        tax_lines.append(TaxLine(rate, base, to_minor(base * rate / 100, currency)))
        tax = tax_lines[0].amount
    elif tax_mode == "gst":
        base = subtotal - (discount or 0) + (shipping or 0)
        if vendor_country == "AU":
            parts = [("GST", Decimal(10))]
        else:  # Canada: the taxes of the vendor's province (region code in its city line)
            city_line = next((a for a in reversed(vendor.address_lines) if a != "Canada"), "")
            province = next((p for p in CA_TAXES if f" {p} " in f" {city_line} "), "ON")
            parts = [(name, Decimal(rate)) for name, rate in CA_TAXES[province]]
        for name, rate in parts:
            tax_lines.append(TaxLine(rate, base, to_minor(base * rate / 100, currency), name))
        tax = sum((t.amount for t in tax_lines), Decimal(0))
        for ln in lines:
            ln.vat_rate = None
    elif tax_mode == "reverse_charge" or (tax_mode == "exempt" and rng.random() < 0.5):
        base = subtotal - (discount or 0) + (shipping or 0)
        tax_lines.append(TaxLine(Decimal(0), base, to_minor(Decimal(0), currency)))
        tax = tax_lines[0].amount
        for ln in lines:
            ln.vat_rate = Decimal(0)
    else:  # exempt without a tax line, or no tax at all
        tax = None
        for ln in lines:
            ln.vat_rate = None
    total = subtotal - (discount or 0) + (shipping or 0) + (tax or 0)

    amount_paid = previous_balance = None
    if rng.random() < 0.12 and total > 0:
        amount_paid = to_minor(total * Decimal(rng.choice((10, 20, 25, 30, 50))) / 100, currency)
    if rng.random() < 0.05:
        previous_balance = to_minor(
            Decimal(str(round(rng.uniform(20, 2500), 2))) * (150 if currency == "JPY" else 1), currency
        )
    amount_due = total - (amount_paid or 0) + (previous_balance or 0)
    show_amount_due = bool(amount_paid or previous_balance) or rng.random() < 0.45
    show_subtotal = bool(discount or shipping or tax is not None) or rng.random() < 0.6

    # --- bank ------------------------------------------------------------------------------------------------
    bank = Bank()
    bank_names = {
        "DE": ("Deutsche Bank", "Commerzbank", "Sparkasse", "Volksbank", "Postbank"),
        "AT": ("Erste Bank", "Raiffeisenbank"),
        "CH": ("UBS Switzerland AG", "Zürcher Kantonalbank", "PostFinance"),
        "FR": ("BNP Paribas", "Crédit Agricole", "Société Générale", "LCL"),
        "BE": ("KBC", "Belfius", "ING Belgique"),
        "ES": ("Banco Santander", "BBVA", "CaixaBank", "Banco Sabadell"),
        "NL": ("ABN AMRO", "ING Bank", "Rabobank", "bunq"),
        "IT": ("Intesa Sanpaolo", "UniCredit", "Banco BPM"),
        "GB": ("Barclays", "HSBC UK", "Lloyds Bank", "NatWest"),
        "IE": ("AIB", "Bank of Ireland"),
        "SE": ("SEB", "Handelsbanken", "Swedbank"),
        "DK": ("Danske Bank", "Nordea"),
        "PL": ("PKO Bank Polski", "mBank"),
        "US": ("Chase", "Bank of America", "Wells Fargo", "Silicon Valley Bank"),
        "CA": ("RBC", "TD Canada Trust"),
        "AU": ("Commonwealth Bank", "Westpac", "ANZ"),
        "JP": ("MUFG Bank", "Mizuho Bank", "SMBC"),
    }
    show_bank_name = rng.random() < 0.75
    bank.name = rng.choice(bank_names[vendor_country]) if show_bank_name else None
    if vendor_country in ids.iban_countries():
        if vendor_country != "GB" or rng.random() < 0.5:
            bank.iban = ids.make_iban(rng, vendor_country) if rng.random() < 0.9 else None
        if bank.iban and bank.iban[4:8] in BANK_BY_CODE:
            bank.name = BANK_BY_CODE[bank.iban[4:8]] if show_bank_name else None
        if bank.iban and rng.random() < 0.7:
            bank.bic = ids.make_bic(rng, vendor_country, bank.iban[4:8] if bank.iban[4:8].isalpha() else "")
        if vendor_country == "GB":
            bank.routing = f"{rng.randint(10, 99)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
            bank.routing_label = "sort_code"
            bank.account_no = f"{rng.randint(10000000, 99999999)}"
        elif vendor_country == "DE" and rng.random() < 0.06:
            bank.account_no = str(rng.randint(100000000, 9999999999))
            bank.routing = str(rng.randint(10000000, 89999999))
            bank.routing_label = "bank_code"
    elif vendor_country == "US":
        bank.routing = ids.make_routing(rng)
        bank.account_no = str(rng.randint(10**8, 10**12))
    elif vendor_country == "CA":
        bank.routing = f"{rng.randint(10000, 99999)}-{rng.choice(('003', '004', '001'))}"
        bank.account_no = str(rng.randint(1000000, 9999999))
    elif vendor_country == "AU":
        bank.routing = f"{rng.randint(0, 999):03d}-{rng.randint(0, 999):03d}"
        bank.routing_label = "bsb"
        bank.account_no = str(rng.randint(10000000, 99999999))
    elif vendor_country == "JP":
        bank.account_no = f"{rng.randint(1000000, 9999999)}"
    if not (bank.iban or bank.account_no) or rng.random() < 0.05:
        bank = None if vendor_country not in ("US", "CA", "AU", "JP") else bank
    customer_iban = None
    if customer_country in ids.iban_countries() and rng.random() < 0.05:
        customer_iban = ids.make_iban(rng, customer_country)

    if all(ln.vat_rate is None for ln in lines):  # no per-line rate to show
        columns = tuple(c for c in columns if c != "vat")

    # --- style -----------------------------------------------------------------------------------------------
    currency_on = rng.choices(("all", "totals", "none"), weights=(40, 45, 15))[0]
    style = Style(
        layout=layout,
        font=font,
        size=rng.choice((8.0, 8.5, 9.0, 9.0, 9.5, 10.0)),
        accent=rng.choice(ACCENTS),
        page="LETTER" if vendor_country in ("US", "CA") and rng.random() < 0.85 else "A4",
        date_format=date_format,
        number=number,
        money=money,
        currency_on=currency_on,
        qty_places=qty_places,
        labels=labels,
        seed=rng.getrandbits(32),
        columns=columns,
        iban_grouped=rng.random() < 0.75,
    )
    notes: list[str] = []
    company_reg = None
    native = LANG_OF[vendor_country] == lang
    if vendor_country == "DE" and native:
        company_reg = f"{labels.get('company_reg', 'Amtsgericht')} {rng.choice(('München', 'Hamburg', 'Berlin-Charlottenburg', 'Köln'))} HRB {rng.randint(1000, 250000)}"
        if rng.random() < 0.6:
            company_reg += f" · {labels['managing_director']}: {person_name(rng, 'DE')}"
    elif vendor_country == "DE":
        company_reg = f"Registered office: {rng.choice(('Munich', 'Hamburg', 'Berlin', 'Cologne'))} · Commercial register HRB {rng.randint(1000, 250000)}"
    elif vendor_country == "FR":
        company_reg = f"SIRET {vendor.tax_id[4:] if vendor.tax_id else rng.randint(10**8, 10**9 - 1)} {rng.randint(10000, 99999)} · RCS {rng.choice(('Paris', 'Lyon', 'Nantes', 'Lille'))}"
    elif vendor_country == "GB":
        company_reg = f"{labels['company_reg']} {rng.randint(1000000, 13999999):08d}"
    elif vendor_country == "NL" and native:
        company_reg = f"KvK {rng.randint(10000000, 99999999)}"
    elif vendor_country == "NL":
        company_reg = f"Chamber of Commerce (KvK) {rng.randint(10000000, 99999999)}"
    elif vendor_country == "IT":
        company_reg = f"REA {rng.choice(('MI', 'RM', 'TO', 'BO'))}-{rng.randint(100000, 2999999)} · Cap. Soc. € {rng.choice(('10.000,00', '50.000,00', '100.000,00 i.v.'))}"
    elif vendor_country == "ES":
        company_reg = f"Inscrita en el Registro Mercantil de {rng.choice(('Madrid', 'Barcelona', 'Valencia'))}, Tomo {rng.randint(1000, 40000)}, Folio {rng.randint(1, 200)}, Hoja {rng.choice('MBV')}-{rng.randint(1000, 600000)}"

    spec = InvoiceSpec(
        locale=locale,
        lang=lang,
        currency=currency,
        invoice_number=invoice_number,
        invoice_date=invoice_date,
        due_date=due_date,
        vendor=vendor,
        customer=customer,
        lines=lines,
        tax_lines=tax_lines,
        tax_mode=tax_mode,
        subtotal=subtotal,
        tax=tax,
        total=total,
        amount_due=amount_due,
        style=style,
        ship_to=ship_to,
        po_number=po_number,
        customer_number=customer_number,
        order_date=order_date,
        delivery_date=delivery_date,
        service_period=service_period,
        delivery_note=delivery_note,
        reference=reference,
        payment_terms=payment_terms,
        discount=discount,
        discount_pct=discount_pct,
        shipping=shipping,
        amount_paid=amount_paid,
        previous_balance=previous_balance,
        show_subtotal=show_subtotal,
        show_amount_due=show_amount_due,
        bank=bank,
        customer_iban=customer_iban,
        notes=notes,
        company_reg=company_reg,
    )
    if builtin:
        spec = sanitize_for_builtin(spec)
    return spec


def sanitize_for_builtin(spec: InvoiceSpec) -> InvoiceSpec:
    """Reduce every printed string to cp1252 so a built-in PDF font shows it exactly (truth included)."""
    spec.vendor = _sanitize_party(spec.vendor)
    spec.customer = _sanitize_party(spec.customer)
    if spec.ship_to:
        spec.ship_to = _sanitize_party(spec.ship_to)
    for ln in spec.lines:
        ln.description = safe_text(ln.description)
        ln.unit = safe_text(ln.unit) if ln.unit else None
    spec.payment_terms = safe_text(spec.payment_terms) if spec.payment_terms else None
    spec.company_reg = safe_text(spec.company_reg) if spec.company_reg else None
    spec.notes = [safe_text(n) for n in spec.notes]
    spec.style.labels = {k: safe_text(v) for k, v in spec.style.labels.items()}
    if spec.bank and spec.bank.name:
        spec.bank.name = safe_text(spec.bank.name)
    return spec
