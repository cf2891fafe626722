"""``seed_demo``: the generator's demo invoices, taken in and processed by the real pipeline; a second run adds
nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from invoices.models import Channel, Invoice, ProcessingAttempt
from invoices.selectors import PIPELINE_STATUSES


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_seed_demo_processes_the_demo_invoices_once():
    from pipeline.generator import demo_invoices

    call_command("create_demo_users", stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_demo", stdout=out, stderr=io.StringIO())
    expected = len(demo_invoices(seed=2025))
    invoices = list(Invoice.objects.all())
    assert len(invoices) == expected >= 10
    assert all(inv.channel == Channel.DEMO for inv in invoices)
    assert {inv.uploaded_by.username for inv in invoices} == {"reviewer", "approver", "admin"}
    # Every one went all the way through: out of the pipeline's working states, timed, with page images.
    assert not [inv.original_name for inv in invoices if inv.status in PIPELINE_STATUSES]
    routed = [inv for inv in invoices if inv.routed_at is not None]
    assert routed and all(inv.processing_ms is not None for inv in routed)
    assert all(inv.page_images for inv in invoices if inv.status != "failed")
    stages = set(ProcessingAttempt.objects.values_list("stage", flat=True))
    assert {"extract", "validate", "route"} <= stages
    assert f"Demo data: {expected} invoice(s) added" in out.getvalue()

    again = io.StringIO()
    call_command("seed_demo", stdout=again, stderr=io.StringIO())
    assert Invoice.objects.count() == expected
    assert f"0 invoice(s) added (nothing new); {expected} already present" in again.getvalue()
