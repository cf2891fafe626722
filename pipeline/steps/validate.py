"""Validate: run the business rules on an extracted invoice and store their findings."""

from __future__ import annotations

import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone

from invoices.models import Invoice, ProcessingAttempt, RuleResult, Status
from invoices.services.workflow import invoice_set_status

from ..failpoints import failpoint
from ..rules import RuleContext, evaluate
from .base import VALIDATE, RunContext, StepOutcome, claim, fail_run, fenced, finish
from .errors import handle_error, time_limit_reason

logger = logging.getLogger("pipeline")


def run_validate(invoice_id: str, ctx: RunContext) -> StepOutcome:
    run = claim(VALIDATE, invoice_id, ctx)
    if isinstance(run, StepOutcome):
        return run
    try:
        failpoint("validate.rules")
        with fenced(run) as invoice:
            if invoice is None:
                return StepOutcome(invoice_id, ran=False)
            apply_rules(invoice)
            invoice_set_status(invoice, to=Status.VALIDATED)
            finish(run.attempt, ProcessingAttempt.Outcome.SUCCEEDED)
    except SoftTimeLimitExceeded:
        fail_run(run, reason=time_limit_reason(run, settings.PIPELINE_STEP_SOFT_TIME_LIMIT))
        return StepOutcome(invoice_id, ran=True, status=Status.FAILED)
    except Exception as exc:
        return handle_error(run, exc, ctx, what="the database")
    return StepOutcome(invoice_id, ran=True, status=Status.VALIDATED)


def apply_rules(invoice: Invoice) -> list[RuleResult]:
    """Evaluate every rule on a locked invoice; replace its RuleResults and keep its counters right."""
    ctx = RuleContext(
        invoice=invoice,
        values={f.name: f.value for f in invoice.fields.all()},
        line_items=list(invoice.line_items.all()),
        today=timezone.localdate(),
    )
    findings = evaluate(ctx)
    results = [
        RuleResult(invoice=invoice, code=f.code[:50], severity=f.severity, passed=f.passed, message=f.message,
                   fields=list(f.fields), related_invoice=f.related_invoice)
        for f in findings
    ]
    invoice.rule_results.all().delete()
    RuleResult.objects.bulk_create(results)
    invoice.failed_rules = min(sum(1 for r in results if not r.passed), 32767)
    invoice.has_duplicates = any(not r.passed and r.code.startswith("duplicate") for r in results)
    invoice.save(update_fields=["failed_rules", "has_duplicates", "updated_at"])
    return results
