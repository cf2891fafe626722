"""Lines and segments from positioned words: the geometry every parser step works on.

A *line* is the words of a page sharing a baseline band. A *segment* is a run of words on a line with no wide
gap: a label and its value when typed "Invoice no: 42", one table cell, one address line of one column. Every
segment keeps its folded text (lower case, no accents: see :func:`parsing.text.fold`) and where each word
starts in it, so a match in the text maps back to the words and their box.

Works the same for a PDF text layer and for OCR output (whose "words" may be whole phrases with spaces).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from .parsing.text import fold
from .types import BBox, Document, Word

__all__ = ["Layout", "Line", "Segment", "build_layout"]


@dataclass(slots=True, eq=False)
class Segment:
    words: list[Word]
    page: int
    line: Line = field(repr=False)
    text: str = ""
    folded: str = ""
    starts: list[int] = field(default_factory=list)  # offset of each word in text
    left: float = 0.0
    top: float = 0.0
    right: float = 0.0
    bottom: float = 0.0
    index: int = 0  # position in Layout.segments (reading order: page, line, left to right)

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def confidence(self) -> float:
        return min(w.confidence for w in self.words)

    def words_in(self, start: int, end: int) -> list[Word]:
        """The words overlapping characters [start, end) of this segment's text."""
        out = []
        for word, offset in zip(self.words, self.starts, strict=True):
            if offset < end and offset + len(word.text) > start:
                out.append(word)
        return out

    def bbox_of(self, start: int, end: int) -> BBox | None:
        words = self.words_in(start, end)
        if not words:
            return None
        # Narrow the box to the characters when one word holds more than the match (OCR phrases).
        if len(words) == 1 and len(words[0].text) > 0:
            w = words[0]
            offset = self.starts[self.words.index(w)]
            n = len(w.text)
            a = max(0, start - offset) / n
            b = min(n, end - offset) / n
            return (w.left + a * w.width, w.top, (b - a) * w.width, w.height)
        left = min(w.left for w in words)
        top = min(w.top for w in words)
        right = max(w.right for w in words)
        bottom = max(w.bottom for w in words)
        return (left, top, right - left, bottom - top)

    def confidence_of(self, start: int, end: int) -> float:
        words = self.words_in(start, end)
        return min((w.confidence for w in words), default=self.confidence)


@dataclass(slots=True, eq=False)
class Line:
    page: int
    top: float
    bottom: float
    segments: list[Segment] = field(default_factory=list)
    index: int = 0  # position in Layout.lines

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def text(self) -> str:
        return "  ".join(s.text for s in self.segments)


@dataclass(slots=True)
class Layout:
    lines: list[Line]
    segments: list[Segment]
    line_height: float  # median word height on the document (page fraction)
    page_count: int

    def lines_of_page(self, page: int) -> list[Line]:
        return [line for line in self.lines if line.page == page]

    def right_of(self, seg: Segment, *, max_gap: float = 0.6) -> list[Segment]:
        """Segments to the right of ``seg`` on its line, nearest first, within ``max_gap`` of page width."""
        return [s for s in seg.line.segments if s.left >= seg.right - 0.002 and s.left - seg.right <= max_gap]

    def below(self, seg: Segment, *, max_lines: int = 3, max_distance: float | None = None) -> list[Segment]:
        """Segments on the next lines that overlap ``seg`` horizontally, nearest first."""
        out: list[Segment] = []
        limit = max_distance if max_distance is not None else 3.5 * max(seg.height, self.line_height)
        start = seg.line.index + 1
        seen = 0
        for line in self.lines[start:]:
            if line.page != seg.page or line.top - seg.bottom > limit:
                break
            hits = [s for s in line.segments if _h_overlap(s, seg) > 0]
            if hits:
                out.extend(hits)
                seen += 1
                if seen >= max_lines:
                    break
        return out

    def above(self, seg: Segment, *, max_lines: int = 2) -> list[Segment]:
        out: list[Segment] = []
        seen = 0
        for line in reversed(self.lines[: seg.line.index]):
            if line.page != seg.page or seg.top - line.bottom > 3.5 * max(seg.height, self.line_height):
                break
            hits = [s for s in line.segments if _h_overlap(s, seg) > 0]
            if hits:
                out.extend(hits)
                seen += 1
                if seen >= max_lines:
                    break
        return out


def _h_overlap(a: Segment, b: Segment) -> float:
    return min(a.right, b.right) - max(a.left, b.left)


def _make_segment(words: list[Word], line: Line) -> Segment:
    parts = []
    starts = []
    pos = 0
    for i, w in enumerate(words):
        if i:
            parts.append(" ")
            pos += 1
        starts.append(pos)
        parts.append(w.text)
        pos += len(w.text)
    text = "".join(parts)
    return Segment(
        words=words, page=line.page, line=line, text=text, folded=fold(text), starts=starts,
        left=min(w.left for w in words), top=min(w.top for w in words),
        right=max(w.right for w in words), bottom=max(w.bottom for w in words),
    )


def build_layout(document: Document) -> Layout:
    lines: list[Line] = []
    all_heights = [w.height for p in document.pages for w in p.words if w.height > 0]
    doc_height = statistics.median(all_heights) if all_heights else 0.012
    for page in document.pages:
        words = sorted((w for w in page.words if w.text.strip()), key=lambda w: (w.top + w.bottom) / 2)
        open_lines: list[tuple[float, float, list[Word]]] = []  # band top, band bottom, words
        page_lines: list[tuple[float, float, list[Word]]] = []
        for w in words:
            mid = (w.top + w.bottom) / 2
            placed = False
            # Only the last few lines can take this word (words are sorted by their middle).
            for k in range(len(open_lines) - 1, max(-1, len(open_lines) - 4), -1):
                top, bottom, members = open_lines[k]
                band = bottom - top
                overlap = min(bottom, w.bottom) - max(top, w.top)
                if overlap >= 0.5 * min(band, w.height) and top - 0.1 * band <= mid <= bottom + 0.1 * band:
                    # A word overlapping one already on the line horizontally belongs to another line.
                    if any(min(m.right, w.right) - max(m.left, w.left) > 0.3 * min(m.width, w.width) for m in members[-6:]):
                        continue
                    members.append(w)
                    if len(members) <= 3:  # let the band settle on the first words, then keep it
                        open_lines[k] = (min(top, w.top), max(bottom, w.bottom), members)
                    placed = True
                    break
            if not placed:
                entry = (w.top, w.bottom, [w])
                open_lines.append(entry)
                page_lines.append(entry)
        page_lines = [pl for pl in (open_lines) if pl[2]]
        page_lines.sort(key=lambda pl: min(w.top for w in pl[2]))
        for _top, _bottom, members in page_lines:
            members.sort(key=lambda w: w.left)
            line = Line(page=page.number, top=min(w.top for w in members), bottom=max(w.bottom for w in members))
            heights = sorted(w.height for w in members)
            h = heights[len(heights) // 2] or doc_height
            run: list[Word] = [members[0]]
            for w in members[1:]:
                gap = w.left - run[-1].right
                if gap > 0.9 * max(h, min(w.height, run[-1].height)) * _aspect(page.width, page.height):
                    line.segments.append(_make_segment(run, line))
                    run = [w]
                else:
                    run.append(w)
            line.segments.append(_make_segment(run, line))
            lines.append(line)
    segments = []
    for i, line in enumerate(lines):
        line.index = i
        for s in line.segments:
            s.index = len(segments)
            segments.append(s)
    return Layout(lines=lines, segments=segments, line_height=doc_height, page_count=len(document.pages))


def _aspect(width: float, height: float) -> float:
    """Heights are fractions of page height and gaps fractions of page width: convert one to the other."""
    if width <= 0 or height <= 0:
        return 1.0
    return height / width
