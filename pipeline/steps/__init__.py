"""The pipeline's steps, one module each; ``pipeline.tasks`` runs them on Celery workers."""

from .base import EXTRACT, VALIDATE, RunContext, StepOutcome
from .extract import run_extract
from .route import decide_route, revalidate_after_correction, run_route
from .sweep import SweepReport, sweep
from .validate import apply_rules, run_validate

__all__ = [
    "EXTRACT",
    "VALIDATE",
    "RunContext",
    "StepOutcome",
    "SweepReport",
    "apply_rules",
    "decide_route",
    "revalidate_after_correction",
    "run_extract",
    "run_route",
    "run_validate",
    "sweep",
]
