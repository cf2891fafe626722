"""What the field finders share about one document: its layout, its habits, and every label on it.

Built once per document (:func:`build_context`): the decimal mark and date order the document uses, its
language (by the labels it prints), and each segment's labels (see :mod:`..parsing.labels`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..layout import Layout, Segment
from ..parsing.amounts import decimal_separator_of
from ..parsing.dates import date_order_of
from ..parsing.labels import LabelMatch, find_labels

__all__ = ["Context", "build_context"]


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
    currency_hint = None
    joined = " ".join(texts[:400])
    if "$" in joined and "€" not in joined:
        currency_hint = "USD"
    date_order = date_order_of(texts, language=language, currency=currency_hint)
    return Context(layout=layout, decimal_sep=decimal_sep, date_order=date_order, language=language,
                   labels=labels, ocr=ocr)
