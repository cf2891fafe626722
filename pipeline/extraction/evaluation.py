"""Scoring extraction results against truth (``truth.jsonl``, the format of ../shared/corpus/README.md).

Pure functions over plain dicts: a truth record and the contract's result object (``ExtractionResult.to_dict()``).
``manage.py evaluate`` and ``bench/extraction.py`` run the engine and hand the results here.

What counts
-----------
- Only fields named in the record's ``labelled_fields`` are judged; anything else the engine finds is ignored
  (a null outside that list means "unknown"). A labelled field whose truth is null is *absent from the
  document*: predicting a value for it is a spurious prediction (and a wrong auto-accept if confident), except
  when the truth record carries the value the document implies (``<field>_value``, as the generator writes
  ``subtotal_value``/``amount_due_value``) and the prediction equals it.
- Field **accuracy** = right / labelled fields whose truth is present. **Precision** = right / predictions made
  for labelled fields (wrong values and spurious values both count against it).
- **Key fields** (the ones accounts payable cannot do without): invoice_number, invoice_date, vendor_name,
  currency, total. Key-field accuracy pools them: right / present over all documents.
- **Auto-accept precision**: of the predictions for labelled fields with confidence ≥ the threshold, the share
  that is right. **Auto-accept share**: of the labelled fields whose truth is present, the share that is
  auto-accepted *and* right (what a reviewer never has to look at).
- **Line items** (documents with ``line_items`` labelled): a predicted item matches a truth item when their
  amounts are equal and their descriptions are similar (:func:`description_similarity` ≥ 0.6), or, when the
  truth has no amount, when the descriptions are near-identical (≥ 0.85). Each item matches at most once
  (greedy, best similarity first). Precision/recall/F1 are pooled over the documents' items.
- A document the engine could not read counts every labelled field as missed.

How values compare (:func:`values_match`)
-----------------------------------------
- amounts (subtotal, tax, total, amount_due): equal as Decimals (``"4.1"`` = ``"4.10"``); an unparsable
  prediction is wrong.
- dates: equal as ISO 8601 dates.
- currency: equal ISO 4217 codes, case-insensitively.
- ids (invoice_number, po_number, vendor_tax_id, iban): equal after removing case, spaces and punctuation
  (``"INV-0042"`` = ``"inv 0042"``; ``"DE 123 456 789"`` = ``"DE123456789"``). Nothing else: a missing or
  extra character is wrong.
- names (vendor_name, customer_name): compared as word sequences after folding case and accents, turning
  ``&`` into ``and``, dropping punctuation, and dropping trailing legal forms (GmbH, Ltd, Inc, B.V., SDN BHD…).
  Equal sequences match. So does containment, kept honest: the shorter name must be a contiguous run of whole
  words of the longer and at least half of its words (``"Flipkart"`` ~ ``"Flipkart Internet"``, but not
  ``"Google"`` ~ ``"Google Cloud EMEA"``, and not ``"Invoice from Acme Corp"`` ~ ``"Acme"``).
- vendor_address, payment_terms: equal word sequences after the same folding (line breaks and commas between
  lines do not matter).
"""

from __future__ import annotations

import json
import math
import re
import statistics
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from .types import AMOUNT_FIELDS, DATE_FIELDS, FIELD_NAMES

__all__ = [
    "ID_FIELDS",
    "KEY_FIELDS",
    "NAME_FIELDS",
    "DocumentScore",
    "FieldStats",
    "Report",
    "description_similarity",
    "evaluate_truth_file",
    "format_report",
    "load_truth",
    "match_line_items",
    "name_tokens",
    "run_engine",
    "score_document",
    "summarise",
    "values_match",
]

KEY_FIELDS: tuple[str, ...] = ("invoice_number", "invoice_date", "vendor_name", "currency", "total")
ID_FIELDS: frozenset[str] = frozenset({"invoice_number", "po_number", "vendor_tax_id", "iban"})
NAME_FIELDS: frozenset[str] = frozenset({"vendor_name", "customer_name"})
TEXT_FIELDS: frozenset[str] = frozenset({"vendor_address", "payment_terms"})
DEFAULT_THRESHOLD = 85.0
ITEM_MATCH = 0.6  # description similarity for items with equal amounts
ITEM_MATCH_NO_AMOUNT = 0.85  # when the truth item has no amount to anchor the match

# Legal forms dropped from the end of a name (as folded, punctuation-free words). Multi-word forms first.
_LEGAL_FORMS: tuple[tuple[str, ...], ...] = tuple(
    tuple(f.split())
    for f in sorted(
        [
            "gmbh and co kg", "gmbh co kg", "sdn bhd", "pty ltd", "pte ltd", "pvt ltd", "private limited",
            "sp z o o", "s a s", "s a r l", "s r l", "s p a", "s l u", "s a", "s l", "b v", "n v", "v o f",
            "e k", "e v", "gmbh", "mbh", "ag", "kg", "ohg", "gbr", "ug", "ltd", "limited", "llc", "inc",
            "incorporated", "corp", "corporation", "co", "company", "plc", "llp", "lp", "pty", "pte", "pvt",
            "sa", "sas", "sasu", "sarl", "eurl", "sl", "slu", "srl", "srls", "spa", "snc", "bv", "nv", "vof",
            "bvba", "sprl", "bhd", "sdn", "oy", "oyj", "ab", "as", "aps", "kft", "zrt", "ek", "ev", "cv",
        ],
        key=lambda f: -len(f.split()),
    )
)


# --- normalisation -------------------------------------------------------------------------------------------
def _fold(text: str) -> str:
    """Lower case without accents; ß kept as "ss"."""
    text = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    """Folded words: letters and digits only, ``&`` read as "and"."""
    folded = _fold(text).replace("&", " and ")
    # Dots and apostrophes inside a word join it ("B.V." → "bv", "O'Neil" → "oneil"); other punctuation splits.
    folded = re.sub(r"(?<=\w)[.'’](?=\w)", "", folded)
    return re.findall(r"[^\W_]+", folded)


def name_tokens(text: str) -> list[str]:
    """A company or person name as words, with trailing legal forms (and a leading "the") removed."""
    tokens = words(text)
    changed = True
    while changed and tokens:
        changed = False
        for form in _LEGAL_FORMS:
            n = len(form)
            if len(tokens) > n and tuple(tokens[-n:]) == form:
                tokens = tokens[:-n]
                changed = True
                break
    if len(tokens) > 1 and tokens[0] == "the":
        tokens = tokens[1:]
    return tokens


def _compact(text: str) -> str:
    return re.sub(r"[\W_]+", "", _fold(text)).upper()


def _decimal(text: Any) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _date(text: Any) -> date | None:
    try:
        return date.fromisoformat(str(text).strip()[:10]) if text else None
    except ValueError:
        return None


def _contains_run(long: Sequence[str], short: Sequence[str]) -> bool:
    n = len(short)
    return any(tuple(long[i : i + n]) == tuple(short) for i in range(len(long) - n + 1))


def names_match(truth: str, predicted: str) -> bool:
    a, b = name_tokens(truth), name_tokens(predicted)
    if not a or not b:
        return False
    if a == b:
        return True
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return 2 * len(short) >= len(long) and _contains_run(long, short)


def values_match(name: str, truth: Any, predicted: Any) -> bool:
    """Whether ``predicted`` is the same value as ``truth`` for the contract field ``name`` (rules above)."""
    if truth is None or predicted is None:
        return False
    if name in AMOUNT_FIELDS:
        t, p = _decimal(truth), _decimal(predicted)
        return t is not None and p is not None and t == p
    if name in DATE_FIELDS:
        t, p = _date(truth), _date(predicted)
        return t is not None and p is not None and t == p
    if name == "currency":
        return str(truth).strip().upper() == str(predicted).strip().upper()
    if name in ID_FIELDS:
        t = _compact(str(truth))
        return bool(t) and t == _compact(str(predicted))
    if name in NAME_FIELDS:
        return names_match(str(truth), str(predicted))
    t = words(str(truth))
    return bool(t) and t == words(str(predicted))


# --- line items ----------------------------------------------------------------------------------------------
def description_similarity(a: str, b: str) -> float:
    """0..1: how alike two item descriptions are (folded words; a description cut short still scores well)."""
    wa, wb = " ".join(words(a or "")), " ".join(words(b or ""))
    if not wa or not wb:
        return 1.0 if wa == wb else 0.0
    if wa == wb:
        return 1.0
    ratio = SequenceMatcher(None, wa, wb, autojunk=False).ratio()
    short, long = sorted((wa, wb), key=len)
    if len(short) >= 8 and (long.startswith(short) or long.endswith(short)):
        ratio = max(ratio, 0.9)  # the same description with a second line, or one line of two
    return ratio


def match_line_items(truth: list[dict], predicted: list[dict]) -> list[tuple[int, int]]:
    """Pairs (truth index, predicted index), each item used at most once, best matches first."""
    candidates: list[tuple[float, int, int]] = []
    for i, t in enumerate(truth):
        t_amount = _decimal(t.get("amount"))
        for j, p in enumerate(predicted):
            sim = description_similarity(t.get("description") or "", p.get("description") or "")
            if t_amount is not None:
                if _decimal(p.get("amount")) == t_amount and sim >= ITEM_MATCH:
                    candidates.append((sim, i, j))
            elif sim >= ITEM_MATCH_NO_AMOUNT:
                candidates.append((sim, i, j))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_t: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i not in used_t and j not in used_p:
            used_t.add(i)
            used_p.add(j)
            pairs.append((i, j))
    return sorted(pairs)


# --- one document --------------------------------------------------------------------------------------------
@dataclass(slots=True)
class FieldOutcome:
    name: str
    truth: Any
    predicted: Any  # the value, or None when not predicted
    confidence: float | None
    right: bool  # the prediction is correct (or implied: see the module docstring)

    @property
    def present(self) -> bool:  # the document prints it
        return self.truth is not None

    @property
    def outcome(self) -> str:
        if self.predicted is None:
            return "missing" if self.present else "absent"
        if self.right:
            return "right"
        return "wrong" if self.present else "spurious"


@dataclass(slots=True)
class DocumentScore:
    doc: str
    fields: list[FieldOutcome] = field(default_factory=list)
    items_truth: int = 0
    items_predicted: int = 0
    items_matched: int = 0
    items_labelled: bool = False
    pages: int = 0
    seconds: float | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc": self.doc,
            "error": self.error,
            "pages": self.pages,
            "seconds": self.seconds,
            "fields": {f.name: {"outcome": f.outcome, "truth": f.truth, "predicted": f.predicted,
                                "confidence": f.confidence} for f in self.fields},
            "line_items": {"truth": self.items_truth, "predicted": self.items_predicted,
                           "matched": self.items_matched} if self.items_labelled else None,
        }


def score_document(truth: dict[str, Any], result: dict[str, Any], *, seconds: float | None = None) -> DocumentScore:
    """Judge one result object (the contract's dict) against one truth record."""
    labelled = set(truth.get("labelled_fields") or [])
    score = DocumentScore(doc=str(truth.get("doc", result.get("file", ""))), seconds=seconds,
                          error=result.get("error"), pages=int(result.get("pages") or 0))
    predicted_fields = {} if score.error else (result.get("fields") or {})
    for name in FIELD_NAMES:
        if name not in labelled:
            continue
        t = truth.get(name)
        got = predicted_fields.get(name)
        value = got.get("value") if isinstance(got, dict) else None
        confidence = got.get("confidence") if isinstance(got, dict) else None
        if value is None:
            right = False
        elif t is not None:
            right = values_match(name, t, value)
        else:
            right = values_match(name, truth.get(f"{name}_value"), value)
        score.fields.append(FieldOutcome(name, t, value, None if confidence is None else float(confidence), right))
    if "line_items" in labelled:
        score.items_labelled = True
        t_items = list(truth.get("line_items") or [])
        p_items = [] if score.error else list(result.get("line_items") or [])
        score.items_truth, score.items_predicted = len(t_items), len(p_items)
        score.items_matched = len(match_line_items(t_items, p_items))
    return score


# --- a corpus ------------------------------------------------------------------------------------------------
@dataclass(slots=True)
class FieldStats:
    present: int = 0  # labelled, truth present
    right: int = 0
    wrong: int = 0
    missing: int = 0
    spurious: int = 0  # labelled, truth absent, predicted
    accepted: int = 0  # predictions at or above the threshold
    accepted_right: int = 0
    accepted_right_present: int = 0  # ... of fields the document prints (for the auto-accept share)

    def add(self, f: FieldOutcome, threshold: float) -> None:
        self.present += f.present
        key = f.outcome
        if key != "absent":
            setattr(self, key, getattr(self, key) + 1)
        if f.predicted is not None and f.confidence is not None and f.confidence >= threshold:
            self.accepted += 1
            self.accepted_right += f.right
            self.accepted_right_present += f.right and f.present

    @property
    def predicted(self) -> int:
        return self.right + self.wrong + self.spurious

    @property
    def accuracy(self) -> float | None:
        return _ratio(self.right, self.present)

    @property
    def precision(self) -> float | None:
        return _ratio(self.right, self.predicted)

    @property
    def auto_precision(self) -> float | None:
        return _ratio(self.accepted_right, self.accepted)


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def _percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass(slots=True)
class Report:
    threshold: float
    documents: int
    errors: int
    fields: dict[str, FieldStats]
    key_fields: tuple[str, ...]
    key: FieldStats
    overall: FieldStats
    items_truth: int
    items_predicted: int
    items_matched: int
    items_documents: int
    seconds_per_page: list[float]

    @property
    def key_accuracy(self) -> float | None:
        return self.key.accuracy

    @property
    def field_accuracy(self) -> float | None:
        return self.overall.accuracy

    @property
    def auto_accept_precision(self) -> float | None:
        return self.overall.auto_precision

    @property
    def auto_accept_share(self) -> float | None:
        return _ratio(self.overall.accepted_right_present, self.overall.present)

    @property
    def item_precision(self) -> float | None:
        return _ratio(self.items_matched, self.items_predicted)

    @property
    def item_recall(self) -> float | None:
        return _ratio(self.items_matched, self.items_truth)

    @property
    def item_f1(self) -> float | None:
        if not self.items_documents:
            return None
        denominator = self.items_predicted + self.items_truth
        return 2 * self.items_matched / denominator if denominator else 1.0

    @property
    def median_seconds_per_page(self) -> float | None:
        return statistics.median(self.seconds_per_page) if self.seconds_per_page else None

    @property
    def p95_seconds_per_page(self) -> float | None:
        return _percentile(self.seconds_per_page, 95)

    def to_dict(self) -> dict[str, Any]:
        def stats(s: FieldStats) -> dict[str, Any]:
            return {"present": s.present, "right": s.right, "wrong": s.wrong, "missing": s.missing,
                    "spurious": s.spurious, "accuracy": s.accuracy, "precision": s.precision,
                    "auto_accepted": s.accepted, "auto_accepted_right": s.accepted_right,
                    "auto_accept_precision": s.auto_precision}

        return {
            "documents": self.documents,
            "errors": self.errors,
            "threshold": self.threshold,
            "key_fields": list(self.key_fields),
            "key_field_accuracy": self.key_accuracy,
            "field_accuracy": self.field_accuracy,
            "auto_accept_precision": self.auto_accept_precision,
            "auto_accept_share": self.auto_accept_share,
            "line_items": {"documents": self.items_documents, "truth": self.items_truth,
                           "predicted": self.items_predicted, "matched": self.items_matched,
                           "precision": self.item_precision, "recall": self.item_recall, "f1": self.item_f1},
            "median_ms_per_page": _ms(self.median_seconds_per_page),
            "p95_ms_per_page": _ms(self.p95_seconds_per_page),
            "fields": {name: stats(s) for name, s in self.fields.items()},
        }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def summarise(scores: Iterable[DocumentScore], *, threshold: float = DEFAULT_THRESHOLD,
              key_fields: Sequence[str] = KEY_FIELDS) -> Report:
    scores = list(scores)
    per_field: dict[str, FieldStats] = {}
    key, overall = FieldStats(), FieldStats()
    items = [0, 0, 0, 0]
    seconds_per_page = []
    for s in scores:
        for f in s.fields:
            per_field.setdefault(f.name, FieldStats()).add(f, threshold)
            overall.add(f, threshold)
            if f.name in key_fields:
                key.add(f, threshold)
        if s.items_labelled:
            items[0] += s.items_truth
            items[1] += s.items_predicted
            items[2] += s.items_matched
            items[3] += 1
        if s.seconds is not None and not s.error:
            seconds_per_page.append(s.seconds / max(1, s.pages))
    ordered = {name: per_field[name] for name in FIELD_NAMES if name in per_field}
    return Report(threshold=threshold, documents=len(scores), errors=sum(1 for s in scores if s.error),
                  fields=ordered, key_fields=tuple(key_fields), key=key, overall=overall,
                  items_truth=items[0], items_predicted=items[1], items_matched=items[2], items_documents=items[3],
                  seconds_per_page=seconds_per_page)


# --- reading truth and printing ------------------------------------------------------------------------------
def load_truth(path: Path) -> list[dict[str, Any]]:
    """The records of a truth.jsonl file (blank lines skipped). Raises ValueError naming a bad line."""
    records = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(record, dict) or not record.get("doc"):
            raise ValueError(f"{path}:{number}: a truth record needs a \"doc\"")
        records.append(record)
    return records


def pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


def format_report(report: Report) -> str:
    """A per-field table and a summary, for people."""
    lines = [f"{'field':<16}{'in truth':>9}{'right':>7}{'wrong':>7}{'missing':>8}{'spurious':>9}"
             f"{'accuracy':>10}{'precision':>11}{'auto':>6}{'auto prec.':>12}"]
    for name, s in report.fields.items():
        lines.append(f"{name:<16}{s.present:>9}{s.right:>7}{s.wrong:>7}{s.missing:>8}{s.spurious:>9}"
                     f"{pct(s.accuracy):>10}{pct(s.precision):>11}{s.accepted:>6}{pct(s.auto_precision):>12}")
    lines.append("")
    lines.append(f"documents {report.documents} (unreadable: {report.errors})")
    lines.append(f"key-field accuracy ({', '.join(report.key_fields)}): {pct(report.key_accuracy)} "
                 f"({report.key.right}/{report.key.present})")
    lines.append(f"field accuracy (all labelled fields): {pct(report.field_accuracy)} "
                 f"({report.overall.right}/{report.overall.present})")
    lines.append(f"auto-accept (confidence >= {report.threshold:g}): precision {pct(report.auto_accept_precision)} "
                 f"({report.overall.accepted_right}/{report.overall.accepted}), share of labelled fields "
                 f"{pct(report.auto_accept_share)}")
    if report.items_documents:
        lines.append(f"line items ({report.items_documents} documents): precision {pct(report.item_precision)}, "
                     f"recall {pct(report.item_recall)}, F1 {pct(report.item_f1)} "
                     f"({report.items_matched} matched of {report.items_truth} true, "
                     f"{report.items_predicted} predicted)")
    if report.seconds_per_page:
        lines.append(f"time per page: median {_ms(report.median_seconds_per_page)} ms, "
                     f"p95 {_ms(report.p95_seconds_per_page)} ms")
    return "\n".join(lines)


# --- running an engine over a truth file (the one impure part: reads files, calls the engine) -----------------
ENGINES = ("local", "textract")


def run_engine(data: bytes, *, name: str, engine: str = "local") -> dict[str, Any]:
    """The contract's result object for one file. Never raises: failures become ``{"file", "error"}``."""
    from . import ExtractionResult, extract

    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if not data:
        return {"file": name, "error": "The file is empty."}
    try:
        if engine == "textract":
            from .textract import analyze_expense_bytes

            result = analyze_expense_bytes(data, name=name)
        else:
            result = extract(data, name=name, engine=engine)
    except Exception as exc:  # one bad file must not stop a run over many
        message = str(exc) or type(exc).__name__
        result = ExtractionResult(file=name, error=f"{engine} engine failed: {message}")
    out = result.to_dict()
    out["file"] = name
    return out


def evaluate_truth_file(path: Path, *, engine: str = "local", limit: int | None = None,
                        threshold: float = DEFAULT_THRESHOLD, progress=None) -> tuple[Report, list[DocumentScore]]:
    """Run ``engine`` on every document of a truth.jsonl (paths relative to its folder) and score it."""
    path = Path(path)
    records = load_truth(path)[:limit] if limit else load_truth(path)
    scores = []
    for record in records:
        doc_path = path.parent / record["doc"]
        try:
            data = doc_path.read_bytes()
        except OSError as exc:
            result, seconds = {"file": record["doc"], "error": f"cannot read the file ({exc.strerror})"}, None
        else:
            started = time.perf_counter()
            result = run_engine(data, name=record["doc"], engine=engine)
            seconds = time.perf_counter() - started
        score = score_document(record, result, seconds=seconds)
        scores.append(score)
        if progress is not None:
            progress(score, result)
    return summarise(scores, threshold=threshold), scores
