"""Choosing one value per field from its candidates, and recording how contested the choice was."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..parsing.text import squash
from ..types import AMOUNT_FIELDS
from .candidates import Candidate

__all__ = ["Pick", "choose", "group_by_value"]


@dataclass(slots=True)
class Pick:
    field: str
    value: str
    best: Candidate
    score: float  # the best candidate's score
    support: int = 1  # candidates from distinct places agreeing on the value
    rival: float = 0.0  # best score of a candidate with another value
    rival_value: str | None = None
    evidence: list[str] = field(default_factory=list)  # cross-checks passed ("arith", "items", ...)
    doubts: list[str] = field(default_factory=list)  # reasons to hold the confidence down
    cap: float = 100.0
    floor: float = 0.0


def _key(name: str, value: str) -> str:
    if name in ("invoice_number", "po_number", "vendor_tax_id", "iban"):
        return squash(value)
    if name in ("vendor_name", "customer_name", "payment_terms", "vendor_address"):
        return squash(value)
    return value


def group_by_value(cands: list[Candidate]) -> dict[str, list[Candidate]]:
    groups: dict[str, list[Candidate]] = {}
    for c in cands:
        groups.setdefault(_key(c.field, c.value), []).append(c)
    return groups


def choose(name: str, cands: list[Candidate]) -> Pick | None:
    if not cands:
        return None
    groups = group_by_value(cands)
    ranked = []
    for key, members in groups.items():
        top = max(c.score for c in members)
        places = {(c.page, round(c.bbox[0], 2), round(c.bbox[1], 2)) if c.bbox else id(c) for c in members}
        support = len(places)
        bonus = min(0.06, 0.03 * (support - 1))
        ranked.append((top + bonus, top, support, key, members))
    best_total = max(r[0] for r in ranked)
    close = [r for r in ranked if r[0] >= best_total - 0.04]
    if len(close) > 1:
        if name in AMOUNT_FIELDS:  # totals come last: the final block wins over earlier mentions
            chosen = max(close, key=lambda r: (max(c.order for c in r[4]), r[0]))
        else:
            chosen = max(close, key=lambda r: (r[0], -min(c.order for c in r[4])))
    else:
        chosen = max(ranked, key=lambda r: r[0])
    _total, top, support, key, members = chosen
    best = max(members, key=lambda c: (c.score, c.order if name in AMOUNT_FIELDS else -c.order))
    rivals = [r for r in ranked if r[3] != key]
    rival = max((r[1] for r in rivals), default=0.0)
    rival_value = max(rivals, key=lambda r: r[1])[4][0].value if rivals else None
    return Pick(name, best.value, best, top, support, rival, rival_value)
