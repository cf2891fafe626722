"""Invoices for the demo seeder: varied, mostly digital, a few scans, and some with a problem a reviewer must
catch and fix."""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from dataclasses import dataclass, replace

import pypdfium2 as pdfium
from PIL import ImageFilter

from .model import InvoiceSpec
from .render import render_invoice
from .scan import ScanParams, degrade, encode, random_params, rasterise
from .spec import random_spec

DEMO_DATES = (dt.date(2025, 1, 6), dt.date(2025, 12, 19))


@dataclass(slots=True)
class DemoInvoice:
    name: str
    data: bytes
    spec: InvoiceSpec
    problem: str | None  # what a reviewer should notice, in plain words; None for a clean invoice


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:28].strip("-") or "vendor"


def _name(i: int, spec: InvoiceSpec, ext: str) -> str:
    return f"{i:02d}-{_slug(spec.vendor.name)}-{_slug(spec.invoice_number)}{ext}"


def _blur_total_scan(spec: InvoiceSpec, rng: random.Random) -> tuple[bytes, ScanParams]:
    """A scan whose total (wherever the layout put it) is smeared beyond reading; the rest stays legible."""
    pdf = render_invoice(spec)
    params = random_params(rng, fmt="jpeg", pages=1, profile="scan")
    params = replace(params, turned=0, blur=0.4, noise=4.0, jpeg_quality=70, rotation=0.8)
    page = rasterise(pdf, params.dpi, grayscale=params.grayscale)[0]
    scale = params.dpi / 72
    doc = pdfium.PdfDocument(pdf)
    try:
        pdf_page = doc[len(doc) - 1] if len(doc) == 1 else doc[0]
        height = pdf_page.get_height()
        textpage = pdf_page.get_textpage()
        searcher = textpage.search(spec.formatted_total)
        while (hit := searcher.get_next()) is not None:
            first, count = hit
            boxes = [textpage.get_charbox(k) for k in range(first, first + count)]
            left = min(b[0] for b in boxes) - 4
            right = max(b[2] for b in boxes) + 4
            bottom = min(b[1] for b in boxes) - 3
            top = max(b[3] for b in boxes) + 3
            box = (int(left * scale), int((height - top) * scale), int(right * scale), int((height - bottom) * scale))
            region = page.crop(box).filter(ImageFilter.GaussianBlur(params.dpi / 28))
            page.paste(region, box[:2])
    finally:
        doc.close()
    return encode([degrade(page, params, rng)], params), params


def demo_invoice_set(seed: int = 2025) -> list[DemoInvoice]:
    """The demo invoices with what is wrong with each (see ``demo_invoices`` for just names and bytes)."""
    rng = random.Random(f"demo:{seed}")
    out: list[DemoInvoice] = []

    def spec(**kw) -> InvoiceSpec:
        return random_spec(rng, dates=DEMO_DATES, **kw)

    # clean, born-digital invoices across locales and layouts
    clean = [
        ("en-US", "classic", 4),
        ("de-DE", "din", 6),
        ("fr-FR", "centered", 3),
        ("en-GB", "boxed", 5),
        ("nl-NL", "minimal", 2),
        ("it-IT", "kvtable", 7),
    ]
    for locale, layout, n in clean:
        s = spec(locale=locale, layout=layout, n_lines=n)
        out.append(DemoInvoice(_name(len(out) + 1, s, ".pdf"), render_invoice(s), s, None))

    # a long invoice that runs over pages
    s = spec(locale="de-DE", layout="banner", n_lines=34)
    out.append(DemoInvoice(_name(len(out) + 1, s, ".pdf"), render_invoice(s), s, None))

    # no due date and no payment terms anywhere on the invoice
    s = spec(locale="es-ES", layout="title_left", n_lines=3)
    s.due_date = None
    s.payment_terms = None
    out.append(
        DemoInvoice(_name(len(out) + 1, s, ".pdf"), render_invoice(s), s, "no due date or payment terms on the invoice")
    )

    # the printed total is not subtotal + tax
    s = spec(locale="en-GB", layout="sidebar", n_lines=4, tax_mode="vat")
    s.defects = ("total_mismatch",)
    out.append(
        DemoInvoice(
            _name(len(out) + 1, s, ".pdf"), render_invoice(s), s, "printed total is 10.00 more than subtotal + tax"
        )
    )

    # a probable duplicate: the same invoice again, this time as a phone photo of the paper copy
    original = spec(locale="fr-FR", layout="classic", n_lines=3)
    out.append(DemoInvoice(_name(len(out) + 1, original, ".pdf"), render_invoice(original), original, None))
    params = random_params(rng, fmt="jpeg", pages=1, profile="photo")
    params = replace(params, turned=0, rotation=2.0)
    photo = encode(
        [degrade(rasterise(render_invoice(original), params.dpi, grayscale=params.grayscale)[0], params, rng)], params
    )
    out.append(
        DemoInvoice(
            _name(len(out) + 1, original, ".jpg").replace(".jpg", "-photo.jpg"),
            photo,
            original,
            f"probable duplicate of {out[-1].name} (same vendor, number and amount)",
        )
    )

    # a flatbed scan whose total cannot be read
    s = spec(locale="en-US", layout="kvtable", n_lines=3)
    data, _ = _blur_total_scan(s, rng)
    out.append(DemoInvoice(_name(len(out) + 1, s, ".jpg"), data, s, "total is blurred in the scan"))

    # a clean image-only PDF scan (no text layer: needs OCR)
    s = spec(locale="it-IT", layout="mono", n_lines=5)
    params = replace(random_params(rng, fmt="pdf", pages=1, profile="scan"), turned=0)
    pages = [degrade(im, params, rng) for im in rasterise(render_invoice(s), params.dpi, grayscale=params.grayscale)]
    out.append(DemoInvoice(_name(len(out) + 1, s, ".pdf").replace(".pdf", "-scan.pdf"), encode(pages, params), s, None))
    return out


def demo_invoices(seed: int = 2025) -> list[tuple[str, bytes]]:
    """About a dozen varied (file name, bytes) invoices for the demo: mostly digital PDFs, some scans, a few
    with a problem a reviewer must fix (missing due date, total != subtotal + tax, a probable duplicate, a
    blurred total). Deterministic for a seed."""
    return [(d.name, d.data) for d in demo_invoice_set(seed)]
