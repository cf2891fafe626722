"""OCR of page images: known words at the right places, turned pages read upright, skew taken out of the boxes.

The reference is the same invoice born-digital: its text layer gives every word and its box, so the OCR of the
scanned copy can be checked word by word. Each OCR'd page costs a few seconds, so few pages are read.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from PIL import Image

from pipeline.extraction import ocr
from pipeline.extraction.images import iter_image_pages
from pipeline.extraction.ocr import OcrError, ocr_page
from pipeline.extraction.pdftext import read_pdf
from pipeline.extraction.types import Page, Word
from pipeline.generator import random_spec, render_invoice
from pipeline.generator.scan import ScanParams, scan_pdf

ENGINES = ["rapidocr", "tesseract"]


def scanned(pdf: bytes, skew: float) -> Image.Image:
    params = ScanParams(
        profile="scan",
        dpi=200,
        rotation=skew,
        turned=0,
        blur=0.5,
        noise=5.0,
        paper=240,
        contrast=1.0,
        brightness=1.0,
        jpeg_quality=70,
        perspective=0.0,
        shadow=0.0,
        grayscale=True,
        format="png",
    )
    data, _ = scan_pdf(pdf, random.Random(1), params)
    return next(iter_image_pages(data))


@pytest.fixture(scope="module")
def invoice():
    spec = random_spec(random.Random("ocr-test"), locale="en-US", layout="classic", n_lines=4)
    pdf = render_invoice(spec)
    return {"digital": read_pdf(pdf).document.pages[0], "upright": scanned(pdf, 0.0), "skewed": scanned(pdf, 2.2)}


def numeric_words(page: Page) -> list[Word]:
    return [w for w in page.words if len(w.text) >= 3 and any(c.isdigit() for c in w.text)]


def centre(word: Word) -> tuple[float, float]:
    return word.left + word.width / 2, word.top + word.height / 2


def matched(reference: list[Word], page: Page) -> list[Word]:
    """Reference words the OCR read exactly, with a box centred where the text layer has it."""
    out = []
    for ref in reference:
        cx, cy = centre(ref)
        for w in page.words:
            x, y = centre(w)
            if w.text == ref.text and abs(x - cx) < 0.02 and abs(y - cy) < 0.01:
                out.append(ref)
                break
    return out


@pytest.fixture(scope="module")
def upright_pages(invoice):
    return {engine: ocr_page(invoice["upright"], 1, engine=engine) for engine in ENGINES}


@pytest.mark.parametrize("engine", ENGINES)
def test_scan_gives_the_digital_words_at_their_places(invoice, upright_pages, engine):
    page = upright_pages[engine]
    reference = numeric_words(invoice["digital"])
    assert len(reference) >= 15
    found = matched(reference, page)
    floor = 0.9 if engine == "rapidocr" else 0.8  # Tesseract is weaker on noisy digits (bench/ocr.py)
    assert len(found) >= floor * len(reference), sorted({w.text for w in reference} - {w.text for w in found})
    assert page.source == "ocr" and page.rotation == 0 and page.number == 1
    assert (page.width, page.height) == invoice["upright"].size  # the image's pixels, whatever OCR scaled to
    for w in page.words:
        assert 0 <= w.left <= w.right <= 1 and 0 <= w.top <= w.bottom <= 1
        assert 0 <= w.confidence <= 100
        assert " " not in w.text  # words, not phrases
    assert np.median([w.confidence for w in page.words]) > 80


@pytest.mark.parametrize(("engine", "turn"), [("rapidocr", 90), ("rapidocr", 180), ("tesseract", 270)])
def test_turned_page_is_read_upright(invoice, engine, turn):
    turned = invoice["upright"].rotate(turn, expand=True)  # counter-clockwise, as fed the wrong way round
    page = ocr_page(turned, 1, engine=engine)
    assert page.rotation == (360 - turn) % 360
    assert (page.width, page.height) == invoice["upright"].size
    reference = numeric_words(invoice["digital"])
    assert len(matched(reference, page)) >= 0.8 * len(reference)


@pytest.mark.parametrize("engine", ENGINES)
def test_skew_is_taken_out_of_the_word_boxes(invoice, engine):
    # Pairs of words far apart on one line of the digital page: after OCR of the page scanned 2.2 degrees
    # askew, both must sit in one band (without deskewing, ~1.5 line heights apart).
    digital = invoice["digital"]
    counts: dict[str, int] = {}
    for w in digital.words:
        counts[w.text] = counts.get(w.text, 0) + 1
    unique = [w for w in digital.words if len(w.text) >= 3 and counts[w.text] == 1]
    pairs = [
        (a, b) for a in unique for b in unique if b.left - a.right > 0.4 and abs(centre(a)[1] - centre(b)[1]) < 0.004
    ]
    assert len(pairs) >= 3
    page = ocr_page(invoice["skewed"], 1, engine=engine)
    checked = 0
    for a, b in pairs:
        oa = [w for w in page.words if w.text == a.text]
        ob = [w for w in page.words if w.text == b.text]
        if len(oa) != 1 or len(ob) != 1:
            continue
        height = max(oa[0].height, ob[0].height)
        assert abs(centre(oa[0])[1] - centre(ob[0])[1]) < 0.5 * height, (a.text, b.text)
        checked += 1
    assert checked >= 2


def test_line_without_word_boxes_is_split_by_characters():
    box = np.array([[100, 50], [300, 50], [300, 70], [100, 70]], dtype=float)
    words = ocr._split_line("Total  12.50", box, 90.0)
    assert [w.text for w in words] == ["Total", "12.50"]
    first, second = words
    assert first.points[0][0] == pytest.approx(100)
    assert first.points[1][0] == pytest.approx(100 + 200 * 5 / 12)
    assert second.points[0][0] == pytest.approx(100 + 200 * 7 / 12)
    assert second.points[1][0] == pytest.approx(300)
    assert first.confidence == second.confidence == 90.0


def test_deskew_rotates_about_the_centre():
    word = ocr._RawWord("x", np.array([[0.0, 0.0], [10, 0], [10, 1], [0, 1]]), 99)
    ocr._deskew([word], 90.0, 100, 100)
    # 90 degrees about (50, 50): the top-left corner (0, 0) goes to (0, 100)
    assert word.points[0] == pytest.approx([0.0, 100.0])


def test_blank_page_gives_no_words():
    page = ocr_page(Image.new("L", (800, 1000), 255), 3, engine="rapidocr")
    assert page.words == [] and page.number == 3 and page.source == "ocr"


def test_unknown_engine_is_a_clear_error():
    with pytest.raises(OcrError, match="Unknown OCR engine"):
        ocr_page(Image.new("L", (100, 100), 255), 1, engine="abbyy")


def test_engine_comes_from_settings(settings):
    settings.OCR_ENGINE = "Tesseract"
    assert ocr.default_engine() == "tesseract"
