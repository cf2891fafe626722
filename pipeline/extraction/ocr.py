"""OCR of one page image → a :class:`Page` of words with relative boxes and confidences (0..100).

Two engines, chosen by ``settings.OCR_ENGINE`` (see ``bench/ocr.py`` for how they compare):

- ``rapidocr``: PP-OCR detection + recognition on onnxruntime (models ship in the wheel). Words get their own
  boxes (``return_word_box``); a line without them is split proportionally by characters.
- ``tesseract``: Debian's Tesseract 5 through its TSV output, one subprocess per page, ``OMP_THREAD_LIMIT=1``.

Both make the page upright first and report it in ``Page.rotation`` (degrees the page was turned
counter-clockwise to read it): rapidocr from the shape of its text boxes (tall boxes: turned by 90/270) and its
direction classifier (upside-down lines: 180); Tesseract from its orientation detector (OSD). Small skew is
measured from the text lines and removed from the *coordinates* (words are rotated about the page centre), so
a line's words share one band for the layout; the image itself is not resampled.

Engines are created once per process on first use (lazy, lock-protected singletons), so a Celery prefork child
loads the models once and a web process that never OCRs never loads them.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import os
import shutil
import statistics
import subprocess
import threading
from dataclasses import dataclass

import numpy as np
from PIL import Image

from .types import Page, UnreadableDocument, Word

__all__ = ["ENGINES", "OcrError", "default_engine", "ocr_page"]

logger = logging.getLogger("pipeline.ocr")

ENGINES = ("rapidocr", "tesseract")
DEFAULT_ENGINE = "rapidocr"
MIN_SKEW = 0.15  # degrees: below this, coordinates are left as they are
MAX_SKEW = 10.0  # degrees: beyond this, the estimate is not trusted (tables, stamps at an angle)
TESSERACT_LANGS = "eng+deu+fra+spa+ita+nld"
TESSERACT_TIMEOUT = 90  # seconds per page
RAPID_MAX_SIDE = 2000  # the page image is scaled down to this (pixels, longest side) before OCR
RAPID_DET_SIDE = 1280  # the text detector sees at most this (pixels, longest side); recognition uses the above
RAPID_REC_WIDTH = 160  # pixels: the narrowest input of the recogniser (see _Rapid)
MIN_SIDE_UPSCALE = 1000  # a small photo (a till receipt at 150 dpi) is enlarged to this longest side


class OcrError(UnreadableDocument):
    """The OCR engine could not run (missing binary, crashed). Not a property of the file, but still permanent."""


def default_engine() -> str:
    try:
        from django.conf import settings

        name = str(getattr(settings, "OCR_ENGINE", DEFAULT_ENGINE))
    except Exception:  # settings not configured: a plain script
        name = os.environ.get("OCR_ENGINE", DEFAULT_ENGINE)
    return name.strip().lower() or DEFAULT_ENGINE


@dataclass(slots=True)
class _RawWord:
    text: str
    points: np.ndarray  # (4, 2) corners in pixels of the upright image: tl, tr, br, bl
    confidence: float  # 0..100


# --- geometry -----------------------------------------------------------------------------------------------
def _deskew(words: list[_RawWord], angle: float, width: int, height: int) -> None:
    """Rotate word corners by -angle degrees about the image centre (in place)."""
    a = math.radians(angle)
    cos, sin = math.cos(a), math.sin(a)
    cx, cy = width / 2, height / 2
    rot = np.array([[cos, sin], [-sin, cos]])
    for w in words:
        w.points = (w.points - (cx, cy)) @ rot.T + (cx, cy)


def _to_page(
    words: list[_RawWord], width: int, height: int, number: int, rotation: int, original: tuple[int, int]
) -> Page:
    """Words in pixels of the (scaled) upright image → a Page sized in pixels of the original image, upright."""
    size = original if rotation in (0, 180) else original[::-1]
    page = Page(number=number, width=float(size[0]), height=float(size[1]), rotation=rotation, source="ocr")
    out = []
    for w in words:
        text = w.text.strip()
        if not text:
            continue
        xs, ys = w.points[:, 0], w.points[:, 1]
        left = max(0.0, float(xs.min()) / width)
        top = max(0.0, float(ys.min()) / height)
        right = min(1.0, float(xs.max()) / width)
        bottom = min(1.0, float(ys.max()) / height)
        if right <= left or bottom <= top:
            continue
        conf = max(0.0, min(100.0, float(w.confidence)))
        out.append(Word(text, left, top, right - left, bottom - top, number, round(conf, 1)))
    # Reading order: top to bottom, then left to right within a band (the layout regroups lines itself).
    out.sort(key=lambda w: (round((w.top + w.height / 2) * 200), w.left))
    page.words = out
    return page


def _split_line(text: str, points: np.ndarray, confidence: float) -> list[_RawWord]:
    """Split a recognised line into words, each getting the share of the line's box its characters take."""
    tl, tr, br, bl = (np.asarray(p, dtype=np.float64) for p in points)
    n = len(text)
    out = []
    start = 0
    for part in text.split(" "):
        if part:
            a, b = start / n, (start + len(part)) / n
            corners = np.array([tl + (tr - tl) * a, tl + (tr - tl) * b, bl + (br - bl) * b, bl + (br - bl) * a])
            out.append(_RawWord(part, corners, confidence))
        start += len(part) + 1
    return out


def _scale_for(image: Image.Image, max_side: int) -> float:
    longest = max(image.size)
    if longest > max_side:
        return max_side / longest
    if longest < MIN_SIDE_UPSCALE:
        return MIN_SIDE_UPSCALE / longest
    return 1.0


def _resized(image: Image.Image, scale: float) -> Image.Image:
    if abs(scale - 1.0) < 1e-3:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS if scale < 1 else Image.Resampling.BICUBIC)


def _rotate(image: Image.Image, degrees: int) -> Image.Image:
    """Turn counter-clockwise by a multiple of 90 degrees, exactly (no resampling)."""
    op = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_270}
    return image.transpose(op[degrees]) if degrees % 360 else image


# --- rapidocr -----------------------------------------------------------------------------------------------
class _Rapid:
    def __init__(self) -> None:
        from rapidocr import RapidOCR
        from rapidocr.ch_ppocr_cls import TextClsOutput
        from rapidocr.main import RapidOCRError

        self.empty_cls = TextClsOutput
        self.no_text = RapidOCRError

        threads = int(os.environ.get("OCR_THREADS", "1"))  # one core per worker process: Celery scales by processes
        self.engine = RapidOCR(
            params={
                "Global.log_level": "warning",
                "Global.max_side_len": RAPID_MAX_SIDE,
                "Global.return_word_box": True,
                "Det.limit_type": "max",
                "Det.limit_side_len": int(os.environ.get("OCR_RAPID_DET_SIDE", RAPID_DET_SIDE)),  # bench knob
                # The recogniser pads every line to at least this width (PaddleOCR's 320): most lines of an
                # invoice are short (amounts, dates, codes), so a lower floor saves a quarter to a third of the
                # time with the same text (bench/ocr.py).
                "Rec.rec_img_shape": [3, 48, int(os.environ.get("OCR_RAPID_REC_WIDTH", RAPID_REC_WIDTH))],
                "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
        )
        self.lock = threading.Lock()  # the engine keeps per-call state on itself

    def _detect(self, bgr: np.ndarray):
        img, op = self.engine.preprocess_img(bgr)
        try:
            crops, det = self.engine.detect_and_crop(img, op)
        except self.no_text:
            return None
        return img, op, crops, det

    @staticmethod
    def _box_shapes(det) -> tuple[int, int, list[float]]:
        """(long horizontal boxes, long vertical boxes, their angles in degrees) among the detected boxes."""
        horizontal = vertical = 0
        angles = []
        for box in det.boxes:
            tl, tr, _br, bl = box
            across = tr - tl
            down = bl - tl
            w, h = float(np.hypot(*across)), float(np.hypot(*down))
            if w >= 2.5 * h:
                horizontal += 1
                if w >= 6 * h:
                    angles.append(math.degrees(math.atan2(across[1], across[0])))
            elif h >= 2.5 * w:
                vertical += 1
        return horizontal, vertical, angles

    @staticmethod
    def _sample(crops: list[np.ndarray], size: int = 24) -> list[int]:
        """Indices of up to ``size`` line crops spread over the page, among those at least twice as wide as high."""
        lines = [i for i, c in enumerate(crops) if c.shape[1] >= 2 * c.shape[0]]
        if len(lines) <= size:
            return lines
        step = len(lines) / size
        return [lines[int(k * step)] for k in range(size)]

    def _turn(self, bgr: np.ndarray, found, quarter_turns: int):
        """The page and its detected boxes turned counter-clockwise by 90 or 180 degrees, without detecting again.

        Turning by quarter turns moves every pixel exactly, so the boxes are turned with it; the detector runs
        again only when rapidocr padded the image (an extreme aspect ratio), whose offsets would not follow.
        """
        img, op, _crops, det = found
        turned = np.ascontiguousarray(np.rot90(bgr, quarter_turns))
        padding = op.get("padding_1") or {}
        if padding.get("top") or padding.get("left") or img.shape[:2] != bgr.shape[:2]:
            return turned, self._detect(turned) or found
        h, w = img.shape[:2]
        boxes = np.asarray(det.boxes, dtype=np.float32).copy()
        x, y = boxes[..., 0].copy(), boxes[..., 1].copy()
        if quarter_turns % 4 == 1:
            boxes[..., 0], boxes[..., 1] = y, w - x
        elif quarter_turns % 4 == 2:
            boxes[..., 0], boxes[..., 1] = w - x, h - y
        else:  # 3
            boxes[..., 0], boxes[..., 1] = h - y, x
        # Same corners, new top-left: a turn keeps their clockwise order, so a cyclic shift is enough.
        for i, box in enumerate(boxes):
            first = int(np.argmin(box[:, 0] + box[:, 1]))
            boxes[i] = np.roll(box, -first, axis=0)
        order = sorted(range(len(boxes)), key=lambda i: (float(boxes[i][0][1]), float(boxes[i][0][0])))
        det.boxes = boxes[order]
        if det.scores is not None:
            det.scores = [det.scores[i] for i in order]
        new_img = turned
        crops = self.engine.crop_text_regions(new_img, det.boxes)
        return turned, (new_img, op, crops, det)

    def read(self, image: Image.Image, number: int) -> Page:
        original = image.size
        scale = _scale_for(image, RAPID_MAX_SIDE)
        image = _resized(image, scale)
        turned = 0
        with self.lock:
            eng = self.engine
            bgr = eng.load_img(image.convert("RGB"))
            found = self._detect(bgr)
            if found is None:
                return Page(number=number, width=float(original[0]), height=float(original[1]), source="ocr")
            horizontal, vertical, _ = self._box_shapes(found[3])
            if vertical > horizontal and vertical >= 3:
                turned = 90
                bgr, found = self._turn(bgr, found, 1)
            img, op, crops, det = found
            # Upside down when most sampled lines (weighted by their length) read as turned by 180 degrees. The
            # direction classifier runs on a sample only: one page has one direction, and classifying every
            # line would cost time and flip the odd line it gets wrong.
            sample = [crops[i] for i in self._sample(crops)]
            flipped = upright = 0.0
            if sample:
                _, cls = eng.cls_and_rotate(sample)
                for (label, score), crop in zip(cls.cls_res, sample, strict=True):
                    weight = crop.shape[1] / max(1, crop.shape[0])
                    if "180" in label and score > 0.6:
                        flipped += weight
                    elif score > 0.6:
                        upright += weight
            if flipped > 1.5 * upright and flipped > 0:
                turned = (turned + 180) % 360
                bgr, found = self._turn(bgr, found, 2)
                img, op, crops, det = found
            # Lines standing on end (tall boxes) were turned a quarter by the cropper: the classifier says which way.
            readable = list(crops)
            tall = [
                i
                for i, box in enumerate(det.boxes)
                if np.hypot(*(box[3] - box[0])) >= 1.5 * np.hypot(*(box[1] - box[0]))
            ]
            if tall:
                turned_crops, _ = eng.cls_and_rotate([crops[i] for i in tall])
                for i, crop in zip(tall, turned_crops, strict=True):
                    readable[i] = crop
            _, _, angles = self._box_shapes(det)
            try:
                rec = eng.recognize_txt(readable)
            except self.no_text:  # nothing recognised
                return Page(number=number, width=float(original[0]), height=float(original[1]), source="ocr")
            try:
                out = eng.build_final_output(bgr, det, self.empty_cls(), rec, crops, op)
            except IndexError:  # rapidocr drops lines without word boxes and its lists fall out of step
                eng.return_word_box = False
                try:
                    out = eng.build_final_output(bgr, det, self.empty_cls(), rec, crops, op)
                finally:
                    eng.return_word_box = True
        height, width = bgr.shape[:2]
        words: list[_RawWord] = []
        if getattr(out, "txts", None) and getattr(out, "boxes", None) is not None:
            per_word = out.word_results if len(out.word_results) == len(out.txts) else [()] * len(out.txts)
            for box, text, score, word_boxes in zip(out.boxes, out.txts, out.scores, per_word, strict=True):
                usable = [wb for wb in word_boxes if wb and wb[2] is not None and str(wb[0]).strip()]
                joined = "".join(str(wb[0]) for wb in usable).replace(" ", "")
                if usable and joined == text.replace(" ", ""):
                    for txt, wscore, pts in usable:
                        # a word is never surer than its line; the line score is the recogniser's average
                        conf = 100.0 * min(float(wscore), float(score) + 0.05)
                        words.append(_RawWord(str(txt), np.asarray(pts, dtype=np.float64), conf))
                else:
                    words.extend(_split_line(text, np.asarray(box, dtype=np.float64), 100.0 * float(score)))
        angle = statistics.median(angles) if len(angles) >= 3 else 0.0
        if MIN_SKEW <= abs(angle) <= MAX_SKEW:
            _deskew(words, angle, width, height)
        return _to_page(words, width, height, number, turned, original)


# --- tesseract ----------------------------------------------------------------------------------------------
class _Tesseract:
    def __init__(self) -> None:
        self.binary = shutil.which("tesseract")
        if not self.binary:
            raise OcrError("The OCR program (Tesseract) is not installed on this server.")
        self.env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
        self.langs = os.environ.get("OCR_TESSERACT_LANGS", TESSERACT_LANGS)
        # 2 = Sauvola: photos with shadows and uneven paper read far better than with 0 = global Otsu.
        self.thresholding = os.environ.get("OCR_TESSERACT_THRESHOLDING", "2")  # a bench knob

    def _run(self, image: Image.Image, args: list[str]) -> str:
        buf = io.BytesIO()
        image.save(buf, format="PPM")  # uncompressed: no time spent encoding
        try:
            done = subprocess.run(
                [self.binary, "stdin", "stdout", *args],
                input=buf.getvalue(),
                capture_output=True,
                env=self.env,
                timeout=TESSERACT_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise OcrError(f"OCR of a page took longer than {TESSERACT_TIMEOUT} s and was stopped.") from None
        if done.returncode != 0:
            return ""
        return done.stdout.decode("utf-8", "replace")

    def orientation(self, image: Image.Image) -> int:
        """Degrees to turn the page counter-clockwise to make it upright, as Tesseract's OSD proposes (0: none)."""
        small = _resized(image, min(1.0, 1600 / max(image.size)))
        out = self._run(small, ["--psm", "0", "-l", "osd"])
        for line in out.splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "Rotate":
                # OSD's "Rotate" is the clockwise turn that makes the page upright.
                return (360 - int(value.strip() or 0)) % 360
        return 0

    def _recognise(self, image: Image.Image):
        args = ["--psm", "3", "-l", self.langs, "-c", f"thresholding_method={self.thresholding}", "tsv"]
        tsv = self._run(image, args)
        words: list[_RawWord] = []
        lines: dict[tuple[str, str, str], list[tuple[float, float, float]]] = {}
        reader = csv.reader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header and header[0] == "level":
            for row in reader:
                if len(row) < 12 or row[0] != "5":
                    continue
                text = row[11].strip()
                conf = float(row[10])
                if not text or conf < 0:
                    continue
                left, top, w, h = (float(v) for v in row[6:10])
                pts = np.array([[left, top], [left + w, top], [left + w, top + h], [left, top + h]])
                words.append(_RawWord(text, pts, conf))
                lines.setdefault((row[2], row[3], row[4]), []).append((left + w / 2, top + h, w))
        # How well the page read: characters in confidently read words.
        score = sum(len(w.text) for w in words if w.confidence >= 70)
        return words, lines, score

    def read(self, image: Image.Image, number: int) -> Page:
        original = image.size
        image = image.convert("L")
        image = _resized(image, _scale_for(image, 3500))
        # OSD alone is unreliable on noisy pages: it tells text running across from text running up or down,
        # but often not which way up (it calls upright pages upside down, with high confidence). So a proposed
        # turn is checked against the opposite one: the page is read both ways and the way with more confidently
        # read text wins (at the cost of a second reading, only for pages OSD calls turned).
        proposal = self.orientation(image)
        turned = proposal
        words, lines, score = self._recognise(_rotate(image, proposal))
        if proposal:
            opposite = (proposal + 180) % 360
            other = self._recognise(_rotate(image, opposite))
            if other[2] > (1.1 if opposite == 0 else 1.0) * score:
                turned = opposite
                words, lines, score = other
        image = _rotate(image, turned)
        width, height = image.size
        angles = []
        for members in lines.values():
            if len(members) < 3:
                continue
            xs = np.array([m[0] for m in members])
            if xs.max() - xs.min() < 0.15 * width:
                continue
            ys = np.array([m[1] for m in members])
            slope = np.polyfit(xs, ys, 1)[0]
            angles.append(math.degrees(math.atan(slope)))
        angle = statistics.median(angles) if len(angles) >= 3 else 0.0
        if MIN_SKEW <= abs(angle) <= MAX_SKEW:
            _deskew(words, angle, width, height)
        return _to_page(words, width, height, number, turned, original)


_engines: dict[str, object] = {}
_engines_lock = threading.Lock()


def _engine(name: str):
    engine = _engines.get(name)
    if engine is None:
        with _engines_lock:
            engine = _engines.get(name)
            if engine is None:
                if name == "rapidocr":
                    engine = _Rapid()
                elif name == "tesseract":
                    engine = _Tesseract()
                else:
                    raise OcrError(f"Unknown OCR engine {name!r}; use one of {', '.join(ENGINES)}.")
                _engines[name] = engine
    return engine


def ocr_page(image: Image.Image, page_number: int, *, engine: str | None = None) -> Page:
    """Read one page image. Word boxes are fractions of the upright, deskewed page; confidence is 0..100."""
    name = (engine or default_engine()).lower()
    return _engine(name).read(image, page_number)
