"""Decoding page images for OCR: every TIFF page, EXIF orientation, 8-bit output, and clear refusals."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from pipeline.extraction.images import image_page_count, iter_image_pages, iter_pdf_page_images
from pipeline.extraction.types import UnreadableDocument
from pipeline.generator import make_invoice


def encode(image: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **kw)
    return buf.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width × height`` pixels and whose data is a few bytes: a decompression bomb."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    )


def test_multi_page_tiff_gives_every_page_in_order():
    pages = [Image.new("L", (300 + 10 * i, 400), 255 - 60 * i) for i in range(3)]
    data = encode(pages[0], "TIFF", save_all=True, append_images=pages[1:], compression="tiff_deflate")
    assert image_page_count(data) == 3
    out = list(iter_image_pages(data))
    assert [im.size for im in out] == [(300, 400), (310, 400), (320, 400)]
    assert [im.getpixel((5, 5)) for im in out] == [255, 195, 135]


def test_max_pages_stops_early():
    pages = [Image.new("L", (100, 100), 255) for _ in range(4)]
    data = encode(pages[0], "TIFF", save_all=True, append_images=pages[1:])
    assert len(list(iter_image_pages(data, max_pages=2))) == 2


def test_exif_orientation_is_applied():
    # A 200 × 100 landscape picture with a black top-left corner, stored with "rotate 90° clockwise to view".
    image = Image.new("RGB", (200, 100), "white")
    image.paste((0, 0, 0), (0, 0, 20, 20))
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encode(image, "JPEG", exif=exif.tobytes(), quality=95)
    (upright,) = list(iter_image_pages(data))
    assert upright.size == (100, 200)
    # Turned clockwise, the black corner is now at the top right.
    assert sum(upright.getpixel((95, 5))) < 100
    assert sum(upright.getpixel((5, 5))) > 600


@pytest.mark.parametrize(
    ("image", "mode"),
    [
        (Image.new("RGBA", (120, 80), (0, 0, 0, 0)), "RGB"),  # transparent → white paper
        (Image.new("1", (120, 80), 1), "L"),  # fax bilevel
        (Image.new("P", (120, 80), 3), "RGB"),
        (Image.new("I;16", (120, 80), 40000), "L"),  # 16-bit grey scan
        (Image.new("CMYK", (120, 80), (0, 0, 0, 0)), "RGB"),
    ],
)
def test_output_is_8_bit_grey_or_rgb(image, mode):
    fmt = "JPEG" if image.mode == "CMYK" else ("TIFF" if image.mode == "I;16" else "PNG")
    (out,) = list(iter_image_pages(encode(image, fmt)))
    assert out.mode == mode
    if image.mode == "RGBA":
        assert out.getpixel((3, 3)) == (255, 255, 255)


def test_truncated_image_is_refused_clearly():
    image = Image.effect_noise((400, 400), 60).convert("L")
    data = encode(image, "PNG")
    with pytest.raises(UnreadableDocument, match="damaged or truncated"):
        list(iter_image_pages(data[: len(data) // 2]))


def test_garbage_after_a_png_signature_is_refused_clearly():
    with pytest.raises(UnreadableDocument, match="damaged or truncated"):
        list(iter_image_pages(b"\x89PNG\r\n\x1a\n" + b"\x00" * 200))


def test_decompression_bomb_is_refused_before_decoding():
    data = png_header_only(100_000, 100_000)  # 10 gigapixels claimed by a file of ~100 bytes
    assert len(data) < 200
    with pytest.raises(UnreadableDocument, match="megapixels"):
        list(iter_image_pages(data))


def test_pixel_limit_follows_the_setting(settings):
    settings.MAX_IMAGE_PIXELS = 50_000
    data = encode(Image.new("L", (300, 300), 255), "PNG")  # 90,000 pixels
    with pytest.raises(UnreadableDocument, match=r"300 × 300 pixels"):
        list(iter_image_pages(data))


def test_tiny_image_is_refused():
    with pytest.raises(UnreadableDocument, match="too small"):
        list(iter_image_pages(encode(Image.new("L", (20, 20), 255), "PNG")))


def test_unsupported_type_is_refused():
    gif = encode(Image.new("P", (100, 100)), "GIF")
    with pytest.raises(UnreadableDocument, match="not a PDF, PNG, JPEG or TIFF"):
        list(iter_image_pages(gif))


def test_pdf_pages_render_at_ocr_resolution():
    pdf = make_invoice(seed=3, index=0, kind="digital").data
    (image,) = list(iter_pdf_page_images(pdf, [1], dpi=100))
    assert image.mode == "L"
    # An A4 or Letter page at 100 dpi: about 827-850 × 1100-1169 pixels.
    assert 800 <= image.width <= 860 and 1090 <= image.height <= 1180
    # Not blank: the invoice's text is drawn.
    assert image.getextrema()[0] < 100


def test_pdf_page_out_of_range_is_refused():
    pdf = make_invoice(seed=3, index=0, kind="digital").data
    with pytest.raises(UnreadableDocument, match="Page 9"):
        list(iter_pdf_page_images(pdf, [9]))


def test_huge_jpeg_is_decoded_at_a_reduced_scale_but_not_below_the_asked_size():
    data = encode(Image.new("RGB", (6400, 4000), "white"), "JPEG")
    (image,) = list(iter_image_pages(data, max_side=1500))
    assert image.size == (1600, 1000)  # 1/4 scale: the smallest JPEG scale still >= 1500 on the long side
    (full,) = list(iter_image_pages(data))
    assert full.size == (6400, 4000)
