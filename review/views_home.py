"""Home: where the work stands (counts by status, today's throughput, processing times, the oldest waiting
invoice) and a small chart of daily volume drawn on the server as inline SVG, with a text alternative."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_GET

from invoices import roles
from invoices.models import Status
from invoices.selectors import home_stats

from .links import review_url

CHART_W, CHART_H, CHART_TOP, CHART_BOTTOM = 560, 160, 16, 28


@dataclass(slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # day, for the axis ("" where the axis skips it to stay legible)
    cx: float  # centre, for the labels
    day: str  # for the table
    title: str  # for the tooltip
    count: int


def volume_chart(daily) -> dict:
    """Bar geometry for ``daily`` [(date, count)], scaled to the largest day (at least 1)."""
    peak = max([n for _, n in daily] + [1])
    slot = CHART_W / max(1, len(daily))
    plot_h = CHART_H - CHART_TOP - CHART_BOTTOM
    bars = []
    for i, (day, n) in enumerate(daily):
        height = plot_h * n / peak
        labelled = (len(daily) - 1 - i) % max(1, round(70 / slot)) == 0  # every ~70 px, always the last day
        bars.append(Bar(x=round(i * slot + slot * 0.15, 1), y=round(CHART_TOP + plot_h - height, 1),
                        width=round(slot * 0.7, 1), height=round(height, 1), cx=round(i * slot + slot / 2, 1),
                        label=f"{day:%d %b}" if labelled else "", day=f"{day:%a %d %b %Y}",
                        title=f"{day:%a %d %b}: {n} invoice{'s' if n != 1 else ''}", count=n))
    return {"bars": bars, "peak": peak, "width": CHART_W, "height": CHART_H, "baseline": CHART_H - CHART_BOTTOM,
            "label_y": CHART_H - 8, "total": sum(n for _, n in daily), "days": len(daily)}


@login_required
@require_GET
def home(request):
    if not roles.can_view(request.user):
        raise PermissionDenied("Your account has no role that may see invoices.")
    stats = home_stats()
    counts = [(value, label, stats.counts.get(value, 0)) for value, label in Status.choices]
    waiting = stats.counts.get(Status.NEEDS_REVIEW, 0) + stats.counts.get(Status.READY, 0)
    in_pipeline = sum(stats.counts.get(s, 0) for s in (Status.RECEIVED, Status.EXTRACTING, Status.EXTRACTED,
                                                        Status.VALIDATING, Status.VALIDATED))
    oldest = stats.oldest_waiting
    return render(request, "review/home.html", {
        "stats": stats,
        "counts": counts,
        "waiting": waiting,
        "in_pipeline": in_pipeline,
        "chart": volume_chart(stats.daily),
        "oldest_url": review_url(oldest.pk) if oldest else "",
    })
