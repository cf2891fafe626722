"""Each business rule with passing and failing cases, on invoices in the real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from invoices.models import DuplicateDismissal, Status
from pipeline.services import apply_rules
from tests.pipeline.conftest import fields, only, results_by_code

pytestmark = pytest.mark.django_db


def test_a_complete_consistent_invoice_passes_every_rule(checked):
    invoice, results = checked()
    failed = [r for rs in results.values() for r in rs if not r.passed]
    assert failed == []
    assert invoice.failed_rules == 0 and invoice.has_duplicates is False
    for name in ("invoice_number", "invoice_date", "vendor_name", "currency", "total"):
        assert only(results, f"required.{name}").passed


# --- required fields ----------------------------------------------------------------------------------------
def test_a_missing_required_field_fails_with_its_name(checked):
    invoice, results = checked(total=None, subtotal=None, tax=None)
    result = only(results, "required.total")
    assert not result.passed and result.severity == "error"
    assert result.message == "The total was not found on the document; enter it from the invoice."
    assert result.fields == ["total"]
    assert invoice.failed_rules == 1


def test_a_required_date_that_cannot_be_read_fails(checked):
    _, results = checked(invoice_date="31/02/2025")
    result = only(results, "required.invoice_date")
    assert not result.passed and "“31/02/2025” could not be read" in result.message


# --- arithmetic ---------------------------------------------------------------------------------------------
def test_subtotal_plus_tax_must_equal_the_total(checked):
    _, results = checked(total="120.00")
    result = only(results, "arithmetic.total")
    assert not result.passed
    assert result.message.startswith("Subtotal 100.00 EUR plus tax 19.00 EUR is 119.00 EUR, but the total is "
                                     "120.00 EUR (a difference of 1.00 EUR)")


def test_rounding_is_tolerated_per_line_item(checked):
    lines = [{"description": f"item {i}", "amount": "33.33"} for i in range(2)] + [{"description": "x", "amount": "33.34"}]
    _, results = checked(line_items=lines, tax="19.02")  # 100 + 19.02 vs 119.00: 2 cents over 3 lines
    assert only(results, "arithmetic.total").passed
    _, results = checked(tax="19.02")  # the same 2 cents with no line items: one cent allowed
    assert not only(results, "arithmetic.total").passed


def test_line_items_must_add_up_to_the_subtotal(checked):
    good = [{"description": "paper", "amount": "60.00"}, {"description": "toner", "amount": "40.00"}]
    _, results = checked(line_items=good)
    assert only(results, "arithmetic.lines").passed
    short = [{"description": "paper", "amount": "60.00"}, {"description": "toner", "amount": "30.00"}]
    _, results = checked(line_items=short)
    result = only(results, "arithmetic.lines")
    assert not result.passed
    assert "The 2 line items add up to 90.00 EUR, but the subtotal is 100.00 EUR (a difference of 10.00 EUR)" in (
        result.message)


def test_line_items_with_tax_included_may_add_up_to_the_total(checked):
    gross = [{"description": "paper", "amount": "71.40"}, {"description": "toner", "amount": "47.60"}]
    _, results = checked(line_items=gross)
    assert only(results, "arithmetic.lines").passed


def test_a_line_without_an_amount_is_not_added_up(checked):
    _, results = checked(line_items=[{"description": "paper", "amount": "60.00"}, {"description": "note"}])
    assert "arithmetic.lines" not in results


def test_amount_due_equal_to_the_total_passes(checked):
    _, results = checked(amount_due="119.00")
    assert only(results, "arithmetic.amount_due").passed


def test_amount_due_above_the_total_fails(checked):
    _, results = checked(amount_due="219.00")
    result = only(results, "arithmetic.amount_due")
    assert not result.passed and result.severity == "error"
    assert "The amount due (219.00 EUR) is more than the invoice total (119.00 EUR)" in result.message


def test_amount_due_below_the_total_is_flagged_as_partly_paid(checked):
    _, results = checked(amount_due="80.00")
    result = only(results, "arithmetic.amount_due")
    assert not result.passed and result.severity == "warning"
    assert "39.00 EUR is shown as already paid" in result.message


def test_a_credit_note_with_negative_amounts_is_consistent(checked):
    _, results = checked(subtotal="-100.00", tax="-19.00", total="-119.00", amount_due="-119.00")
    assert only(results, "arithmetic.total").passed
    assert only(results, "arithmetic.amount_due").passed


# --- dates --------------------------------------------------------------------------------------------------
def test_an_invoice_date_in_the_future_fails(checked):
    later = (timezone.localdate() + timedelta(days=30)).isoformat()
    _, results = checked(invoice_date=later, due_date=None)
    result = only(results, "dates.invoice_date")
    assert not result.passed and result.severity == "error" and "is in the future" in result.message


def test_tomorrow_is_tolerated_for_time_zones(checked):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    _, results = checked(invoice_date=tomorrow, due_date=None)
    assert only(results, "dates.invoice_date").passed


def test_an_implausibly_old_invoice_date_is_flagged(checked, settings):
    settings.PIPELINE_MAX_INVOICE_AGE_DAYS = 730
    old = (timezone.localdate() - timedelta(days=800)).isoformat()
    _, results = checked(invoice_date=old, due_date=None)
    result = only(results, "dates.invoice_date")
    assert not result.passed and result.severity == "warning"
    assert "is more than 2 years ago" in result.message


def test_a_due_date_before_the_invoice_date_fails(checked):
    today = timezone.localdate()
    _, results = checked(invoice_date=(today - timedelta(days=5)).isoformat(),
                         due_date=(today - timedelta(days=6)).isoformat())
    result = only(results, "dates.due_date")
    assert not result.passed and "is before the invoice date" in result.message
    _, results = checked(invoice_date=(today - timedelta(days=5)).isoformat(),
                         due_date=(today - timedelta(days=5)).isoformat())
    assert only(results, "dates.due_date").passed


# --- currency -----------------------------------------------------------------------------------------------
def test_an_unknown_currency_code_fails(checked):
    _, results = checked(currency="EUX")
    result = only(results, "currency.iso")
    assert not result.passed and "“EUX” is not an ISO 4217 currency code" in result.message
    assert only(results, "required.currency").passed  # present; its validity is the currency rule's finding


def test_yen_amounts_have_no_minor_units(checked):
    _, results = checked(currency="JPY", subtotal="1000", tax="100", total="1100.50")
    result = only(results, "currency.minor_units")
    assert not result.passed
    assert "JPY amounts have no decimal places, but the total is 1,100.5 JPY" in result.message
    _, results = checked(currency="JPY", subtotal="1000", tax="100", total="1100")
    assert only(results, "currency.minor_units").passed


def test_three_decimal_currencies_accept_three_decimals(checked):
    _, results = checked(currency="KWD", subtotal="100.125", tax="5.000", total="105.125")
    assert only(results, "currency.minor_units").passed
    _, results = checked(currency="EUR", subtotal="100.125", tax="5.00", total="105.125")
    assert not only(results, "currency.minor_units").passed


# --- tax ID and IBAN ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("tax_id", ["DE136695976", "ATU13585627", "GB980780684", "NL004495445B01", "12-3456789"])
def test_valid_tax_ids_pass(checked, tax_id):
    _, results = checked(vendor_tax_id=tax_id)
    assert only(results, "checksum.tax_id").passed, results["checksum.tax_id"][0].message


def test_a_tax_id_with_a_wrong_check_digit_fails(checked):
    _, results = checked(vendor_tax_id="DE136695977")
    result = only(results, "checksum.tax_id")
    assert not result.passed
    assert result.message.startswith("The vendor's tax ID DE136695977 is not a valid EU VAT number: its check "
                                     "digits do not match")


def test_a_tax_id_of_unknown_scheme_is_not_judged(checked):
    _, results = checked(vendor_tax_id="123456")
    assert "checksum.tax_id" not in results


def test_iban_checksum(checked):
    _, results = checked(iban="DE89 3704 0044 0532 0130 00")
    assert only(results, "checksum.iban").passed
    _, results = checked(iban="DE89370400440532013001")
    result = only(results, "checksum.iban")
    assert not result.passed and "check digits do not match" in result.message
    assert "DE89370400440532013001" not in result.message  # bank details are masked: DE…3001
    assert "DE…3001" in result.message


def test_an_iban_different_from_the_vendors_approved_invoices_is_a_fraud_risk(checked, make_invoice):
    old = make_invoice(status=Status.APPROVED, fields=fields(invoice_number="OLD-1", iban="DE89370400440532013000"))
    _, results = checked(iban="GB82WEST12345698765432")
    result = only(results, "fraud.iban_changed")
    assert not result.passed
    assert "differs from the one this vendor was paid to before (DE…3000)" in result.message
    assert "confirm the new account with the vendor" in result.message
    invoice, results = checked(invoice_number="INV-2", iban="DE89370400440532013000")
    assert only(results, "fraud.iban_changed").passed
    assert invoice.vendor_id == old.vendor_id


def test_a_vendors_first_iban_is_not_a_change(checked):
    _, results = checked(iban="DE89370400440532013000")
    assert "fraud.iban_changed" not in results


# --- duplicates ---------------------------------------------------------------------------------------------
def test_same_vendor_and_number_is_a_probable_duplicate(checked, make_invoice):
    first = make_invoice(status=Status.READY, fields=fields(invoice_number="inv-1001", total="500.00",
                                                            subtotal=None, tax=None))
    invoice, results = checked()
    result = only(results, "duplicate.number")
    assert not result.passed and result.related_invoice_id == first.pk
    assert "Probably a duplicate of invoice inv-1001" in result.message and "same invoice number" in result.message
    assert invoice.has_duplicates is True and invoice.failed_rules == 1


def test_same_vendor_total_and_date_is_a_probable_duplicate(checked, make_invoice):
    first = make_invoice(status=Status.APPROVED, fields=fields(invoice_number="OTHER-7"))
    invoice, results = checked()
    result = only(results, "duplicate.amount_date")
    assert result.related_invoice_id == first.pk and "same total and date" in result.message
    assert invoice.has_duplicates


def test_other_vendors_rejected_and_dismissed_invoices_are_not_duplicates(checked, make_invoice):
    make_invoice(status=Status.READY, fields=fields(vendor_name="Contoso Ltd"))
    make_invoice(status=Status.REJECTED, fields=fields())
    invoice, results = checked()
    assert only(results, "duplicate").passed and invoice.has_duplicates is False

    flagged = make_invoice(status=Status.NEEDS_REVIEW, fields=fields())
    apply_rules(flagged)
    first_dup = [r for r in flagged.rule_results.all() if not r.passed]
    assert {r.related_invoice_id for r in first_dup} == {invoice.pk}
    DuplicateDismissal.objects.create(invoice=flagged, other=invoice)
    apply_rules(flagged)
    flagged.refresh_from_db()
    assert only(results_by_code(flagged), "duplicate").passed
    assert flagged.has_duplicates is False and flagged.failed_rules == 0
