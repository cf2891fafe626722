"""Page images for OCR: decoded photos and scans (PNG, JPEG, TIFF with every page) and rendered PDF pages.

Everything that comes out is an upright (EXIF orientation applied), 8-bit ``L`` or ``RGB`` Pillow image whose
pixel count was checked *before* decoding, so a decompression bomb (a small file that claims a huge canvas) is
refused with a clear :class:`UnreadableDocument` instead of filling the worker's memory. The intake
(``invoices/filecheck.py``) applies the same limit to uploads; this module guards files that reach the engine by
other ways (``manage.py extract``, reprocessing, a changed limit).

Pages are produced one at a time (generators): a 50-page TIFF never sits in memory as 50 decoded images.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterable, Iterator

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from .types import UnreadableDocument

__all__ = [
    "IMAGE_KINDS",
    "RENDER_DPI",
    "image_kind",
    "image_page_count",
    "iter_image_pages",
    "iter_pdf_page_images",
    "max_image_pixels",
]

IMAGE_KINDS = {"png": "PNG", "jpeg": "JPEG", "tiff": "TIFF"}
# PDF pages are rendered at this resolution for OCR: body text (9-10 pt) comes out ~25-30 px high, what both
# OCR engines read well; 300 dpi reads no better here and costs twice the pixels.
RENDER_DPI = 200
MAX_RENDER_SIDE = 4000  # pixels: a poster-sized PDF page is rendered smaller rather than at 200 dpi
MIN_SIDE = 32  # below this there is nothing to read
DEFAULT_MAX_PIXELS = 80_000_000  # used when Django settings are not configured (scripts, benches)


def max_image_pixels() -> int:
    """The pixel limit per page image: settings.MAX_IMAGE_PIXELS, or the default outside Django."""
    try:
        from django.conf import settings

        return int(getattr(settings, "MAX_IMAGE_PIXELS", DEFAULT_MAX_PIXELS))
    except Exception:  # settings not configured: a plain script
        return DEFAULT_MAX_PIXELS


def image_kind(data: bytes) -> str | None:
    """'png', 'jpeg' or 'tiff' from the file's signature, or None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return "tiff"
    return None


def _too_large(width: int, height: int, limit: int) -> UnreadableDocument:
    return UnreadableDocument(
        f"The image is {width:,} × {height:,} pixels ({width * height / 1e6:.0f} megapixels); the limit is "
        f"{limit / 1e6:.0f} megapixels. Scan at 300 dpi or less."
    )


def _open(data: bytes, limit: int) -> Image.Image:
    kind = image_kind(data)
    if kind is None:
        raise UnreadableDocument("The file is not a PDF, PNG, JPEG or TIFF image.")
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check warns between its limit and twice it; ours is explicit below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[IMAGE_KINDS[kind]])
    except Image.DecompressionBombError:
        raise UnreadableDocument(
            f"The image is over {limit / 1e6:.0f} megapixels, too large to process safely. Scan at 300 dpi or less."
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise UnreadableDocument(
            f"The {kind.upper()} image is damaged or truncated and cannot be read. Upload it again."
        ) from None
    return image


def image_page_count(data: bytes) -> int:
    """Pages (frames) in an image file, read from its headers only."""
    image = _open(data, max_image_pixels())
    try:
        return int(getattr(image, "n_frames", 1) or 1)
    except (OSError, ValueError, EOFError):
        raise UnreadableDocument("The TIFF image is damaged (its list of pages cannot be read).") from None
    finally:
        image.close()


def _to_8bit(image: Image.Image) -> Image.Image:
    """An ``L`` or ``RGB`` image; transparency goes on white paper, 16-bit and float scans are scaled to 8 bits."""
    mode = image.mode
    if mode in ("L", "RGB"):
        return image
    if mode == "1":
        return image.convert("L")
    if mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        arr = np.asarray(image, dtype=np.float32)
        lo, hi = float(arr.min()), float(arr.max())
        if hi <= lo:
            return Image.new("L", image.size, 255)
        return Image.fromarray(((arr - lo) * (255.0 / (hi - lo))).astype(np.uint8), "L")
    if mode in ("LA", "La", "PA", "RGBA", "RGBa") or (mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")  # P, CMYK, YCbCr, LAB, HSV


def iter_image_pages(
    data: bytes, *, max_pages: int | None = None, max_side: int | None = None
) -> Iterator[Image.Image]:
    """Every page of a PNG/JPEG/TIFF file, upright and 8-bit, one at a time.

    ``max_side``: a JPEG far larger than this (a 50-megapixel phone photo) is decoded at a reduced scale (1/2,
    1/4, 1/8: JPEG can do that for free) with its longest side still at least ``max_side``; other images are
    decoded whole. Nothing is enlarged.

    Raises :class:`UnreadableDocument` for a file that is not such an image, is damaged or truncated, or has a
    page over the pixel limit (checked from the header, before any pixel is decoded).
    """
    limit = max_image_pixels()
    source = _open(data, limit)
    kind = image_kind(data) or "image"
    try:
        for index, frame in enumerate(ImageSequence.Iterator(source)):
            if max_pages is not None and index >= max_pages:
                return
            width, height = frame.size
            if width * height > limit:
                raise _too_large(width, height, limit)
            if width < MIN_SIDE or height < MIN_SIDE:
                raise UnreadableDocument(f"The image is only {width} × {height} pixels: too small to read.")
            try:
                if max_side and frame.format == "JPEG" and max(width, height) >= 2 * max_side:
                    factor = max(width, height) / max_side
                    frame.draft(frame.mode, (int(width / factor) + 1, int(height / factor) + 1))
                frame.load()
                image = ImageOps.exif_transpose(frame) or frame
                image = _to_8bit(image)
                if image is frame:
                    image = frame.copy()  # detach from the file so the next frame can be decoded
            except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError):
                where = f"Page {index + 1} of the {kind.upper()} image" if index else f"The {kind.upper()} image"
                raise UnreadableDocument(f"{where} is damaged or truncated and cannot be read.") from None
            yield image
    except Image.DecompressionBombError:  # a later TIFF page claims a huge canvas
        raise UnreadableDocument(
            f"A page of the image is over {limit / 1e6:.0f} megapixels, too large to process safely."
        ) from None
    except (OSError, EOFError):  # seeking to the next TIFF page failed
        raise UnreadableDocument(f"The {kind.upper()} image is damaged: its pages cannot all be read.") from None
    finally:
        source.close()


def iter_pdf_page_images(data: bytes, pages: Iterable[int], *, dpi: int = RENDER_DPI) -> Iterator[Image.Image]:
    """Render the given 1-based pages of a PDF as upright grayscale images at ``dpi`` (for OCR)."""
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        raise UnreadableDocument("The PDF cannot be opened to read its scanned pages.") from None
    try:
        for number in pages:
            try:
                page = pdf[number - 1]
            except (pdfium.PdfiumError, IndexError):
                raise UnreadableDocument(f"Page {number} of the PDF is damaged and cannot be read.") from None
            try:
                width, height = page.get_size()  # points, rotation applied
                scale = dpi / 72
                longest = max(width, height) * scale
                if longest > MAX_RENDER_SIDE:
                    scale *= MAX_RENDER_SIDE / longest
                if min(width, height) * scale < MIN_SIDE:
                    raise UnreadableDocument(f"Page {number} of the PDF is too small to read.")
                bitmap = page.render(scale=scale, grayscale=True, may_draw_forms=True)
                image = bitmap.to_pil()
                yield image if image.mode == "L" else image.convert("L")
            except pdfium.PdfiumError:
                raise UnreadableDocument(f"Page {number} of the PDF cannot be rendered.") from None
            finally:
                page.close()
    finally:
        pdf.close()
