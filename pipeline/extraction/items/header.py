"""The items table's header row: which words name which column, and where each column sits.

Column headers are matched against folded text (lower case, no accents) in English, German, French, Spanish,
Dutch and Italian. A header may be written on two or three lines ("Unit Price Excl." over "VAT"), several
headers may run together in one segment ("Quantity Price Each Total (USD)"), and qualifiers such as "excl. VAT",
"HT" or "(EUR)" belong to the column on their left. The result is a list of :class:`Column` spans ordered left
to right, which the row reader maps each value to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..layout import Layout, Line
from ..parsing.text import fold
from ..types import Word

__all__ = ["Column", "Header", "find_headers", "header_kinds"]

# Qualifiers that follow a price or amount header without starting a column of their own.
_TAXWORD = r"(?:vat|tax|taxes|mwst\.?|ust\.?|tva|iva|btw|gst|impuestos|steuern?)"
_QUAL = (
    rf"(?:\s*(?:excl|incl|exkl|inkl|excluding|including|exc|inc|ex|hors|sans|sin|senza|ohne|zzgl|w/o|without|before|"
    rf"with|after|avant|con|iva\s+esclusa)\.?(?:\s*{_TAXWORD})?|\s*(?:net|netto|neto|ht|h\.t\.|ttc|brutto|gross|"
    rf"lordo|bruto)\b\.?)*"
)

# kind → alternatives (folded text). "item" alone names the description; "item no." a position/SKU column.
_KINDS: dict[str, list[str]] = {
    "pos": [
        r"pos\.?(?:\s*-?\s*nr\.?)?", r"position", r"#", r"no\.?", r"n\.", r"riga", r"nr\.?", r"n[°º]", r"num\.?", r"lfd\.?\s*nr\.?",
        r"item\s*(?:no\.?|nr\.?|#|code|number|id)", r"line(?:\s*(?:no\.?|#))?", r"ligne", r"linea", r"regel",
        r"ref\.?", r"reference", r"ref\.?\s*art\.?", r"sku", r"art\.?\s*-?\s*nr\.?", r"artikel\s*-?\s*nr\.?",
        r"artikelnummer", r"article\s*(?:no\.?|nr\.?|#|code)", r"code", r"codice", r"cod\.?", r"codigo",
        r"part\s*(?:no\.?|number|#)", r"product\s*(?:code|no\.?|#|id)", r"model", r"referencia", r"rif\.?",
        r"art\.?", r"nummer", r"artikelnr\.?", r"code\s+article", r"cod\.\s*art\.?", r"codice\s+articolo",
        r"ean", r"upc", r"mat\.?\s*-?\s*nr\.?", r"materialnummer", r"id",
    ],
    "desc": [
        r"description(?:\s+of\s+(?:goods|services|work))?", r"desc\.?", r"descripcion", r"descrizione",
        r"beschreibung", r"artikelbeschreibung", r"leistungsbeschreibung", r"bezeichnung",
        r"artikelbezeichnung", r"designation", r"libelle", r"omschrijving", r"products?(?:\s*/\s*services?)?",
        r"products?\s+(?:and|&)\s+services?", r"services?(?:\s*/\s*products?)?", r"items?(?:\s*/\s*services?)?",
        r"item\s+description", r"articles?", r"artikel(?:\s*/\s*leistung)?", r"articulo", r"articolo",
        r"concepto", r"concept", r"details?", r"particulars", r"prodotto", r"servizio", r"produit",
        r"prestations?", r"leistung(?:en)?", r"text", r"denominazione", r"oggetto", r"goods", r"activity",
        r"task", r"work", r"nom", r"producto", r"dienst(?:verlening)?", r"artikel\s*omschrijving",
        r"benaming", r"servicio", r"(?:charge|product|item|service|article|artikel)\s*name", r"name", r"naam", r"nome",
        r"charges?", r"bezeichnung\s*/\s*beschreibung", r"leistungsbeschreibung", r"\w*beschreibung", r"\w*bezeichnung", r"\w*omschrijving", r"beschrijving",
        r"\w*beschrijving", r"omschr\.?", r"bez\.?", r"descr\.?", r"libelle\s+article", r"detalles?", r"dettagli?", r"concepte", r"voce", r"descrizione\s+(?:articolo|prodotto)", r"nom\s*(?:&|et)\s*designation",
    ],
    "qty": [
        r"qty\.?", r"quantity", r"quant\.?", r"qte\.?", r"quantite", r"menge", r"anzahl", r"anz\.?",
        r"cantidad", r"cant\.?", r"unidades", r"uds\.?", r"aantal", r"quantita", r"qta\.?", r"q\.\s*ta",
        r"hours", r"hrs\.?", r"stunden", r"std\.?", r"heures", r"horas", r"uren", r"ore", r"pcs", r"nb",
        r"nombre", r"days", r"tage", r"dagen", r"units", r"stk\.?", r"stuck", r"aant\.?", r"hoeveelheid",
        r"quantitat?", r"q(?:uan)?ta", r"mng\.?", r"mge\.?", r"qt\.?", r"qtd\.?", r"cdad\.?", r"ctd\.?", r"stuks", r"pieces", r"pzs?\.?", r"pz\.?", r"giorni", r"jours", r"dias",
    ],
    "unit": [
        r"unit", r"uom", r"u/?m", r"u\.\s*m\.", r"einheit", r"eh", r"me", r"unite", r"unidad", r"eenheid",
        r"eenh\.?", r"unita", r"unid\.?", r"measure", r"units?\s+of\s+measure", r"ud\.?",
    ],
    "price": [
        rf"unit\s*price{_QUAL}", rf"price(?:\s*(?:each|per\s+unit|/\s*unit|/\s*einh\.?))?{_QUAL}",
        rf"unit\s*(?:cost|rate){_QUAL}", r"cost", r"rate", rf"einzelpreis{_QUAL}", rf"einzelpr\.?{_QUAL}", rf"e\.?\s*-?\s*pr\.?{_QUAL}", rf"st(?:uck|\.)\s*-?\s*preis{_QUAL}", rf"e\.?\s*-?\s*preis{_QUAL}",
        r"ep", r"stuckpreis", rf"preis(?:\s*/\s*(?:einh(?:eit)?\.?|stk\.?|st\.?)|\s+(?:pro|je)\s+einheit)?{_QUAL}",
        rf"prix\s+unit(?:aire)?\.?{_QUAL}", rf"prix{_QUAL}", rf"p\.\s?u\.?{_QUAL}", rf"pu{_QUAL}",
        rf"precio(?:\s+unit(?:ario)?\.?|\s+ud\.?|\s+por\s+unidad)?{_QUAL}", rf"prijs(?:\s+per\s+(?:eenheid|stuk))?{_QUAL}",
        rf"stukprijs{_QUAL}", rf"eenheidsprijs{_QUAL}", r"tarief", rf"prezzo(?:\s+unit(?:ario)?\.?)?{_QUAL}",
        r"importe\s+unitario", r"net\s+price", r"list\s+price", r"each", r"tarif", r"tarifa", r"satz",
        r"stundensatz", r"hourly\s+rate", r"tarif\s+horaire", r"pvp", rf"p\.\s*unit(?:ario|aire|\.)?{_QUAL}", rf"prix\s+u\.?{_QUAL}", rf"preu{_QUAL}",
    ],
    "amount": [
        rf"amount{_QUAL}", rf"line\s+(?:total|amount){_QUAL}", rf"total{_QUAL}", rf"totals{_QUAL}",
        r"net\s+amount", rf"ext(?:\.|ended)?\s*(?:price|amount|total){_QUAL}", r"extended", rf"betrag{_QUAL}",
        rf"gesamt(?:preis|betrag|summe)?{_QUAL}", rf"summe{_QUAL}", rf"montant{_QUAL}", rf"prix\s+total{_QUAL}",
        rf"importe{_QUAL}", rf"bedrag{_QUAL}", rf"totaal(?:\s*bedrag)?{_QUAL}", rf"importo{_QUAL}",
        rf"totale{_QUAL}", r"net", r"netto", r"neto", r"value", r"wert", r"sum", rf"subtotal{_QUAL}",
        r"sous\s*-?\s*total", r"valor", r"valeur", r"gross", r"brutto", r"lordo", r"bruto", r"amt\.?",
        rf"line\s+value{_QUAL}", r"nettobetrag", rf"\w*totaal{_QUAL}", rf"\w*betrag{_QUAL}", rf"\w*bedrag{_QUAL}",
        rf"\w*summe{_QUAL}", rf"g\.?\s*-?\s*preis{_QUAL}", rf"regel\s*totaal{_QUAL}", rf"zeilen\s*summe{_QUAL}",
        rf"total\s+(?:line|price|ligne|linea|riga){_QUAL}", rf"importe\s+(?:total|neto|linea){_QUAL}",
        rf"importo\s+(?:totale|netto|riga){_QUAL}", rf"montant\s+(?:total|ligne|net){_QUAL}", r"bruttobetrag", r"gesamtpreis", r"positionswert",
    ],
    "vat": [
        rf"{_TAXWORD}(?:\s*(?:%|rate|satz|code|cat\.?))?", r"%\s*" + _TAXWORD, r"taux(?:\s+tva)?", r"aliquota", r"aliq\.?(?:\s*iva)?",
        r"tasa", r"tarief\s+btw", r"steuersatz", r"ust\.?\s*-?\s*satz", r"mwst\.?\s*-?\s*satz", r"tax\s+rate",
    ],
    "disc": [
        r"discount(?:\s*%)?", r"disc\.?(?:\s*%)?", r"rabatt(?:\s*%)?", r"remise(?:\s*%)?", r"descuento",
        r"dto\.?(?:\s*%)?", r"korting", r"sconto", r"nachlass", r"rab\.?",
    ],
    "date": [
        r"date", r"datum", r"fecha", r"data", r"shipment\s+date", r"lieferdatum", r"period", r"periode",
        r"(?:service|billing|delivery)\s+(?:period|date)", r"(?:leistungs|liefer|abrechnungs)\s*-?\s*(?:zeitraum|datum)",
        r"zeitraum", r"periodo", r"periode\s+de\s+service", r"from", r"to", r"von", r"bis",
    ],
}

# Kinds that decide whether a line is an items header, and the value columns.
CORE = ("desc", "qty", "price", "amount")
NUMERIC = frozenset({"qty", "price", "amount", "vat", "disc"})


def _build() -> re.Pattern[str]:
    alts = []
    for kind, patterns in _KINDS.items():
        for p in patterns:
            alts.append((kind, p))
    # The most specific patterns first (longest shortest match), so that "unit price" wins over "unit" and
    # "product code" over "product".
    from re import _parser as sre_parse  # type: ignore[attr-defined]

    alts.sort(key=lambda kp: (-sre_parse.parse(kp[1]).getwidth()[0], -len(kp[1])))
    groups = []
    names: dict[str, str] = {}
    for i, (kind, p) in enumerate(alts):
        name = f"g{i}"
        names[name] = kind
        groups.append(f"(?P<{name}>{p})")
    regex = re.compile(r"(?<![\w#])(?:" + "|".join(groups) + r")(?![\w])")
    _GROUP_KIND.update(names)
    return regex


_GROUP_KIND: dict[str, str] = {}
_HEADER_RE = _build()


def _word_filter() -> tuple[frozenset[str], tuple[str, ...]]:
    """Cheap test for "could this word start a header term": the terms' leading letters and trailing stems."""
    starts: set[str] = {"vat", "tax", "mws", "ust", "tva", "iva", "btw", "gst", "imp", "ste", "%", "#"}
    ends: set[str] = set()
    for patterns in _KINDS.values():
        for p in patterns:
            if p.startswith("\\w*"):
                m = re.match(r"[a-z]+", p[3:])
                if m:
                    ends.add(m.group(0))
                continue
            m = re.match(r"[a-z]+", p)
            if m and len(m.group(0)) >= 3:
                starts.add(m.group(0)[:3])
    # Terms shorter than three letters, or whose pattern starts with less: their usual spellings.
    starts |= {"no", "nr", "n°", "nº", "n.", "ep", "eh", "me", "id", "nb", "ud", "um", "u/m", "u.m", "pu", "p.u",
               "p.", "e-p", "e.p", "g-p", "qt", "q.t", "qta", "q.", "pz", "pzs", "st", "stk", "mge", "ex", "ext"}
    return frozenset(starts), tuple(sorted(ends))


_STARTS, _ENDS = _word_filter()
_SHORT = frozenset(t for t in _STARTS if len(t) == 2 and not t.isalpha()) | {"#", "%"}
_TOKEN_EDGE = re.compile(r"^[^\w#%]+|[^\w%]+$")


def _may_be_term(folded_word: str) -> bool:
    token = _TOKEN_EDGE.sub("", folded_word)
    if not token:
        return False
    return token[:3] in _STARTS or token in _STARTS or token[:2] in _SHORT or token.endswith(_ENDS)
_WORD_START = re.compile(r"(?<![\w#%])[\w#%]")


def header_kinds(folded: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of every column-header term in folded text, left to right."""
    out = []
    pos = 0
    n = len(folded)
    # Try the big alternation only where a word starts: far fewer attempts than scanning every character.
    while pos < n:
        start = _WORD_START.search(folded, pos)
        if start is None:
            break
        p = start.start()
        m = _HEADER_RE.match(folded, p)
        if m is None or m.end() == p:
            pos = p + 1
            continue
        out.append((_GROUP_KIND[m.lastgroup or ""], p, m.end()))
        pos = m.end()
    return out


@dataclass(slots=True, eq=False)
class Column:
    kind: str  # pos, desc, qty, unit, price, amount, vat, disc, date, other
    left: float
    right: float
    label: str
    words: list[Word] = field(default_factory=list)
    matched: int = 0  # characters of header terms in it

    @property
    def center(self) -> float:
        return (self.left + self.right) / 2


@dataclass(slots=True, eq=False)
class Header:
    page: int
    lines: list[Line]  # the header's lines, top to bottom
    columns: list[Column]  # left to right
    top: float
    bottom: float

    @property
    def first_line(self) -> int:
        return self.lines[0].index

    @property
    def last_line(self) -> int:
        return self.lines[-1].index

    @property
    def left(self) -> float:
        return min(c.left for c in self.columns)

    @property
    def right(self) -> float:
        return max(c.right for c in self.columns)

    def kinds(self) -> set[str]:
        return {c.kind for c in self.columns}

    def column(self, kind: str) -> Column | None:
        """The column of a kind; for amounts the rightmost (the line total comes last)."""
        found = [c for c in self.columns if c.kind == kind]
        if not found:
            return None
        return found[-1] if kind == "amount" else found[0]


_DIGIT = re.compile(r"\d")


def _columns_of_line(line: Line) -> tuple[list[Column], float] | None:
    """Header columns on one line and the share of its characters that are header terms, or None.

    Terms are matched within each segment: a qualifier ("netto") in the next segment is a column of its own.
    """
    words = [w for seg in line.segments for w in seg.words]
    if not words or len(words) > 32:
        return None
    # Segments with numbers are values, not headers; they may only stand apart (a sidebar on the same line).
    plain = [seg for seg in line.segments if sum(1 for w in seg.words if _DIGIT.search(w.text)) <= 1]
    numbered = [seg for seg in line.segments if seg not in plain]
    if sum(1 for seg in plain for t in seg.folded.split() if _may_be_term(t)) < 2:
        return None  # a header names at least two columns
    columns: list[Column] = []
    for seg in plain:
        owner: list[int | None] = [None] * len(seg.words)
        for kind, start, end in header_kinds(seg.folded):
            idx = [
                i for i, (w, s) in enumerate(zip(seg.words, seg.starts, strict=True))
                if s < end and s + len(w.text) > start and owner[i] is None
            ]
            if not idx:
                continue
            ws = [seg.words[i] for i in idx]
            for i in idx:
                owner[i] = len(columns)
            columns.append(
                Column(kind, min(w.left for w in ws), max(w.right for w in ws), seg.folded[start:end], ws, end - start)
            )
        # Unmatched words join the column on their left in the segment, else on their right, else stand alone.
        for i, w in enumerate(seg.words):
            if owner[i] is not None:
                continue
            target = next((owner[j] for j in range(i - 1, -1, -1) if owner[j] is not None), None)
            if target is None:
                target = next((owner[j] for j in range(i + 1, len(seg.words)) if owner[j] is not None), None)
            if target is None:
                owner[i] = len(columns)
                columns.append(Column("other", w.left, w.right, fold(w.text), [w]))
                continue
            owner[i] = target
            col = columns[target]
            col.words.append(w)
            col.left = min(col.left, w.left)
            col.right = max(col.right, w.right)
        _join_in_segment(columns, owner)
    if not columns:
        return None
    columns.sort(key=lambda c: c.left)
    _drop_far_left(columns)
    if not columns:
        return None
    left, right = min(c.left for c in columns), max(c.right for c in columns)
    if any(seg.right > left - 0.02 and seg.left < right + 0.02 for seg in numbered):
        return None  # numbers among the column names: a row of values
    if sum(1 for c in columns for w in c.words if _DIGIT.search(w.text)) > 1:
        return None
    share = sum(c.matched for c in columns) / max(1, sum(len(w.text) for c in columns for w in c.words))
    return columns, share


def _is_header(columns: list[Column], share: float) -> bool:
    kinds = {c.kind for c in columns}
    core = kinds & set(CORE)
    if share < 0.5 or len(core) < 2:
        return False
    if "amount" not in kinds and "price" not in kinds:
        return False
    # The description column (or an unnamed text column) comes before the amounts.
    return "desc" in kinds or ("qty" in kinds and len(columns) >= 3)


def _merge_neighbour(columns: list[Column], line: Line) -> bool:
    """Fold a wrapped header line ("Unit Price" over "Excl. VAT") into the columns; False if it does not fit."""
    lo = min(c.left for c in columns) - 0.02
    hi = max(c.right for c in columns) + 0.02
    # Text far left of the table (a sidebar beside the header) is neither merged nor a reason to stop.
    segments = list(line.segments)
    while segments:
        following = segments[1].left if len(segments) > 1 else lo
        if following - segments[0].right > 0.12 and not header_kinds(segments[0].folded):
            del segments[0]
            continue
        break
    words = [w for s in segments for w in s.words]
    if not words or any(_DIGIT.search(w.text) for w in words):
        return False
    if not any(ch.isalpha() for w in words for ch in w.text):
        return False  # a rule drawn with dashes or equals signs
    # Every segment must sit over (or beside) one of the columns, or name a column of its own.
    placed: list[tuple[Column, list[Word]]] = []
    for seg in segments:
        if (seg.right < lo or seg.left > hi) and not header_kinds(seg.folded):
            return False
        best = None
        best_ov = 0.0
        spanned = 0
        for c in columns:
            ov = min(c.right, seg.right) - max(c.left, seg.left)
            if ov > 0.5 * (c.right - c.left):
                spanned += 1
            if ov > best_ov:
                best, best_ov = c, ov
        if spanned >= 2:
            return False  # one piece of text over two columns is not a wrapped header
        if best is None:
            found = header_kinds(seg.folded)
            if not found:
                return False
            new_kind = found[0][0]
            placed.append((Column(new_kind, seg.left, seg.right, seg.folded, list(seg.words)), []))
            continue
        placed.append((best, list(seg.words)))
    for col, ws in placed:
        if not ws:
            columns.append(col)
            continue
        col.words.extend(ws)
        col.left = min(col.left, min(w.left for w in ws))
        col.right = max(col.right, max(w.right for w in ws))
    columns.sort(key=lambda c: c.left)
    return True


def _reclassify(columns: list[Column]) -> None:
    """A column's kind is its first term read top to bottom, left to right ("Unit Price Excl." / "VAT" → price)."""
    for col in columns:
        ws = sorted(col.words, key=lambda w: (round(w.top, 3), w.left))
        text = " ".join(w.text for w in ws)
        col.label = fold(text)
        found = header_kinds(col.label)
        if found:
            col.kind = found[0][0]


def find_headers(layout: Layout) -> list[Header]:
    """Every line that reads as an items-table header, with its wrapped neighbours, in reading order."""
    out: list[Header] = []
    lines = layout.lines
    lh = layout.line_height or 0.012
    used: set[int] = set()
    for line in lines:
        if line.index in used:
            continue
        got = _columns_of_line(line)
        if got is None or not _is_header(*got):
            continue
        columns, _share = got
        members = [line]
        # Wrapped header lines just above and below.
        for step in (-1, 1):
            k = line.index + step
            edge = line
            while 0 <= k < len(lines) and len(members) < 5:
                nb = lines[k]
                if nb.page != line.page:
                    break
                gap = (edge.top - nb.bottom) if step < 0 else (nb.top - edge.bottom)
                if gap > 0.9 * lh:
                    break
                trial = [Column(c.kind, c.left, c.right, c.label, list(c.words)) for c in columns]
                if not _merge_neighbour(trial, nb):
                    break
                columns = trial
                members.append(nb)
                edge = nb
                k += step
        members.sort(key=lambda ln: ln.index)
        _merge_same(columns)
        _reclassify(columns)
        _tidy(columns)
        if not _is_header(columns, 1.0):
            continue
        used.update(m.index for m in members)
        out.append(
            Header(
                page=line.page, lines=members, columns=columns,
                top=min(m.top for m in members), bottom=max(m.bottom for m in members),
            )
        )
    return out


def _merge_same(columns: list[Column]) -> None:
    """Adjacent columns whose spans overlap are one column (a wrapped label matched twice)."""
    i = 0
    while i + 1 < len(columns):
        a, b = columns[i], columns[i + 1]
        if min(a.right, b.right) - max(a.left, b.left) > 0.3 * min(a.right - a.left, b.right - b.left):
            a.words.extend(b.words)
            a.left, a.right = min(a.left, b.left), max(a.right, b.right)
            del columns[i + 1]
            continue
        i += 1


_CURRENCY_LABEL = re.compile(r"^\(?(?:eur|usd|gbp|chf|sek|nok|dkk|pln|czk|huf|cad|aud|nzd|jpy|inr|€|\$|£)\)?$")


def _tidy(columns: list[Column]) -> None:
    """Drop words of a side column that sit far left of the table, and keep one description column.

    A label of a sidebar or an info block on the same line ("Invoice date", "Factuur nummer") is not a column
    when a wide gap parts it from the table. With two description-like headers ("Item | Description",
    "Product code | Item") the rightmost is the description and the others hold codes or numbers.
    """
    _drop_far_left(columns)
    last = columns[-1] if columns else None
    if last is not None and last.kind == "other" and not any(c.kind == "amount" for c in columns):
        if _CURRENCY_LABEL.match(last.label.strip()):
            last.kind = "amount"  # "Description | Qty | Price | EUR": the line totals are headed by the currency
    prices = [c for c in columns if c.kind == "price"]
    if len(prices) >= 2 and not any(c.kind == "amount" for c in columns):
        prices[-1].kind = "amount"  # "Preis | G-Preis": the second price is the line's total
    descs = [c for c in columns if c.kind == "desc"]
    for c in descs[:-1]:
        c.kind = "pos"


def _join_in_segment(columns: list[Column], owner: list[int | None]) -> None:
    """Two terms of one kind in one segment name one column: "Item Description", "Articolo / Servizio"."""
    ids = []
    for o in owner:
        if o is not None and (not ids or ids[-1] != o):
            ids.append(o)
    for a, b in zip(ids, ids[1:], strict=False):
        ca, cb = columns[a], columns[b]
        if ca.kind == cb.kind and cb.words and ca.words and ca.kind != "other":
            ca.words.extend(cb.words)
            ca.left, ca.right = min(ca.left, cb.left), max(ca.right, cb.right)
            ca.matched += cb.matched
            cb.words = []
    columns[:] = [c for c in columns if c.words]


def _drop_far_left(columns: list[Column]) -> None:
    while len(columns) > 2 and columns[0].kind not in CORE:
        gap = columns[1].left - columns[0].right
        if gap > 0.12 or (columns[0].kind == "other" and gap > 0.04):
            del columns[0]
            continue
        break
