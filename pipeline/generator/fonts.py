"""Font families: reportlab's built-in PDF fonts, and Debian's DejaVu TTFs when they are installed.

A missing TTF never breaks generation: the family falls back to the closest built-in font, and text is then
reduced to what the built-in fonts can encode (cp1252, see ``safe_text``).
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

DEJAVU_DIRS = (Path(os.environ.get("GENERATOR_FONT_DIR", "/usr/share/fonts/truetype/dejavu")),)


@dataclass(frozen=True, slots=True)
class Family:
    key: str
    regular: str
    bold: str
    builtin: bool
    files: tuple[str, str] | None = None  # TTF file names for (regular, bold)
    fallback: str = "helvetica"


FAMILIES: dict[str, Family] = {
    f.key: f
    for f in (
        Family("helvetica", "Helvetica", "Helvetica-Bold", True),
        Family("times", "Times-Roman", "Times-Bold", True),
        Family("courier", "Courier", "Courier-Bold", True),
        Family("dejavu-sans", "DejaVuSans", "DejaVuSans-Bold", False, ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")),
        Family(
            "dejavu-serif",
            "DejaVuSerif",
            "DejaVuSerif-Bold",
            False,
            ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"),
            "times",
        ),
        Family(
            "dejavu-condensed",
            "DejaVuSansCondensed",
            "DejaVuSansCondensed-Bold",
            False,
            ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"),
        ),
        Family(
            "dejavu-mono",
            "DejaVuSansMono",
            "DejaVuSansMono-Bold",
            False,
            ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf"),
            "courier",
        ),
    )
}
MONO = frozenset({"courier", "dejavu-mono"})


def _find(name: str) -> Path | None:
    for d in DEJAVU_DIRS:
        p = d / name
        if p.is_file():
            return p
    return None


@cache
def available(key: str) -> bool:
    """True when the family can be drawn as itself (built-in, or its TTFs found and registered)."""
    fam = FAMILIES[key]
    if fam.builtin:
        return True
    assert fam.files
    paths = [_find(n) for n in fam.files]
    if not all(paths):
        return False
    try:
        for font_name, path in zip((fam.regular, fam.bold), paths, strict=True):
            if font_name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(font_name, str(path)))
    except Exception:  # a broken font file: behave as if it were missing
        return False
    return True


def resolve(key: str) -> Family:
    """The family to draw with: the requested one, or its built-in fallback."""
    fam = FAMILIES.get(key, FAMILIES["helvetica"])
    return fam if available(fam.key) else FAMILIES[fam.fallback]


_TRANSLIT = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ő": "o",
        "ű": "u",
        "Ő": "O",
        "Ű": "U",
        "ș": "s",
        "ț": "t",
        "ą": "a",
        "ę": "e",
        "ć": "c",
        "ń": "n",
        "ś": "s",
        "ź": "z",
        "ż": "z",
        "Ś": "S",
        "Ż": "Z",
        "\u202f": " ",
        "≤": "<=",
        "≥": ">=",
    }
)


def safe_text(text: str) -> str:
    """Text reduced to what the built-in (WinAnsi/cp1252) fonts can show; other characters transliterated."""
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for ch in text.translate(_TRANSLIT):
        try:
            ch.encode("cp1252")
            out.append(ch)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", ch).encode("cp1252", "ignore").decode("cp1252")
            out.append(base or "?")
    return "".join(out)
