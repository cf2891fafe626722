"""Turn a born-digital invoice into what a scanner, a fax or a phone camera makes of it.

Pages are rasterised with pypdfium2, then degraded with Pillow/numpy: small skew, sometimes a page turned by
90/180 degrees, blur, sensor noise, paper tone, uneven lighting, contrast and brightness, JPEG artefacts, and
for "photos" a perspective warp, a shadow and a desk around the page. Output: JPEG, PNG, multi-page TIFF, or a
PDF made only of page images (no text layer).
"""

from __future__ import annotations

import io
import random
from dataclasses import asdict, dataclass

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageEnhance, ImageFilter, ImageOps
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

FORMATS = ("jpeg", "png", "tiff", "pdf")
EXT = {"jpeg": ".jpg", "png": ".png", "tiff": ".tif", "pdf": ".pdf"}


@dataclass(slots=True)
class ScanParams:
    profile: str  # "scan" | "fax" | "photo"
    dpi: int
    rotation: float  # small skew in degrees (positive = counter-clockwise)
    turned: int  # 0, 90, 180 or 270: the page was fed/photographed the wrong way round
    blur: float  # Gaussian radius in pixels
    noise: float  # std of additive noise (0..255 scale)
    paper: int  # paper tone (255 white)
    contrast: float
    brightness: float
    jpeg_quality: int  # quality used for JPEG artefacts (or the JPEG output); 0 = none
    perspective: float  # 0..1 strength of the camera tilt
    shadow: float  # 0..1 strength of a lighting gradient
    grayscale: bool
    format: str

    def as_dict(self) -> dict:
        return asdict(self)


def random_params(
    rng: random.Random, *, fmt: str | None = None, pages: int = 1, profile: str | None = None
) -> ScanParams:
    profile = profile or rng.choices(("scan", "fax", "photo"), weights=(60, 12, 28))[0]
    if fmt is None:
        if pages > 1:
            fmt = rng.choice(("tiff", "pdf", "pdf"))
        else:
            fmt = rng.choices(FORMATS, weights=(35, 15, 15, 35))[0]
    if pages > 1 and fmt in ("jpeg", "png"):
        fmt = "pdf"
    if profile == "photo":
        dpi = rng.choice((150, 170, 200))
    elif profile == "fax":
        dpi = rng.choice((150, 200))
    else:
        dpi = rng.choice((150, 200, 200, 240, 300))
    turned = 0
    if rng.random() < 0.1:
        turned = rng.choice((90, 180, 270))
    skew_max = 4.0 if profile == "photo" else 2.5
    rotation = rng.uniform(0.3, skew_max) * rng.choice((-1, 1))
    return ScanParams(
        profile=profile,
        dpi=dpi,
        rotation=round(rotation, 2),
        turned=turned,
        blur=round(rng.uniform(0.0, 1.1) if profile != "photo" else rng.uniform(0.5, 1.4), 2),
        noise=round(rng.uniform(2, 10) if profile != "fax" else rng.uniform(1, 4), 1),
        paper=rng.randint(222, 250) if profile != "fax" else 255,
        contrast=round(rng.uniform(0.8, 1.25), 2),
        brightness=round(rng.uniform(0.9, 1.08), 2),
        jpeg_quality=rng.randint(35, 85) if (fmt == "jpeg" or rng.random() < 0.5) else 0,
        perspective=round(rng.uniform(0.2, 1.0), 2) if profile == "photo" else 0.0,
        shadow=round(rng.uniform(0.15, 0.5), 2) if profile == "photo" or rng.random() < 0.15 else 0.0,
        grayscale=profile == "fax" or fmt == "png" or rng.random() < 0.6,
        format=fmt,
    )


def rasterise(pdf_bytes: bytes, dpi: int, *, grayscale: bool) -> list[Image.Image]:
    pdf = pdfium.PdfDocument(pdf_bytes)
    try:
        out = []
        for i in range(len(pdf)):
            bitmap = pdf[i].render(scale=dpi / 72, grayscale=grayscale)
            img = bitmap.to_pil()
            out.append(img.convert("L" if grayscale else "RGB"))
        return out
    finally:
        pdf.close()


def _perspective_coeffs(src: list[tuple[float, float]], dst: list[tuple[float, float]]) -> list[float]:
    """Coefficients for Image.transform(PERSPECTIVE) mapping output points ``dst`` back to input points ``src``."""
    rows = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = np.array(rows, dtype=float)
    b = np.array([c for pt in src for c in pt], dtype=float)
    return list(np.linalg.solve(a, b))


def degrade(img: Image.Image, p: ScanParams, rng: random.Random) -> Image.Image:
    nrng = np.random.default_rng(rng.getrandbits(32))
    mode = img.mode
    # paper tone (white becomes the paper's grey, ink stays dark) and, for photos, a colour cast: one lookup table
    scale = [p.paper / 255.0] * (1 if mode == "L" else 3)
    if p.profile == "photo":
        cast = (rng.uniform(0.95, 1.03), rng.uniform(0.95, 1.0), rng.uniform(0.86, 0.98))
        if mode == "RGB":
            scale = [scale[k] * cast[k] for k in range(3)]
    img = img.point([min(255, int(v * f)) for f in scale for v in range(256)])

    bg = rng.randint(40, 120) if p.profile == "photo" else rng.randint(225, 250)
    fill = bg if mode == "L" else (bg, int(bg * 0.95), int(bg * 0.9))
    if p.profile == "photo":
        # a desk around the page, then the camera's tilt
        w, h = img.size
        border = int(min(w, h) * rng.uniform(0.04, 0.1))
        canvas = Image.new(mode, (w + 2 * border, h + 2 * border), fill)
        canvas.paste(img, (border, border))
        img = canvas
        w, h = img.size
        s = p.perspective * 0.06
        jitter = lambda: rng.uniform(0, s)  # noqa: E731
        dst = [
            (w * jitter(), h * jitter()),
            (w * (1 - jitter()), h * jitter()),
            (w * (1 - jitter()), h * (1 - jitter())),
            (w * jitter(), h * (1 - jitter())),
        ]
        src = [(0, 0), (w, 0), (w, h), (0, h)]
        coeffs = _perspective_coeffs(src, dst)
        img = img.transform((w, h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC, fillcolor=fill)
    img = img.rotate(p.rotation, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=fill)
    if p.turned:
        img = img.rotate(p.turned, expand=True)

    arr = np.asarray(img, dtype=np.float32)
    h, w = arr.shape[:2]
    if p.shadow:
        # a soft lighting gradient from one side (a hand, a lamp)
        angle = rng.uniform(0, 2 * np.pi)
        xs = (np.arange(w, dtype=np.float32) / w - 0.5) * np.float32(np.cos(angle))
        ys = (np.arange(h, dtype=np.float32) / h - 0.5) * np.float32(np.sin(angle))
        t = np.clip(ys[:, None] + xs[None, :] + 0.5, 0, 1)
        shade = 1.0 - np.float32(p.shadow) * t * np.sqrt(t)
        arr *= shade[..., None] if arr.ndim == 3 else shade
    if p.noise:
        noise = nrng.standard_normal(arr.shape[:2], dtype=np.float32) * np.float32(p.noise)  # grain shared by channels
        arr += noise[..., None] if arr.ndim == 3 else noise
    if p.profile == "fax":
        arr = np.where(arr < rng.uniform(120, 170), 0, 255).astype(np.float32)
        speckles = nrng.random(arr.shape[:2]) < 0.0015
        arr[speckles] = 0
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), mode)
    if p.blur:
        img = img.filter(ImageFilter.GaussianBlur(p.blur))
    img = ImageEnhance.Contrast(img).enhance(p.contrast)
    img = ImageEnhance.Brightness(img).enhance(p.brightness)
    if p.jpeg_quality and p.format != "jpeg":  # artefacts of an earlier JPEG step, kept in a lossless file
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=p.jpeg_quality)
        img = Image.open(io.BytesIO(buf.getvalue()))
        img.load()
    return img


def encode(pages: list[Image.Image], p: ScanParams) -> bytes:
    buf = io.BytesIO()
    if p.format == "jpeg":
        assert len(pages) == 1, "JPEG holds one page"
        pages[0].save(buf, "JPEG", quality=p.jpeg_quality or 80, dpi=(p.dpi, p.dpi), optimize=False)
    elif p.format == "png":
        assert len(pages) == 1, "PNG holds one page"
        pages[0].save(buf, "PNG", dpi=(p.dpi, p.dpi), compress_level=3)
    elif p.format == "tiff":
        compression = "group4" if p.profile == "fax" else "tiff_jpeg"  # deflate of a noisy page is huge
        imgs = [im.convert("1") if compression == "group4" else im for im in pages]
        kw = {"quality": p.jpeg_quality or 75} if compression == "tiff_jpeg" else {}
        imgs[0].save(
            buf, "TIFF", save_all=True, append_images=imgs[1:], compression=compression, dpi=(p.dpi, p.dpi), **kw
        )
    elif p.format == "pdf":
        canvas = Canvas(buf, invariant=1, pageCompression=1)
        for im in pages:
            w_pt, h_pt = im.size[0] * 72 / p.dpi, im.size[1] * 72 / p.dpi
            canvas.setPageSize((w_pt, h_pt))
            jpg = io.BytesIO()
            im.save(jpg, "JPEG", quality=p.jpeg_quality or 75)
            canvas.drawImage(ImageReader(io.BytesIO(jpg.getvalue())), 0, 0, w_pt, h_pt)
            canvas.showPage()
        canvas.save()
    else:
        raise ValueError(f"unknown scan format {p.format!r}")
    return buf.getvalue()


def scan_pdf(pdf_bytes: bytes, rng: random.Random, params: ScanParams | None = None) -> tuple[bytes, ScanParams]:
    """The scanned/photographed version of a PDF: (file bytes, the parameters used)."""
    n_pages = len(pdfium.PdfDocument(pdf_bytes))
    p = params or random_params(rng, pages=n_pages)
    pages = rasterise(pdf_bytes, p.dpi, grayscale=p.grayscale)
    if p.format == "png" and p.profile != "fax":
        pages = [ImageOps.grayscale(im) if p.grayscale else im for im in pages]
    out = [degrade(im, p, rng) for im in pages]
    return encode(out, p), p
