"""Synthetic invoices with exact ground truth.

    from pipeline.generator import generate, random_spec, render_invoice, demo_invoices
    generate(seed=1, count=100, kind="mixed", out_dir=Path("var/gen"))   # files + truth.jsonl
    spec = random_spec(random.Random(7), locale="de-DE")                   # one spec in memory
    pdf = render_invoice(spec)                                             # its PDF bytes
    spec.truth("x.pdf", "pdf/born-digital")                                # its truth record

See model.py for how amounts relate, and README.md in this folder for what varies.
"""

from .corpus import GeneratedInvoice, generate, make_invoice
from .demo import DemoInvoice, demo_invoice_set, demo_invoices
from .model import InvoiceSpec
from .render import LAYOUTS, render_invoice
from .scan import ScanParams, scan_pdf
from .spec import random_spec

__all__ = [
    "LAYOUTS",
    "GeneratedInvoice",
    "InvoiceSpec",
    "ScanParams",
    "DemoInvoice",
    "demo_invoice_set",
    "demo_invoices",
    "generate",
    "make_invoice",
    "random_spec",
    "render_invoice",
    "scan_pdf",
]
