"""What a received file really is, decided by its content, and whether we accept it.

Every refusal is a :class:`RejectedFile` whose message is shown to the user as is (upload page, API, import
command), so each says what is wrong and what to do, without echoing file contents.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat

PDF, PNG, JPEG, TIFF = "pdf", "png", "jpeg", "tiff"
CONTENT_TYPES = {PDF: "application/pdf", PNG: "image/png", JPEG: "image/jpeg", TIFF: "image/tiff"}
ACCEPTED = "PDF, PNG, JPEG or TIFF"

# Signatures of common files people upload by mistake, to name them in the message.
_OTHER_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive or Office document"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"GIF8", "a GIF image"),
    (b"RIFF", "a WebP image or other RIFF file"),
    (b"BM", "a BMP image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 image"),
    (b"{\\rtf", "an RTF document"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
)


class RejectedFile(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class FileFacts:
    kind: str  # pdf | png | jpeg | tiff
    content_type: str
    page_count: int
    size_bytes: int
    has_text_layer: bool | None = None  # PDFs only


def sniff(data: bytes) -> str | None:
    """The accepted kind of file the bytes are, from their signature, or None."""
    head = data[:1024]
    if data.startswith(b"%PDF-") or b"%PDF-" in head:  # the PDF spec allows junk before the header
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return TIFF
    return None


def describe_unknown(data: bytes) -> str:
    for signature, label in _OTHER_SIGNATURES:
        if data.startswith(signature):
            return label
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<script", b"<svg", b"<?xml")) or b"<script" in head:
        return "an HTML, XML or script file"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return "a file of an unknown type"
    return "a text file"


def inspect_file(data: bytes, name: str = "", *, size: int | None = None) -> FileFacts:
    """Check an uploaded file and describe it; raise :class:`RejectedFile` with a clear message if refused.

    ``size`` is the file's real size when ``data`` holds only its beginning (uploads are read up to the limit).
    """
    size = len(data) if size is None else size
    if size == 0:
        raise RejectedFile("empty", "The file is empty (0 bytes). Check that the upload finished and try again.")
    limit = settings.MAX_UPLOAD_BYTES
    if size > limit:
        raise RejectedFile(
            "too_large",
            f"The file is {filesizeformat(size)}; the limit is {filesizeformat(limit)}. "
            "Split the document or scan it at a lower resolution.",
        )
    kind = sniff(data)
    if kind is None:
        what = describe_unknown(data)
        suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        renamed = f" although its name ends in .{suffix}" if suffix in {"pdf", "png", "jpg", "jpeg", "tif", "tiff"} else ""
        raise RejectedFile(
            "unsupported_type", f"This is {what}{renamed}, not an invoice document. Upload a {ACCEPTED} file."
        )
    if kind == PDF:
        pages, has_text = _inspect_pdf(data)
        return FileFacts(kind, CONTENT_TYPES[kind], pages, size, has_text)
    return FileFacts(kind, CONTENT_TYPES[kind], _inspect_image(data, kind), size)


def _inspect_pdf(data: bytes) -> tuple[int, bool]:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        text = str(exc).lower()
        if "password" in text or "security" in text:
            raise RejectedFile(
                "encrypted",
                "The PDF is password-protected (encrypted), so it cannot be read. "
                "Save an unprotected copy and upload that.",
            ) from None
        raise RejectedFile(
            "corrupt", "The PDF is damaged and cannot be opened. Export or scan it again and upload the new file."
        ) from None
    try:
        pages = len(pdf)
        if pages == 0:
            raise RejectedFile("no_pages", "The PDF has no pages.")
        if pages > settings.MAX_PAGES:
            raise RejectedFile(
                "too_many_pages",
                f"The PDF has {pages:,} pages; the limit is {settings.MAX_PAGES}. Upload each invoice separately.",
            )
        try:
            page = pdf[0]
            textpage = page.get_textpage()
            has_text = textpage.count_chars() > 0
            textpage.close()
            page.close()
        except pdfium.PdfiumError:
            raise RejectedFile(
                "corrupt", "The PDF's first page is damaged and cannot be read. Export or scan it again."
            ) from None
        return pages, has_text
    finally:
        pdf.close()


def _inspect_image(data: bytes, kind: str) -> int:
    from PIL import Image, UnidentifiedImageError

    max_pixels = settings.MAX_IMAGE_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise RejectedFile(
                    "image_too_large",
                    f"The image is {width:,} × {height:,} pixels ({width * height / 1e6:.0f} megapixels); "
                    f"the limit is {max_pixels / 1e6:.0f} megapixels. Scan at 300 dpi or less.",
                )
            if width < 50 or height < 50:
                raise RejectedFile("image_too_small", f"The image is only {width} × {height} pixels: too small to read.")
            frames = getattr(image, "n_frames", 1) if kind == TIFF else 1
            if frames > settings.MAX_PAGES:
                raise RejectedFile(
                    "too_many_pages", f"The TIFF has {frames:,} pages; the limit is {settings.MAX_PAGES}."
                )
            image.verify()
            return frames
    except RejectedFile:
        raise
    except Image.DecompressionBombError:
        raise RejectedFile(
            "image_too_large",
            f"The image is over {max_pixels / 1e6:.0f} megapixels, too large to process safely. "
            "Scan at 300 dpi or less.",
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise RejectedFile(
            "corrupt", f"The {kind.upper()} image is damaged or truncated and cannot be read. Upload it again."
        ) from None
