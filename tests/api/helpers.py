"""Small builders shared by the API tests."""

from __future__ import annotations

from invoices import storage
from invoices.models import Invoice, RuleResult, Status, Vendor
from tests.factories import invoice_pdf, make_invoice

RESULT = {
    "file": "x.pdf", "engine": "pdf-text", "pages": 1,
    "fields": {"total": {"value": "119.00", "confidence": 95.0, "page": 1, "bbox": [0.1, 0.2, 0.1, 0.02]}},
    "line_items": [], "issues": [], "timings_ms": {"read": 1.0},
}


def with_result(invoice: Invoice, result: dict | None = None) -> Invoice:
    """Store an extraction result for the invoice, as the pipeline would."""
    path = storage.save_result(invoice_id=str(invoice.pk), attempt_id=1, result=result or RESULT)
    Invoice.objects.filter(pk=invoice.pk).update(result_path=path)
    invoice.refresh_from_db()
    return invoice


def flag_duplicates(invoice: Invoice, other: Invoice) -> RuleResult:
    """What the duplicate rule records: a failed rule on ``invoice`` naming ``other``."""
    Invoice.objects.filter(pk=invoice.pk).update(has_duplicates=True)
    invoice.refresh_from_db()
    return RuleResult.objects.create(
        invoice=invoice, code="duplicate.vendor_number_amount", severity=RuleResult.Severity.ERROR, passed=False,
        message="Same vendor, number and amount as another invoice.", related_invoice=other,
    )


def upload_file(name: str = "invoice.pdf", data: bytes | None = None, **pdf):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data if data is not None else invoice_pdf(**pdf), content_type="application/pdf")


def etag(invoice: Invoice) -> str:
    invoice.refresh_from_db()
    return f'"{invoice.version}"'


__all__ = ["RESULT", "Status", "Vendor", "etag", "flag_duplicates", "make_invoice", "upload_file", "with_result"]
