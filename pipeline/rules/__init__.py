"""The business rules an extracted invoice is checked against. Each module registers its rules in order.

``evaluate(ctx)`` runs them all and returns their findings; ``pipeline.steps.validate`` stores them as
RuleResult rows and keeps the invoice's ``failed_rules`` and ``has_duplicates`` counters right.
"""

from . import arithmetic, currency, dates, duplicates, identifiers, required  # noqa: F401  (registration order)
from .base import RULES, Finding, RuleContext, evaluate

__all__ = ["RULES", "Finding", "RuleContext", "evaluate"]
