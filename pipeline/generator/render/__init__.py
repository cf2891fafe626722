"""Drawing an InvoiceSpec as a PDF (reportlab)."""

from .engine import LAYOUTS, render_invoice

__all__ = ["LAYOUTS", "render_invoice"]
