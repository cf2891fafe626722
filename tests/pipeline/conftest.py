"""Helpers for the pipeline's tests: invoices with chosen field values, and their rule results."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone


def fields(**overrides) -> dict:
    """A complete, consistent set of extracted fields dated recently; ``name=None`` leaves a field out."""
    today = timezone.localdate()
    values = {
        "invoice_number": ("INV-1001", 97.0),
        "invoice_date": ((today - timedelta(days=10)).isoformat(), 96.0),
        "due_date": ((today + timedelta(days=20)).isoformat(), 92.0),
        "vendor_name": ("Northwind Traders", 95.0),
        "currency": ("EUR", 99.0),
        "subtotal": ("100.00", 95.0),
        "tax": ("19.00", 95.0),
        "total": ("119.00", 95.0),
    }
    for name, value in overrides.items():
        if value is None:
            values.pop(name, None)
        else:
            values[name] = value if isinstance(value, tuple) else (value, 95.0)
    return values


@pytest.fixture
def checked(make_invoice):
    """``checked(**fields)`` → (invoice, {code: [RuleResult, ...]}) after the rules ran on a fresh invoice."""
    from pipeline.services import apply_rules

    def run(line_items=None, status="extracted", **overrides):
        invoice = make_invoice(status=status, fields=fields(**overrides), line_items=line_items)
        apply_rules(invoice)
        invoice.refresh_from_db()
        return invoice, results_by_code(invoice)

    return run


def results_by_code(invoice) -> dict:
    out: dict = {}
    for result in invoice.rule_results.all():
        out.setdefault(result.code, []).append(result)
    return out


def only(results: dict, code: str):
    assert code in results, f"no result for {code}: {sorted(results)}"
    assert len(results[code]) == 1, results[code]
    return results[code][0]
