"""Writes to the invoice domain. Views, the API, commands and tasks call these; nothing else saves models."""

from .audit import audit_record
from .fields import (
    REQUIRED_FIELDS,
    FieldChange,
    InvalidFields,
    invoice_apply_extraction,
    invoice_correct_fields,
    invoice_review_save,
    invoice_set_line_items,
)
from .intake import IntakeOutcome, invoice_intake
from .outbox import invoice_snapshot, outbox_record
from .vendors import vendor_create, vendor_find, vendor_get_or_create, vendor_key, vendor_update
from .workflow import (
    InvalidTransition,
    StaleInvoice,
    invoice_approve,
    invoice_claim,
    invoice_fail,
    invoice_reject,
    invoice_reprocess,
    invoice_set_status,
    invoices_reprocess,
    lock_invoice,
)

__all__ = [
    "REQUIRED_FIELDS",
    "FieldChange",
    "IntakeOutcome",
    "InvalidFields",
    "InvalidTransition",
    "StaleInvoice",
    "audit_record",
    "invoice_apply_extraction",
    "invoice_approve",
    "invoice_claim",
    "invoice_correct_fields",
    "invoice_review_save",
    "invoice_fail",
    "invoice_intake",
    "invoice_reject",
    "invoice_reprocess",
    "invoice_set_line_items",
    "invoice_set_status",
    "invoice_snapshot",
    "invoices_reprocess",
    "lock_invoice",
    "outbox_record",
    "vendor_create",
    "vendor_find",
    "vendor_get_or_create",
    "vendor_key",
    "vendor_update",
]
