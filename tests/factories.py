"""Invoices and files for tests, made here so that tests need nothing outside the repository."""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import date
from decimal import Decimal

from invoices import storage
from invoices.models import Channel, Invoice, InvoiceField, LineItem, Source, Status
from invoices.services.fields import _sync_typed_columns


def invoice_pdf(
    *,
    number: str = "INV-2025-0042",
    issued: str = "2025-04-04",
    vendor: str = "Northwind Traders Ltd",
    total: str = "4171.24",
    extra: str = "",
    password: str | None = None,
    pages: int = 1,
) -> bytes:
    """A small born-digital invoice PDF (reportlab), optionally encrypted or with many pages."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, encrypt=password)
    for page in range(pages):
        if page == 0:
            pdf.setFont("Helvetica-Bold", 16)
            pdf.drawString(60, 780, vendor)
            pdf.setFont("Helvetica", 11)
            pdf.drawString(60, 740, f"Invoice Number: {number}")
            pdf.drawString(60, 722, f"Invoice Date: {issued}")
            pdf.drawString(60, 704, "Currency: EUR")
            pdf.drawString(60, 660, f"Total: {total}")
            if extra:
                pdf.drawString(60, 640, extra)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def png_bytes(width: int = 400, height: int = 300, mode: str = "L") -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new(mode, (width, height), 255 if mode in ("L", "1") else (255, 255, 255))
    ImageDraw.Draw(image).text((20, 20), "Invoice 123 Total 10.00", fill=0 if mode in ("L", "1") else (0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


DEFAULT_FIELDS = {
    "invoice_number": ("INV-1001", 97.0),
    "invoice_date": ("2025-03-14", 96.0),
    "due_date": ("2025-04-13", 92.0),
    "vendor_name": ("Northwind Traders", 95.0),
    "currency": ("EUR", 99.0),
    "subtotal": ("100.00", 95.0),
    "tax": ("19.00", 95.0),
    "total": ("119.00", 95.0),
}


def make_invoice(
    *,
    status: str = Status.NEEDS_REVIEW,
    fields: dict[str, tuple[str, float] | str] | None = None,
    line_items: list[dict] | None = None,
    uploaded_by=None,
    store_original: bool = True,
    pdf: bytes | None = None,
    **columns,
) -> Invoice:
    """An invoice as the pipeline would leave it, written straight to the tables (fast, no engine run).

    ``fields`` maps field name → (value, confidence) or value (confidence 95); None for DEFAULT_FIELDS.
    """
    data = pdf or invoice_pdf(number=str(uuid.uuid4())[:8])
    invoice_id = uuid.uuid4()
    key = (storage.save_original(invoice_id=str(invoice_id), kind="pdf", data=data) if store_original
           else f"originals/missing/{invoice_id}.pdf")
    columns.setdefault("original_name", f"{invoice_id.hex[:8]}.pdf")
    invoice = Invoice.objects.create(
        id=invoice_id,
        status=status,
        channel=Channel.UPLOAD,
        original=key,
        sha256=hashlib.sha256(data + invoice_id.bytes).hexdigest(),
        file_kind="pdf",
        content_type="application/pdf",
        size_bytes=len(data),
        page_count=1,
        uploaded_by=uploaded_by,
        engine="pdf-text",
        **columns,
    )
    values = DEFAULT_FIELDS if fields is None else fields
    InvoiceField.objects.bulk_create(
        [
            InvoiceField(
                invoice=invoice,
                name=name,
                value=spec[0] if isinstance(spec, tuple) else spec,
                confidence=spec[1] if isinstance(spec, tuple) else 95.0,
                page=1,
                bbox=[0.1, 0.1 + 0.03 * i, 0.2, 0.02],
                source=Source.ENGINE,
                engine="pdf-text",
            )
            for i, (name, spec) in enumerate(values.items())
        ]
    )
    for position, item in enumerate(line_items or [], 1):
        LineItem.objects.create(
            invoice=invoice,
            position=position,
            description=item.get("description", ""),
            quantity=Decimal(str(item["quantity"])) if item.get("quantity") is not None else None,
            unit_price=Decimal(str(item["unit_price"])) if item.get("unit_price") is not None else None,
            amount=Decimal(str(item["amount"])) if item.get("amount") is not None else None,
            confidence=item.get("confidence", 95.0),
        )
    _sync_typed_columns(invoice)
    for name, value in columns.items():
        setattr(invoice, name, value)
    invoice.save()
    return invoice


__all__ = ["DEFAULT_FIELDS", "date", "invoice_pdf", "make_invoice", "png_bytes"]
