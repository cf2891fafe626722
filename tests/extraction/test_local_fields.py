"""Field finding on small hand-made layouts: labels and their values, distractors, locales, confidence."""

from __future__ import annotations

import pytest

from pipeline.extraction.fields import find_fields
from pipeline.extraction.layout import build_layout
from pipeline.extraction.types import Document, ExtractionResult, Page, Word

H = 0.012  # word height as a fraction of the page
CHAR = 0.0065  # character width


def _doc(*rows: tuple[str, float, float], page: int = 1) -> Document:
    """Words from (text, left, top) rows; words of one row are one segment (a short space between them)."""
    words = []
    for text, left, top in rows:
        x = left
        for token in text.split():
            width = CHAR * len(token)
            words.append(Word(token, x, top, width, H, page))
            x += width + 0.004
    return Document(pages=[Page(1, 595, 842, words)], engine="pdf-text")


def _fields(*rows):
    return find_fields(build_layout(_doc(*rows))).fields


def _value(fields, name):
    return fields[name].value if name in fields else None


def test_label_and_value_in_one_segment_and_to_the_right():
    fields = _fields(
        ("Invoice No.: INV-0042", 0.55, 0.10),
        ("Invoice date", 0.55, 0.12), ("14.03.2025", 0.75, 0.12),
    )
    assert _value(fields, "invoice_number") == "INV-0042"
    assert _value(fields, "invoice_date") == "2025-03-14"
    assert fields["invoice_number"].page == 1
    left, top, width, height = fields["invoice_number"].bbox
    assert 0.55 < left < 0.75 and 0.09 < top < 0.11 and width > 0 and height > 0


def test_header_table_values_below_their_labels():
    fields = _fields(
        ("Invoice Number", 0.10, 0.20), ("Date of Issue", 0.30, 0.20), ("Due Date", 0.50, 0.20),
        ("Customer No.", 0.70, 0.20),
        ("A-1001", 0.10, 0.22), ("02/03/2024", 0.30, 0.22), ("02/04/2024", 0.50, 0.22), ("77123", 0.70, 0.22),
    )
    assert _value(fields, "invoice_number") == "A-1001"
    assert _value(fields, "invoice_date") == "2024-03-02"
    assert _value(fields, "due_date") == "2024-04-02"


def test_distractors_do_not_become_fields():
    fields = _fields(
        ("Order date: 01.03.2025", 0.55, 0.10),
        ("Customer number: 4711", 0.55, 0.12),
        ("Invoice date: 14.03.2025", 0.55, 0.14),
        ("Rechnungsnummer: R-2025-17", 0.55, 0.16),
    )
    assert _value(fields, "invoice_date") == "2025-03-14"
    assert _value(fields, "invoice_number") == "R-2025-17"


def test_totals_that_add_up_are_trusted_and_amount_paid_is_ignored():
    fields = _fields(
        ("Zwischensumme", 0.55, 0.60), ("1.234,56 €", 0.80, 0.60),
        ("MwSt. 19 %", 0.55, 0.62), ("234,57 €", 0.80, 0.62),
        ("Gesamtbetrag", 0.55, 0.64), ("1.469,13 €", 0.80, 0.64),
        ("Bereits bezahlt", 0.55, 0.66), ("500,00 €", 0.80, 0.66),
        ("Zu zahlen", 0.55, 0.68), ("969,13 €", 0.80, 0.68),
    )
    assert _value(fields, "subtotal") == "1234.56"
    assert _value(fields, "tax") == "234.57"
    assert _value(fields, "total") == "1469.13"
    assert _value(fields, "amount_due") == "969.13"
    assert _value(fields, "currency") == "EUR"
    for name in ("subtotal", "tax", "total"):
        assert fields[name].confidence >= 85


def test_two_different_totals_without_arithmetic_are_not_auto_accepted():
    fields = _fields(
        ("Total", 0.55, 0.60), ("120.00", 0.80, 0.60),
        ("Total", 0.55, 0.70), ("99.00", 0.80, 0.70),
    )
    assert "total" in fields
    assert fields["total"].confidence < 85


def test_us_document_reads_dates_month_first():
    fields = _fields(
        ("Invoice date: 03/04/2025", 0.55, 0.10),
        ("Payment due: 04/18/2025", 0.55, 0.12),
        ("Total due", 0.55, 0.60), ("$1,250.00", 0.80, 0.60),
    )
    assert _value(fields, "invoice_date") == "2025-03-04"
    assert _value(fields, "due_date") == "2025-04-18"
    assert _value(fields, "currency") == "USD"


def test_currency_code_wins_over_a_shared_symbol():
    fields = _fields(
        ("Currency: CAD", 0.55, 0.12),
        ("Total", 0.55, 0.60), ("$ 80.00", 0.80, 0.60),
    )
    assert _value(fields, "currency") == "CAD"


def test_customer_iban_and_vat_id_are_not_the_vendors():
    fields = _fields(
        ("Acme Tools GmbH", 0.08, 0.05),
        ("Bill to", 0.08, 0.20),
        ("Beta Retail Ltd", 0.08, 0.22),
        ("Your VAT no.: DE811569869", 0.08, 0.24),
        ("Debited from your account DE02120300000000202051", 0.08, 0.70),
        ("VAT ID: DE136695976", 0.08, 0.90),
        ("IBAN: DE89 3704 0044 0532 0130 00", 0.08, 0.92),
    )
    assert _value(fields, "iban") == "DE89370400440532013000"
    assert _value(fields, "vendor_tax_id") == "DE136695976"
    assert _value(fields, "customer_name") == "Beta Retail Ltd"
    assert _value(fields, "vendor_name") == "Acme Tools GmbH"


def test_payment_terms_and_po_number():
    fields = _fields(
        ("Purchase order: PO-7781", 0.55, 0.10),
        ("Payment terms: Net 30", 0.55, 0.12),
    )
    assert _value(fields, "po_number") == "PO-7781"
    assert _value(fields, "payment_terms") == "Net 30"


@pytest.mark.parametrize("text, expected", [
    ("Facture n° 2024-118 du 12 mars 2024", ("2024-118", "2024-03-12")),
    ("Rechnung Nr. 5531 vom 03.04.2025", ("5531", "2025-04-03")),
])
def test_number_followed_by_its_date(text, expected):
    fields = _fields((text, 0.08, 0.15))
    assert (_value(fields, "invoice_number"), _value(fields, "invoice_date")) == expected


def test_words_are_only_in_the_result_when_asked_for():
    word = Word("Total", 0.1, 0.2, 0.05, 0.012, 1)
    result = ExtractionResult(file="a.pdf", engine="pdf-text", pages=1, words=[word])
    assert "words" not in result.to_dict()
    assert result.to_dict(words=True)["words"] == [{"text": "Total", "page": 1, "bbox": [0.1, 0.2, 0.05, 0.012]}]


def test_tax_row_with_base_tax_and_gross_gives_the_tax():
    fields = _fields(
        ("Nettobetrag", 0.50, 0.60), ("376,37", 0.84, 0.60),
        ("19,00% MwSt.:", 0.34, 0.62), ("376,37", 0.56, 0.62), ("71,51", 0.71, 0.62), ("447,88", 0.84, 0.62),
        ("Summe gesamt", 0.50, 0.64), ("447,88", 0.84, 0.64),
    )
    assert (_value(fields, "subtotal"), _value(fields, "tax"), _value(fields, "total")) == ("376.37", "71.51", "447.88")


def test_label_column_with_values_below_ignores_the_table_beside_it():
    fields = _fields(
        ("Invoice No.", 0.03, 0.25), ("1", 0.32, 0.25), ("Lunch buffet per person", 0.36, 0.25), ("24", 0.64, 0.25),
        ("580.56", 0.82, 0.25),
        ("IN2377836", 0.03, 0.27), ("2", 0.32, 0.27), ("Logo design", 0.36, 0.27), ("1", 0.64, 0.27),
        ("661.51", 0.82, 0.27),
    )
    assert _value(fields, "invoice_number") == "IN2377836"


def test_period_and_print_dates_are_not_the_invoice_date():
    fields = _fields(
        ("Leistungszeitraum: 01.03.2025 - 31.03.2025", 0.55, 0.10),
        ("Rechnungsdatum: 02.04.2025", 0.55, 0.12),
        ("Druckdatum: 05.04.2025", 0.55, 0.95),
    )
    assert _value(fields, "invoice_date") == "2025-04-02"
