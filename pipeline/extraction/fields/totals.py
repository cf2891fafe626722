"""The totals block: subtotal, tax, total and amount due chosen together so that they add up.

Each amount field has labelled candidates. The combination whose arithmetic holds
(subtotal − discount + shipping + tax = total; several tax rates summed) and whose labels are strongest wins;
fields in a combination that adds up carry that as evidence for their confidence.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import product

from .candidates import Candidate
from .context import Context
from .select import Pick, choose, group_by_value

__all__ = ["resolve_totals"]

CENT = Decimal("0.01")


def _options(cands: list[Candidate], limit: int = 4) -> list[tuple[Decimal, float, list[Candidate]]]:
    out = []
    for _key, members in group_by_value(cands).items():
        number = members[0].extra.get("number")
        if number is None:
            continue
        out.append((number, max(c.score for c in members), members))
    out.sort(key=lambda o: -o[1])
    return out[:limit]


def _row_amounts(ctx: Context, kinds: tuple[str, ...]) -> dict[str, list[Decimal]]:
    """Rightmost amounts of the rows whose label is one of ``kinds`` (discount, shipping, paid, previous)."""
    from ..parsing.amounts import find_amounts

    out: dict[str, list[Decimal]] = {k: [] for k in kinds}
    for seg in ctx.layout.segments:
        first = ctx.starts_with_label(seg)
        if first is None or first.kind not in kinds:
            continue
        row = [s for s in seg.line.segments if s.left >= seg.left]
        amounts = [m.value for s in row for m in find_amounts(s.text, decimal_sep=ctx.decimal_sep)]
        if amounts:
            out[first.kind].append(amounts[-1])
    return out


def _adjustments(ctx: Context) -> tuple[list[Decimal], list[Decimal]]:
    """Amounts on discount and shipping rows of the totals block."""
    rows = _row_amounts(ctx, ("x_discount", "x_shipping"))
    return rows["x_discount"], rows["x_shipping"]


def resolve_totals(ctx: Context, cands: dict[str, list[Candidate]]) -> dict[str, Pick]:
    picks: dict[str, Pick] = {}
    for name in ("subtotal", "tax", "total", "amount_due"):
        pick = choose(name, cands.get(name, []))
        if pick is not None:
            picks[name] = pick
    subs = _options(cands.get("subtotal", []))
    taxes = _options(cands.get("tax", []))
    totals = _options(cands.get("total", []))
    dues = _options(cands.get("amount_due", []))
    discounts, shipping = _adjustments(ctx)
    extras = [Decimal(0)]
    for d in discounts[-2:]:
        extras.append(-abs(d))
    for s in shipping[-2:]:
        extras.append(s)
        for d in discounts[-2:]:
            extras.append(s - abs(d))
    # Several tax rows (one per rate): their sum is the tax.
    tax_sum = _tax_sum(cands.get("tax", []))
    if tax_sum is not None:
        taxes = taxes + [tax_sum]
    best = None
    consistent_totals: set[Decimal] = set()
    for s, t, tot in product(subs or [None], taxes or [None], totals or [None]):
        if tot is None or (s is None and t is None):
            continue
        sv = s[0] if s else Decimal(0)
        tv = t[0] if t else Decimal(0)
        if s is None and t is not None:
            continue  # tax alone does not prove the total
        for extra in extras:
            if abs(sv + tv + extra - tot[0]) <= CENT and tot[0] != 0:
                if s is not None and t is None and sv != tot[0]:
                    continue
                score = (s[1] if s else 0) + (t[1] if t else 0) + tot[1] - (0.05 if extra else 0)
                if s is not None and t is not None:
                    consistent_totals.add(tot[0])
                # Of several blocks that add up (a per-rate table and the totals), the grand total is the largest.
                key = (tot[0], score)
                if best is None or key > best[0]:
                    best = (key, s, t, tot)
                break
    if best is not None:
        _score, s, t, tot = best
        for name, opt in (("subtotal", s), ("tax", t), ("total", tot)):
            if opt is None:
                continue
            members = opt[2]
            top = max(members, key=lambda c: (c.score, c.order))
            pick = picks.get(name)
            if pick is None or pick.value != top.value:
                pick = Pick(name, top.value, top, opt[1], len(members))
                rivals = [o for o in _options(cands.get(name, []), 8) if o[0] != opt[0]]
                pick.rival = max((o[1] for o in rivals), default=0.0)
                picks[name] = pick
            if opt is tax_sum and name == "tax":
                pick.value = _plain(opt[0])
                pick.best = top
                pick.evidence.append("tax rates summed")
            pick.evidence.append("arith")
            if name == "subtotal" and discounts:
                # With allowances printed, "subtotal" may be before or after them: the sum adds up either way.
                pick.cap = min(pick.cap, 84.0)
            if len(consistent_totals) > 1 and (tot[2][0].relation not in ("inline", "right")
                                               or max(consistent_totals) != tot[0]):
                pick.cap = min(pick.cap, 80.0)  # two blocks add up (a per-rate table and the totals): unsure
    # Amount due = total − amount paid (+ a previous balance): each confirms the other.
    if "total" in picks and "amount_due" in picks and picks["amount_due"].value != picks["total"].value:
        rows = _row_amounts(ctx, ("x_paid", "x_previous"))
        total, due = Decimal(picks["total"].value), Decimal(picks["amount_due"].value)
        for paid in rows["x_paid"][-2:] or [Decimal(0)]:
            for previous in rows["x_previous"][-2:] or [Decimal(0)]:
                if (paid or previous) and total - abs(paid) + previous == due:
                    picks["amount_due"].evidence.append("paid")
                    picks["total"].evidence.append("paid")
                    break
    # Amount due equal to the total: each confirms the other.
    if "total" in picks and dues:
        for number, score, members in dues:
            if _plain(number) == picks["total"].value or number == Decimal(picks["total"].value):
                if "amount_due" not in picks or picks["amount_due"].value != picks["total"].value:
                    top = max(members, key=lambda c: (c.score, c.order))
                    picks["amount_due"] = Pick("amount_due", top.value, top, score, len(members))
                picks["amount_due"].evidence.append("equals total")
                picks["total"].evidence.append("equals amount due")
                break
    return picks


def _tax_sum(cands: list[Candidate]) -> tuple[Decimal, float, list[Candidate]] | None:
    """Tax rows of one block (several rates): distinct rows, adjacent lines, summed."""
    rows: dict[int, Candidate] = {}
    for c in cands:
        if c.segment is None or c.extra.get("number") is None or c.relation not in ("inline", "right"):
            continue
        line = c.segment.line.index
        if line not in rows or c.score > rows[line].score:
            rows[line] = c
    if len(rows) < 2:
        return None
    lines = sorted(rows)
    # the last run of nearby lines
    run = [lines[-1]]
    for idx in reversed(lines[:-1]):
        if run[-1] - idx <= 2:
            run.append(idx)
        else:
            break
    if len(run) < 2:
        return None
    members = [rows[i] for i in run]
    total = sum((c.extra["number"] for c in members), Decimal(0))
    score = min(c.score for c in members) * 0.95
    return (total, score, members)


def _plain(value: Decimal) -> str:
    return format(value, "f")
