"""Routing: rules and per-field confidence thresholds decide review, ready or (when on) automatic approval;
a person's correction re-runs the rules and keeps the queue's counters right."""

from __future__ import annotations

import pytest

from invoices.models import AuditEvent, OutboxEvent, Status
from invoices.services import invoice_correct_fields
from pipeline import services
from tests.pipeline.conftest import fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def validated(make_invoice):
    def make(**overrides):
        invoice = make_invoice(status=Status.EXTRACTED, fields=fields(**overrides))
        services.apply_rules(invoice)
        invoice.status = Status.VALIDATED
        invoice.save()
        return invoice

    return make


def route(invoice):
    with_commit = services.run_route(str(invoice.pk))
    invoice.refresh_from_db()
    return with_commit


def test_a_clean_invoice_is_ready_to_approve(validated, settings):
    settings.PIPELINE_AUTO_APPROVE = False
    invoice = validated()
    assert route(invoice).status == Status.READY
    assert invoice.status == Status.READY and invoice.review_reasons == [] and invoice.status_reason == ""
    assert OutboxEvent.objects.filter(invoice=invoice, event_type="routed").count() == 1


def test_a_failed_rule_sends_it_to_review_with_the_reason(validated):
    invoice = validated(total="120.00")
    route(invoice)
    assert invoice.status == Status.NEEDS_REVIEW
    assert len(invoice.review_reasons) == 1 and invoice.review_reasons[0].startswith("Subtotal 100.00 EUR plus tax")
    assert invoice.status_reason == invoice.review_reasons[0]


def test_a_required_field_below_its_threshold_sends_it_to_review(validated, settings):
    settings.AUTO_ACCEPT_CONFIDENCE = 85
    invoice = validated(total=("119.00", 62.0))
    route(invoice)
    assert invoice.status == Status.NEEDS_REVIEW
    assert invoice.review_reasons == ["The total is uncertain (62% confidence); check it against the document."]


def test_thresholds_are_configurable_per_field(validated, settings):
    settings.AUTO_ACCEPT_CONFIDENCE = 85
    settings.PIPELINE_CONFIDENCE_THRESHOLDS = {"total": 99.0, "iban": 90.0}
    invoice = validated(total=("119.00", 95.0))
    route(invoice)
    assert invoice.status == Status.NEEDS_REVIEW and "The total is uncertain (95% confidence)" in invoice.status_reason
    # A field named in the thresholds is checked even though it is not a required one.
    other = validated(invoice_number="INV-2", subtotal="200.00", tax="38.00", total=("238.00", 99.5),
                      iban=("DE89370400440532013000", 70.0))
    route(other)
    assert other.review_reasons == ["The IBAN is uncertain (70% confidence); check it against the document."]


def test_auto_approval_only_when_switched_on_and_within_the_limit(validated, settings):
    settings.PIPELINE_AUTO_APPROVE = True
    settings.PIPELINE_AUTO_APPROVE_MAX_TOTAL = 0
    invoice = validated()
    route(invoice)
    assert invoice.status == Status.APPROVED and invoice.decided_at is not None and invoice.decided_by is None
    assert AuditEvent.objects.filter(invoice=invoice, action=AuditEvent.Action.APPROVED,
                                     actor_name="pipeline").exists()
    assert OutboxEvent.objects.filter(invoice=invoice, event_type="approved").count() == 1

    settings.PIPELINE_AUTO_APPROVE_MAX_TOTAL = 100
    over = validated(invoice_number="INV-2", subtotal="200.00", tax="38.00", total="238.00")
    route(over)
    assert over.status == Status.READY  # 238.00 is over the limit: a person approves it

    settings.PIPELINE_AUTO_APPROVE = True
    flagged = validated(invoice_number="INV-3", subtotal="50.00", tax="9.50", total="60.00")
    route(flagged)
    assert flagged.status == Status.NEEDS_REVIEW  # never approves what failed a rule


def test_a_correction_reruns_the_rules_and_moves_the_invoice(validated, reviewer, settings):
    settings.PIPELINE_AUTO_APPROVE = True  # corrections never auto-approve
    invoice = validated(total="120.00")
    route(invoice)
    assert invoice.status == Status.NEEDS_REVIEW and invoice.failed_rules == 1
    corrected, _ = invoice_correct_fields(invoice_id=invoice.pk, changes={"total": "119.00"}, user=reviewer,
                                          expected_version=invoice.version)
    corrected.refresh_from_db()
    assert corrected.status == Status.READY
    assert corrected.failed_rules == 0 and corrected.review_reasons == []
    assert corrected.rule_results.get(code="arithmetic.total").passed


def test_a_correction_that_creates_a_duplicate_flags_it(validated, make_invoice, reviewer):
    make_invoice(status=Status.APPROVED, fields=fields(invoice_number="INV-77"))
    invoice = validated(invoice_number="INV-1", total="500.00", subtotal=None, tax=None)
    route(invoice)
    assert invoice.has_duplicates is False
    corrected, _ = invoice_correct_fields(invoice_id=invoice.pk, changes={"invoice_number": "INV-77"},
                                          user=reviewer, expected_version=invoice.version)
    corrected.refresh_from_db()
    assert corrected.has_duplicates is True and corrected.status == Status.NEEDS_REVIEW
    assert any("Probably a duplicate of invoice INV-77" in r for r in corrected.review_reasons)
