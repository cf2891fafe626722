"""Write a corpus: invoice files plus truth.jsonl in the format of ../shared/corpus/README.md."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .model import InvoiceSpec
from .render import render_invoice
from .scan import EXT, ScanParams, scan_pdf
from .spec import random_spec

Kind = Literal["digital", "scan", "mixed"]
SCAN_SHARE_IN_MIXED = 0.4


@dataclass(slots=True)
class GeneratedInvoice:
    name: str  # file name, relative to the output folder (truth's "doc")
    data: bytes
    spec: InvoiceSpec
    doc_kind: (
        str  # "pdf/born-digital" | "pdf/no-extractable-text" | "image/scanned-invoice" | "image/photographed-invoice"
    )
    truth: dict[str, Any]
    scan: ScanParams | None = None
    path: Path | None = None

    @property
    def is_scan(self) -> bool:
        return self.scan is not None


def doc_rng(seed: int, index: int) -> random.Random:
    """Each document has its own stream: invoice i is the same whatever ``count`` is."""
    return random.Random(f"invoice-generator:{seed}:{index}")


def make_invoice(
    seed: int, index: int, kind: Kind = "digital", *, name_prefix: str = "gen", **spec_kw
) -> GeneratedInvoice:
    """One invoice in memory (nothing written)."""
    rng = doc_rng(seed, index)
    # The kind is drawn apart from the document, so invoice i of a seed has the same content (and truth values)
    # whether it comes out digital or scanned: OCR can be compared with the text layer on the same invoice.
    want_scan = kind == "scan" or (
        kind == "mixed" and random.Random(f"kind:{seed}:{index}").random() < SCAN_SHARE_IN_MIXED
    )
    spec = random_spec(rng, **spec_kw)
    add_stamp(spec, rng, scan=want_scan)
    pdf = render_invoice(spec)
    stem = f"{name_prefix}-{seed}-{index:05d}"
    if not want_scan:
        name = f"{stem}.pdf"
        doc_kind = "pdf/born-digital"
        return GeneratedInvoice(name, pdf, spec, doc_kind, spec.truth(name, doc_kind, pages=_pages(pdf)))
    data, params = scan_pdf(pdf, rng)
    name = f"{stem}{EXT[params.format]}"
    if params.format == "pdf":
        doc_kind = "pdf/no-extractable-text"
    else:
        doc_kind = "image/photographed-invoice" if params.profile == "photo" else "image/scanned-invoice"
    truth = spec.truth(name, doc_kind, pages=_pages(pdf), scan=params.as_dict())
    return GeneratedInvoice(name, data, spec, doc_kind, truth, params)


WATERMARKS = {
    "en": ("COPY", "DUPLICATE"),
    "de": ("KOPIE", "DUPLIKAT"),
    "fr": ("COPIE", "DUPLICATA"),
    "es": ("COPIA", "DUPLICADO"),
    "nl": ("KOPIE", "DUPLICAAT"),
    "it": ("COPIA", "DUPLICATO"),
}
RECEIVED = {
    "en": "RECEIVED",
    "de": "EINGEGANGEN",
    "fr": "REÇU LE",
    "es": "RECIBIDO",
    "nl": "ONTVANGEN",
    "it": "RICEVUTO",
}


def add_stamp(spec: InvoiceSpec, rng: random.Random, *, scan: bool) -> None:
    """Sometimes a "COPY" watermark; on scans sometimes the receiving department's dated stamp."""
    import datetime as dt

    from .locales import format_date

    r = rng.random()
    if r < 0.04:
        spec.stamp = ("watermark", rng.choice(WATERMARKS[spec.lang]))
    elif scan and r < 0.2:
        when = spec.invoice_date + dt.timedelta(days=rng.randint(1, 12))
        text = format_date(when, rng.choice(("d_mon_y", "dmy_dot", "iso")), spec.locale).upper()
        place = _free_place(render_invoice(spec), rng, 170, 90)
        if place:  # stamped where it hides no text, as a careful clerk would; no room: no stamp
            spec.stamp = ("received", RECEIVED[spec.lang], text, *(f"{v:.1f}" for v in place))


def _free_place(pdf: bytes, rng: random.Random, w: float, h: float) -> tuple[float, float] | None:
    """The centre (x, y from the bottom, in points) of a w x h box on page 1 that no character touches."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[0]
        width, height = page.get_size()
        tp = page.get_textpage()
        boxes = [tp.get_charbox(i) for i in range(tp.count_chars())]
    finally:
        doc.close()
    spots = [
        (x, y)
        for x in range(int(w / 2) + 20, int(width - w / 2) - 20, 15)
        for y in range(int(h / 2) + 40, int(height - h / 2) - 40, 15)
    ]
    rng.shuffle(spots)
    for x, y in spots:
        if not any(b[0] < x + w / 2 and b[2] > x - w / 2 and b[1] < y + h / 2 and b[3] > y - h / 2 for b in boxes):
            return float(x), float(y)
    return None


def _pages(pdf: bytes) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return len(doc)
    finally:
        doc.close()


def generate(
    *, seed: int, count: int, kind: Kind = "digital", out_dir: Path | str, start: int = 0, **spec_kw
) -> list[GeneratedInvoice]:
    """Write ``count`` invoices and ``truth.jsonl`` into ``out_dir``; return them. Deterministic for a seed.

    ``spec_kw`` pins spec choices for every document (``locale=``, ``currency=``, ``layout=``, ``n_lines=``,
    ``tax_mode=``).
    """
    if kind not in ("digital", "scan", "mixed"):
        raise ValueError(f"kind must be digital, scan or mixed, not {kind!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    made: list[GeneratedInvoice] = []
    with open(out / "truth.jsonl", "w", encoding="utf-8") as truth_file:
        for i in range(start, start + count):
            inv = make_invoice(seed, i, kind, **spec_kw)
            inv.path = out / inv.name
            inv.path.write_bytes(inv.data)
            truth_file.write(json.dumps(inv.truth, ensure_ascii=False) + "\n")
            made.append(inv)
    return made
