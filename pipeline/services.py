"""The pipeline's services: its steps (``pipeline.steps``), page images, reprocessing, the S3 drop.

Tasks (``pipeline.tasks``), hooks and commands call these; other apps may import them from here.
"""

from __future__ import annotations

from invoices.selectors import InvoiceFilters, invoice_list
from invoices.services import invoices_reprocess

from .pages import run_render_pages
from .steps import (
    RunContext,
    StepOutcome,
    SweepReport,
    apply_rules,
    decide_route,
    revalidate_after_correction,
    run_extract,
    run_route,
    run_validate,
    sweep,
)


def invoices_reprocess_matching(*, filters: InvoiceFilters, user=None, reason: str = "",
                                limit: int | None = None) -> tuple[int, list[str]]:
    """Reprocess every invoice a filter selects (batch reprocess); returns how many were queued and the skips.

    Each one keeps its earlier results (one JSON file per extraction attempt) and its person-set fields.
    """
    ids = invoice_list(filters=filters, ordering="age").values_list("pk", flat=True)
    if limit is not None:
        ids = ids[:limit]
    return invoices_reprocess(invoice_ids=list(ids), user=user, reason=reason)


__all__ = [
    "RunContext",
    "StepOutcome",
    "SweepReport",
    "apply_rules",
    "decide_route",
    "invoices_reprocess_matching",
    "revalidate_after_correction",
    "run_extract",
    "run_render_pages",
    "run_route",
    "run_validate",
    "sweep",
]
