"""A file's bytes → a :class:`Document` of positioned words, whatever the file is.

Born-digital PDF pages are read from their text layer (:mod:`.pdftext`); scans, photos and PDF pages whose text
layer is missing or garbage go through OCR. The field parser downstream sees the same words either way.
"""

from __future__ import annotations

from .pdftext import read_pdf
from .types import Document, UnreadableDocument

__all__ = ["read_document"]


def read_document(data: bytes) -> Document:
    """Read every page. Raises :class:`UnreadableDocument` with a message for people when that is impossible."""
    if data.startswith(b"%PDF"):
        return read_pdf(data).document
    raise UnreadableDocument("Images are not read yet.")  # OCR lands with the local engine
