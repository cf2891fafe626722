"""Words with positions from a born-digital PDF's text layer (pypdfium2), and a judgement of that layer's quality.

``read_pdf(data)`` returns the :class:`Document` plus, per page, whether its text layer is usable: a page with no
text but an image (a scan) or many vector paths (text drawn as outlines), or whose text is garbage (a font with
a broken Unicode map gives control or private-use characters, or letters that form no words), is listed in
``pages_needing_ocr`` so the engine can send just those pages to OCR.

Speed matters (< 50 ms per page including parsing is the budget): characters are read with the raw PDFium calls,
one loose box per character, and grouped into words in one pass.
"""

from __future__ import annotations

import ctypes
import re
import unicodedata
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .types import Document, Page, UnreadableDocument, Word

__all__ = ["PdfRead", "read_pdf", "text_quality"]

MAX_PAGES = 200  # pages read from one PDF; the intake's page limit is lower, this only bounds the work
_OBJ_IMAGE = 3
_OBJ_PATH = 2


@dataclass(slots=True)
class PdfRead:
    document: Document
    pages_needing_ocr: list[int] = field(default_factory=list)  # 1-based
    page_quality: dict[int, str] = field(default_factory=dict)  # "ok", "empty", "garbage", "blank"
    total_pages: int = 0


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message:
            raise UnreadableDocument("The PDF is password-protected; send it without the password.") from None
        if "format" in message or "file" in message:
            raise UnreadableDocument("The file is not a readable PDF (it is damaged or not a PDF).") from None
        raise UnreadableDocument(f"The PDF cannot be opened ({exc}).") from None


_VOWELS = set("aeiouyäöüàâéèêëîïôûùáíóúæœå")
_GOOD_WORD = re.compile(r"^[^\W\d_]{2,}$")


def text_quality(text: str) -> tuple[float, float]:
    """(share of characters that are ordinary printable text, share of letter-only words that look like words).

    A broken font encoding yields control/private-use characters (first number low) or shifted letters
    ("Jowpjdf") that rarely contain vowels in a plausible way (second number low).
    """
    if not text:
        return 0.0, 0.0
    printable = 0
    total = 0
    for c in text:
        if c in "\r\n\t ":
            continue
        total += 1
        cat = unicodedata.category(c)
        if cat[0] in "LNPS" and cat != "Co" and c != "\ufffd":
            printable += 1
    if total == 0:
        return 0.0, 0.0
    words = [w for w in re.split(r"[\s\W\d_]+", text) if _GOOD_WORD.match(w)]
    if not words:
        return printable / total, 0.0
    plausible = 0
    for w in words:
        low = w.lower()
        vowels = sum(1 for c in low if c in _VOWELS)
        if not low.isascii():
            plausible += 1 if vowels else 0
            continue
        if vowels and vowels / len(low) >= 0.15 and not re.search(r"[^aeiouy]{5,}", low):
            plausible += 1
    return printable / total, plausible / len(words)


def _page_objects(page: pdfium.PdfPage) -> tuple[int, int]:
    """(image objects, path objects) on a page, top level only."""
    raw = page.raw
    images = paths = 0
    count = pdfium_c.FPDFPage_CountObjects(raw)
    for i in range(min(count, 5000)):
        kind = pdfium_c.FPDFPageObj_GetType(pdfium_c.FPDFPage_GetObject(raw, i))
        if kind == _OBJ_IMAGE:
            images += 1
        elif kind == _OBJ_PATH:
            paths += 1
    return images, paths


def _transform(rotation: int, w: float, h: float):
    """Map PDF user space (origin bottom-left, y up) of an unrotated page to the upright view (origin top-left)."""
    if rotation == 90:
        return lambda x, y: (y, x), h, w
    if rotation == 180:
        return lambda x, y: (w - x, y), w, h
    if rotation == 270:
        return lambda x, y: (h - y, w - x), h, w
    return lambda x, y: (x, h - y), w, h


def _read_page(page: pdfium.PdfPage, number: int) -> tuple[Page, str]:
    width, height = page.get_size()
    rotation = page.get_rotation() % 360
    # get_size() reports the rotated size; the text page is in unrotated user space.
    if rotation in (90, 270):
        uw, uh = height, width
    else:
        uw, uh = width, height
    # The page's origin need not be 0,0 (a cropped or offset media box).
    box = page.get_cropbox()
    x0, y0 = box[0], box[1]
    to_view, vw, vh = _transform(rotation, uw, uh)
    textpage = page.get_textpage()
    try:
        n = textpage.count_chars()
        out = Page(number=number, width=vw, height=vh, rotation=0, source="text")
        if n <= 0:
            return out, ""
        text = textpage.get_text_range(0, n)
        if len(text) != n:  # characters outside the BMP: fall back to one call per character
            text = "".join(chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i) or 32) for i in range(n))
        raw = textpage.raw
        rect = pdfium_c.FS_RECTF()
        rect_p = ctypes.byref(rect)
        get_box = pdfium_c.FPDFText_GetLooseCharBox
        words = out.words
        cur_chars: list[str] = []
        wl = wt = r = b = 0.0
        last_right = last_top = last_bottom = 0.0
        inv_w, inv_h = 1.0 / vw, 1.0 / vh

        def flush() -> None:
            if cur_chars:
                word = "".join(cur_chars)
                words.append(Word(word, wl * inv_w, wt * inv_h, (r - wl) * inv_w, (b - wt) * inv_h, number))
                cur_chars.clear()

        for i, ch in enumerate(text):
            if ch <= " " or ch in "\u00a0\u3000\ufffe\uffff":
                flush()
                continue
            if not get_box(raw, i, rect_p):
                flush()
                continue
            # rect: left, top, right, bottom in PDF space (y up)
            ax, ay = to_view(rect.left - x0, rect.top - y0)
            bx, by = to_view(rect.right - x0, rect.bottom - y0)
            cl, cr = (ax, bx) if ax <= bx else (bx, ax)
            ct, cb = (ay, by) if ay <= by else (by, ay)
            if cr - cl <= 0 and cb - ct <= 0:
                flush()
                continue
            if cur_chars:
                ch_h = cb - ct
                gap = cl - last_right
                mid = (ct + cb) / 2
                same_line = last_top - 0.2 * ch_h <= mid <= last_bottom + 0.2 * ch_h
                if not same_line or gap > 0.18 * max(ch_h, b - wt) or gap < -0.6 * max(ch_h, b - wt):
                    flush()
            if not cur_chars:
                wl, wt, r, b = cl, ct, cr, cb
            else:
                if cl < wl:
                    wl = cl
                if ct < wt:
                    wt = ct
                if cr > r:
                    r = cr
                if cb > b:
                    b = cb
            cur_chars.append(ch)
            last_right, last_top, last_bottom = cr, ct, cb
        flush()
        return out, text
    finally:
        textpage.close()


def read_pdf(data: bytes, *, max_pages: int = MAX_PAGES) -> PdfRead:
    """Read every page's text layer. Raises :class:`UnreadableDocument` when the PDF cannot be opened."""
    pdf = _open(data)
    try:
        total = len(pdf)
        if total == 0:
            raise UnreadableDocument("The PDF has no pages.")
        result = PdfRead(Document(pages=[], engine="pdf-text"), total_pages=total)
        for index in range(min(total, max_pages)):
            try:
                page = pdf[index]
            except pdfium.PdfiumError:
                raise UnreadableDocument(f"Page {index + 1} of the PDF is damaged and cannot be read.") from None
            try:
                read, text = _read_page(page, index + 1)
                quality = "ok"
                letters = sum(1 for c in text if c.isalnum())
                if letters < 20:
                    images, paths = _page_objects(page)
                    quality = "empty" if images or paths > 30 else "blank"
                else:
                    printable, plausible = text_quality(text)
                    if printable < 0.8 or plausible < 0.5:
                        quality = "garbage"
                result.page_quality[index + 1] = quality
                if quality in ("empty", "garbage"):
                    result.pages_needing_ocr.append(index + 1)
                    read.words = []
                result.document.pages.append(read)
            finally:
                page.close()
        return result
    finally:
        pdf.close()
