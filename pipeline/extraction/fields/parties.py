"""Vendor and customer: names and the vendor's address, read from the document's blocks, never from a list.

The customer is the first line of the block a customer label ("Bill to", "Rechnungsadresse", "Destinataire")
heads, or of the address window under a sender line. The vendor is, by the evidence available: a vendor label
("From", "Seller"); the sender line over the address window ("ACME GmbH · Street 1 · 12345 City"); the most
prominent name-like block at the top of the first page that is not the customer's; the legal name in the footer.
A name matching the domain of an e-mail address or website on the document is much more certain.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from ..layout import Layout, Segment
from ..parsing.text import fold, normalise_name
from ..types import BBox, union_bbox
from .candidates import Candidate
from .context import Context

__all__ = ["Party", "customer_block", "find_parties"]

_LEGAL = re.compile(
    r"(?<![\w])(?:gmbh|mbh|ag|kg|ohg|ug|e\.\s?k\.|ltd\.?|limited|llc|l\.l\.c\.|inc\.?|corp\.?|corporation|co\.|plc|llp|"
    r"pty|pte|s\.?a\.?s?\.?u?|sarl|s\.?a\.?r\.?l\.?|eurl|sas|sasu|s\.?l\.?u?\.?|s\.?r\.?l\.?s?\.?|s\.?p\.?a\.?|"
    r"s\.?n\.?c\.?|s\.?a\.?s\.?|b\.?v\.?|n\.?v\.?|v\.?o\.?f\.?|bvba|sprl|sdn\.?\s*bhd|bhd|oy|ab|a/s|aps|as|oyj|kft|"
    r"sp\.?\s*z\s*o\.?\s*o\.?|gbr|e\.v\.|srl)(?![\w])",
    re.I,
)
_CONTACT = re.compile(r"@|www\.|https?://|\.(?:com|de|nl|fr|es|it|be|ch|at|co\.uk|io|net|org|dk|se|pl|eu)\b|"
                      r"(?:^|\s)(?:tel|phone|fax|t|f|e|m|p)[.:]?\s*[+(\d]", re.I)
_DOMAIN = re.compile(r"(?:[\w.+-]+@|www\.|https?://(?:www\.)?)([\w-]+(?:\.[\w-]+)*)\.[a-z]{2,6}\b", re.I)
_POSTCODE = re.compile(r"\b(?:\d{4,5}|\d{4}\s?[A-Z]{2}|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}|\d{3}\s?\d{2})\b")
_ADDRESS_WORD = re.compile(
    r"\b(?:str(?:asse|aße|\.)?|straat|weg|laan|gracht|steeg|plein|rue|avenue|av\.|boulevard|bd|place|chemin|calle|"
    r"c/|avda|avenida|paseo|plaza|carrer|via|viale|piazza|corso|vicolo|road|rd\.?|street|st\.?|lane|drive|way|"
    r"suite|floor|box|po box|gasse|platz|ring|allee|damm|ufer|kade|singel|straße|strasse|impasse|allée|route)\b",
    re.I,
)
_TAX_ID_LIKE = re.compile(r"^(?:[A-Z]{2}\s?\d{8,}|[A-Z]{2}\d{2}[A-Z0-9]{10,})")
_SPLIT = re.compile(r"\s+[·•|–—-]\s+|,\s+|\s{3,}")


@dataclass(slots=True)
class Party:
    field: str
    value: str
    confidence: float
    page: int
    bbox: BBox | None
    ocr: float = 100.0
    how: str = ""  # where the value came from: "label", "sender", "header", "footer" (for tuning and tests)


def _is_noise(seg: Segment, ctx: Context) -> bool:
    text = seg.text.strip()
    if len(text) < 2 or not any(c.isalpha() for c in text):
        return True
    if _CONTACT.search(text):
        return True
    label = ctx.starts_with_label(seg)
    if label is not None:
        return True
    return False


def _looks_like_name(text: str) -> bool:
    letters = sum(c.isalpha() for c in text)
    digits = sum(c.isdigit() for c in text)
    if letters < 2 or digits > 2 or len(text) > 70 or text.lstrip().startswith("#") or "_" in text:
        return False
    if _ADDRESS_WORD.search(text) and digits:
        return False
    return not re.fullmatch(r"[\W\d_]+", text)


def _domains(layout: Layout, skip: set[int]) -> set[str]:
    """Company names in the e-mail addresses and websites on the document, outside the customer's blocks."""
    out = set()
    for seg in layout.segments:
        if seg.index in skip:
            continue
        for m in _DOMAIN.finditer(seg.text):
            host = m.group(1).lower()
            parts = [p for p in host.split(".") if p not in ("www", "mail", "info", "accounts", "billing")]
            if parts:
                out.add(re.sub(r"[^a-z0-9]", "", fold(parts[-1])))
    return {d for d in out if len(d) >= 3}


def _matches_domain(name: str, domains: set[str]) -> float:
    """How well a name matches a domain on the document: 1 for the name itself, 0.4 for its first word."""
    key = normalise_name(name)
    if len(key) < 3:
        return 0.0
    best = 0.0
    for d in domains:
        if d.startswith(key) or (key in d and len(key) >= 0.6 * len(d)):
            return 1.0
        if len(d) >= 4 and key.startswith(d):
            # "Free Service Abonné" and free.fr: the domain names only the start of this name
            return 1.0 if len(key) <= len(d) + 2 else 0.6
        first = normalise_name(name.split()[0]) if name.split() else ""
        if len(first) >= 4 and d.startswith(first):
            best = max(best, 0.4)
    return best


def _block_below(layout: Layout, seg: Segment, *, max_lines: int = 6) -> list[Segment]:
    """The segments under ``seg`` in its column, while the lines stay close."""
    out: list[Segment] = []
    last = seg
    for line in layout.lines[seg.line.index + 1 :]:
        if line.page != seg.page:
            break
        if line.top - last.bottom > 1.9 * max(layout.line_height, last.height):
            break
        hits = [s for s in line.segments if abs(s.left - seg.left) < 0.025 or (s.left <= seg.left + 0.01 <= s.right
                                                                                and s.left >= seg.left - 0.03)]
        if not hits:
            if any(s.left < seg.left < s.right for s in line.segments):
                break
            continue
        out.append(hits[0])
        last = hits[0]
        if len(out) >= max_lines:
            break
    return out


_LEGAL_ONLY = re.compile(r"^\(?(?:" + _LEGAL.pattern + r")\)?(?:\s*(?:&\s*co\.?\s*)?(?:" + _LEGAL.pattern + r"))*[.,]?$",
                         re.I)
_ATTENTION = re.compile(r"(?i)^(?:attn|z\.?\s?hd|t\.?a\.?v|a\.?\s?l'?att|c/o|zu\s+handen|to\s+the\s+attention)\b")
_PERSON = re.compile(r"^[A-ZÀ-Ý][a-zà-ÿ'’-]+(?:\s+(?:van|de|der|den|von|di|da|le|la|du))*\s+[A-ZÀ-Ý][a-zà-ÿ'’-]+$")


def _customer_blocks(ctx: Context, cands: list[Candidate]) -> list[Party]:
    """The customer's name from each customer label: the block's company line, its person line otherwise."""
    out = []
    for c in cands:
        if c.field != "customer_name" or c.segment is None or not c.extra.get("at_start", True):
            continue
        text = c.value
        if _ATTENTION.match(text) or not _looks_like_name(text) or ctx.starts_with_label(c.segment):
            continue
        if _LEGAL_ONLY.match(text):
            continue
        conf = 55 + 30 * c.score
        cap = 90.0
        seg, bbox = c.segment, c.bbox
        if c.relation.startswith("below"):
            nxt = _block_below(ctx.layout, c.segment, max_lines=1)
            if nxt and (_LEGAL_ONLY.match(nxt[0].text.strip()) or nxt[0].text.strip().startswith("(")):
                text = f"{text} {nxt[0].text.strip()}"  # a name wrapped before its legal form
        if c.relation.startswith("below"):
            nxt = _block_below(ctx.layout, c.segment, max_lines=1)
            if _PERSON.match(text) and not _LEGAL.search(text) and nxt and _LEGAL.search(nxt[0].text) \
                    and _looks_like_name(nxt[0].text):
                # "Jan Jansen" over "Jansen Bouw B.V.": a contact person over the company
                seg = nxt[0]
                text = seg.text.strip()
                bbox = seg.bbox_of(0, len(seg.text))
                cap = 80.0  # or a sole trader's name over two lines ("Jürgen Koch" / "Haustechnik e.K.")
            elif _PERSON.match(text) and nxt and _looks_like_name(nxt[0].text) \
                    and not re.search(r"\d", nxt[0].text):
                conf -= 15  # two name lines: which one is the customer is a guess
        if _LEGAL.search(text):
            conf += 6
        elif c.label is not None and c.label.weight >= 1.0 and len(text.split()) >= 2 and c.score >= 0.8:
            conf += 6  # "Bill to" / "Rechnungsadresse" over a name of several words: a person or a firm
        out.append(Party("customer_name", text, min(conf, cap), c.page, bbox, seg.confidence))
    return out


def customer_block(ctx: Context, labelled: list[Candidate]) -> set[int]:
    """Indexes of the segments in the customer's (and ship-to) blocks: under their labels, in their column."""
    layout = ctx.layout
    customer_segs: set[int] = set()
    for c in labelled:
        if c.field == "customer_name" and c.segment is not None and _looks_like_name(c.value) \
                and c.extra.get("at_start", True):
            customer_segs.add(c.segment.index)
            for s in _block_below(layout, c.segment, max_lines=5):
                customer_segs.add(s.index)
    for seg in layout.segments:  # segments under any customer/ship-to label are the customer's
        first = ctx.starts_with_label(seg)
        if first is not None and first.kind in ("customer", "x_ship_to") and ctx.is_only_label(seg):
            customer_segs.add(seg.index)
            for s in _block_below(layout, seg, max_lines=6):
                customer_segs.add(s.index)
    return customer_segs


def find_parties(ctx: Context, labelled: list[Candidate]) -> dict[str, Party]:
    layout = ctx.layout
    result: dict[str, Party] = {}
    customers = _customer_blocks(ctx, labelled)
    customer_segs = customer_block(ctx, labelled)
    domains = _domains(layout, customer_segs)
    pages1 = [s for s in layout.segments if s.page == 1]
    heights = [s.height for s in pages1] or [layout.line_height]
    median_h = statistics.median(heights)
    # --- sender line over an address window: "Vendor GmbH · Street 1 · 12345 City"
    sender = None
    for seg in pages1:
        if seg.top > 0.4:
            break
        parts = _SPLIT.split(seg.text.strip())
        if len(parts) >= 3 and seg.index not in customer_segs and seg.height <= median_h * 1.05 and _POSTCODE.search(seg.text) \
                and _looks_like_name(parts[0]) and not ctx.labels_of(seg):
            below = _block_below(layout, seg, max_lines=4)
            if below and _looks_like_name(below[0].text):
                sender = (seg, parts, below)
                break
    if sender is not None and not customers:
        seg, parts, below = sender
        name = below[0].text.strip()
        if not re.match(r"(?i)^(?:attn|z\.?\s?hd|t\.?a\.?v|c/o)\b", name):
            customers.append(Party("customer_name", name, 72.0, seg.page, below[0].bbox_of(0, len(name)),
                                   below[0].confidence))
        for s in below:
            customer_segs.add(s.index)
    if customers:
        best = max(customers, key=lambda p: p.confidence)
        agree = sum(1 for p in customers if normalise_name(p.value) == normalise_name(best.value))
        if agree > 1:
            best.confidence = min(95.0, best.confidence + 5)
        result["customer_name"] = best
    # --- vendor name
    vendors: list[tuple[float, Segment, str, str]] = []  # score, segment, name, how
    for c in labelled:
        if c.field == "vendor_name" and c.segment is not None and _looks_like_name(c.value):
            vendors.append((0.75 * c.score + 0.1, c.segment, c.value, "label"))
    if sender is not None:
        seg, parts, _below = sender
        vendors.append((0.8, seg, parts[0].strip(), "sender"))
    for seg in pages1:
        if seg.top > 0.35:
            break
        if seg.index in customer_segs or (sender is not None and seg is sender[0]):
            continue
        text = seg.text.strip()
        labels = ctx.labels_of(seg)
        if labels and labels[-1].kind == "invoice_number" and labels[-1].end >= len(seg.folded.rstrip()) \
                and labels[-1].start > 2:
            text = seg.text[: labels[-1].start].strip(" -–|:")  # "Amazon Web Services Invoice"
            if ctx.starts_with_label(seg) is not None or _CONTACT.search(text):
                continue
        elif len(labels) == 1 and labels[0].kind == "invoice_number" and ctx.starts_with_label(seg) is not None \
                and seg.text[labels[0].end - 1 :].lstrip()[:1] in ("|", "-", "–", "·", ""):
            text = seg.text[labels[0].end :].strip(" -–|:·")  # "Invoice | TeamGantt" (a web page's title)
            if not text or any(c.isdigit() for c in text):
                continue
        elif _is_noise(seg, ctx):
            continue
        if not _looks_like_name(text):
            continue
        size = seg.height / median_h
        score = 0.35 + 0.12 * min(size - 1, 1.5) + 0.15 * (0.35 - seg.top) / 0.35
        if _LEGAL.search(seg.text):
            score += 0.15
        nxt = _block_below(layout, seg, max_lines=1)
        if nxt and (_LEGAL_ONLY.match(nxt[0].text.strip()) or nxt[0].text.strip().startswith("(")) \
                and len(nxt[0].text) < 30:
            text = f"{text} {nxt[0].text.strip()}"  # "Wagner & Söhne UG" / "(haftungsbeschränkt)"
        if len(normalise_name(text)) <= 3:
            score -= 0.2  # initials of a logo
        if len(seg.line.segments) >= 3:
            score -= 0.2  # a cell of a table row
        vendors.append((score, seg, text, "header"))
    for seg in layout.segments:  # footer lines: the vendor's legal name
        if seg.top < 0.85 or seg.index in customer_segs:
            continue
        text = _SPLIT.split(seg.text.strip())[0]
        if _LEGAL.search(text) and _looks_like_name(text) and not ctx.labels_of(seg):
            vendors.append((0.45, seg, text, "footer"))
    if vendors:
        scored = []
        for score, seg, name, how in vendors:
            score += 0.3 * _matches_domain(name, domains)
            if customers and normalise_name(name) == normalise_name(customers[0].value):
                score -= 0.5
            scored.append((score, seg, name, how))
        scored.sort(key=lambda v: -v[0])
        score, seg, name, how = scored[0]
        # The same name elsewhere (header and footer, sender line): support.
        same = {s.index for sc, s, n, _h in scored if normalise_name(n) == normalise_name(name)}
        rival = max((sc for sc, s, n, _h in scored[1:] if normalise_name(n) != normalise_name(name)), default=0)
        conf = 35 + 55 * min(score, 1.0)
        if len(same) > 1:
            conf += 8
        if rival > score - 0.1:
            conf = min(conf, 70)
        if not _LEGAL.search(name):
            # The same name with its legal form elsewhere (a logo line over the footer's "PK Consulting Sp. z o.o."):
            # the full legal name is the vendor's name.
            fuller = [(s2, n2) for _sc, s2, n2, _h in scored
                      if normalise_name(n2) == normalise_name(name) and _LEGAL.search(n2)]
            if fuller:
                seg, name = fuller[0]
            elif len(same) > 1:
                conf = min(conf, 84.0)  # no legal form anywhere: is it the whole name?
        start = seg.text.find(name)
        bbox = seg.bbox_of(start, start + len(name)) if start >= 0 else None
        domain = _matches_domain(name, domains) >= 1
        if domain and rival <= score - 0.1:
            conf = max(conf, 87.0)  # the name is the company in the document's own e-mail address or website
        how_found = f"{how}{'+domain' if domain else ''}{'+same' if len(same) > 1 else ''}"
        result["vendor_name"] = Party("vendor_name", name, min(conf, 97.0), seg.page, bbox, seg.confidence,
                                      how_found)
        address = _vendor_address(ctx, seg, name, how, customer_segs)
        if address is not None:
            result["vendor_address"] = address
    return result


def _vendor_address(ctx: Context, seg: Segment, name: str, how: str, customer_segs: set[int]) -> Party | None:
    layout = ctx.layout
    if how == "sender":
        parts = [p.strip() for p in _SPLIT.split(seg.text.strip())[1:] if p.strip()]
        if parts:
            return Party("vendor_address", ", ".join(parts), 60.0, seg.page, seg.bbox_of(0, len(seg.text)),
                         seg.confidence)
        return None
    rest = seg.text[seg.text.find(name) + len(name):].strip(" ,·-–|")
    lines: list[Segment] = []
    texts: list[str] = []
    if rest and (_POSTCODE.search(rest) or _ADDRESS_WORD.search(rest)):
        texts.extend(p.strip() for p in _SPLIT.split(rest) if p.strip() and not _CONTACT.search(p))
        lines.append(seg)
    else:
        for s in _block_below(layout, seg, max_lines=5):
            if s.index in customer_segs or _is_noise(s, ctx) or _TAX_ID_LIKE.match(s.text.strip()):
                break
            text = s.text.strip()
            if not (_POSTCODE.search(text) or _ADDRESS_WORD.search(text) or re.search(r"\d", text)):
                if texts and text[:1].isupper() and len(text.split()) <= 3 and len(text) <= 25 \
                        and _POSTCODE.search(texts[-1]):
                    texts.append(text)  # the country under the post code line
                    lines.append(s)
                    break
                if not texts and len(text.split()) <= 4:
                    continue  # a second name line ("Niederlassung Nord") before the street
                break
            texts.append(text)
            lines.append(s)
            if len(texts) >= 4:
                break
    if not texts:
        return None
    words = [w for s in lines for w in s.words]
    return Party("vendor_address", ", ".join(texts), 60.0, seg.page, union_bbox(words),
                 min(s.confidence for s in lines))
