"""What the field finders share about one document: its layout, its habits, and every label on it.

Built once per document (:func:`build_context`): the decimal mark and date order the document uses, its
language (by the labels it prints), and each segment's labels (see :mod:`..parsing.labels`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..layout import Layout, Segment
from ..parsing.amounts import decimal_separator_of
from ..parsing.dates import date_order_of
from ..parsing.labels import LabelMatch, find_labels

__all__ = ["Context", "build_context"]

_IBAN_OR_EU_VAT = re.compile(r"\b(?:[A-Z]{2}\d{2}\s?[A-Z0-9]{4}\s?\d{4}|(?:DE|FR|NL|IT|ES|BE|AT|GB|IE|DK|SE|PL)\d{8,12})")
US_ADDRESS = re.compile(r"\b(?:A[KLRZ]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|RI|"
                         r"S[CD]|T[NX]|UT|V[AT]|W[AIVY])\s\d{5}(?:-\d{4})?\b")


@dataclass(slots=True)
class Context:
    layout: Layout
    decimal_sep: str | None
    date_order: str
    language: str | None
    labels: dict[int, list[LabelMatch]] = field(default_factory=dict)  # segment index → labels in it
    ocr: bool = False  # words come from OCR (less certain characters)

    def labels_of(self, seg: Segment) -> list[LabelMatch]:
        return self.labels.get(seg.index, [])

    def starts_with_label(self, seg: Segment, *, kinds: frozenset[str] | None = None) -> LabelMatch | None:
        """The label at the start of ``seg`` (ignoring leading punctuation), if any."""
        labels = self.labels_of(seg)
        if not labels:
            return None
        first = labels[0]
        if seg.folded[: first.start].strip(" :-#*•") == "" and (kinds is None or first.kind in kinds):
            return first
        return None

    def is_only_label(self, seg: Segment) -> bool:
        """The segment holds labels and nothing else ("Invoice date", "NUMMER:")."""
        labels = self.labels_of(seg)
        if not labels:
            return False
        pos = 0
        for label in labels:
            if seg.folded[pos : label.start].strip(" :-#*•/|"):
                return False
            pos = label.end
        return not seg.folded[pos:].strip(" :-#*•/|.")


def build_context(layout: Layout, *, ocr: bool = False) -> Context:
    texts = [s.text for s in layout.segments]
    decimal_sep = decimal_separator_of(texts)
    labels: dict[int, list[LabelMatch]] = {}
    languages: Counter[str] = Counter()
    for seg in layout.segments:
        if not any(c.isalpha() for c in seg.folded):
            continue
        found = find_labels(seg.folded)
        if found:
            labels[seg.index] = found
            for label in found:
                if label.language:
                    languages[label.language] += 1
    language = languages.most_common(1)[0][0] if languages else None
    ctx = Context(layout=layout, decimal_sep=decimal_sep, date_order="DMY", language=language, labels=labels,
                  ocr=ocr)
    from .currency import find_currency

    found = find_currency(ctx, vendor_country=None)
    currency = found[0] if found is not None else None
    # Dollar documents in English are written month first (US, and Canada's English forms), others day first.
    hint = "USD" if currency in ("USD", "CAD") else currency
    if hint == "USD":
        joined = " ".join(texts)
        european = _IBAN_OR_EU_VAT.search(joined) is not None
        if european and not US_ADDRESS.search(joined):
            hint = None  # dollars invoiced from Europe: the vendor's habit is day first
    ctx.date_order = date_order_of(texts, language=language, currency=hint)
    return ctx
