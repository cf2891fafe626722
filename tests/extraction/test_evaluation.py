"""The scorer behind ``manage.py evaluate`` and bench/extraction.py: pure functions over truth and result dicts."""

from __future__ import annotations

import json

import pytest

from pipeline.extraction.evaluation import (
    KEY_FIELDS,
    description_similarity,
    format_report,
    load_truth,
    match_line_items,
    name_tokens,
    score_document,
    summarise,
    values_match,
)


def field(value, confidence=99.0):
    return {"value": value, "confidence": confidence, "page": 1, "bbox": [0.1, 0.1, 0.1, 0.01]}


def result(**fields):
    return {"file": "a.pdf", "engine": "pdf-text", "pages": 1, "fields": fields, "line_items": [], "issues": []}


def truth(labelled, **values):
    return {"doc": "a.pdf", "labelled_fields": labelled, **values}


# --- comparing values -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "t", "p", "same"), [
    ("total", "4.10", "4.1", True),
    ("total", "4.10", "4.11", False),
    ("total", "1234.56", "1,234.56", False),  # the contract says decimal strings: a formatted number is wrong
    ("tax", "0.00", "0", True),
    ("subtotal", "10.00", "-10.00", False),
    ("invoice_date", "2025-03-14", "2025-03-14", True),
    ("invoice_date", "2025-03-14", "2025-14-03", False),
    ("due_date", "2025-03-14", "14.03.2025", False),
    ("currency", "EUR", "eur", True),
    ("currency", "EUR", "USD", False),
    ("invoice_number", "INV-0042", "inv 0042", True),
    ("invoice_number", "INV-0042", "INV-00042", False),
    ("invoice_number", "2025/118", "2025118", True),
    ("invoice_number", "42183017", "421830", False),
    ("vendor_tax_id", "DE123456789", "DE 123 456 789", True),
    ("iban", "DE89370400440532013000", "DE89 3704 0044 0532 0130 00", True),
    ("iban", "DE89370400440532013000", "DE89 3704 0044 0532 0130 01", False),
    ("vendor_name", "Coolblue B.V.", "coolblue bv", True),
    ("vendor_name", "ACME GmbH & Co. KG", "Acme", True),
    ("vendor_name", "Meijer & Visser V.O.F.", "Meijer and Visser", True),
    ("vendor_name", "Müller Bäckerei", "MULLER BACKEREI", True),
    ("vendor_name", "Amazon Web Services", "Amazon Web Services, Inc.", True),
    ("vendor_name", "Flipkart", "Flipkart Internet", True),  # half the words: accepted
    ("vendor_name", "Google Cloud EMEA Limited", "Google", False),  # a third of the words: not
    ("vendor_name", "Acme", "Invoice from Acme Corp", False),
    ("vendor_name", "Acme Tools", "Tools Acme", False),  # order matters
    ("vendor_name", "Acme", "Acmeco", False),  # whole words only
    ("customer_name", "Mulder Software V.O.F.", "Mulder Software", True),
    ("vendor_address", "Wilhelminalaan 75, 4874 JY Breda", "Wilhelminalaan 75\n4874 JY Breda", True),
    ("vendor_address", "Wilhelminalaan 75, 4874 JY Breda", "Wilhelminalaan 75", False),
    ("payment_terms", "Net 30", "net 30.", True),
    ("payment_terms", "Net 30", "Net 60", False),
])
def test_values_match(name, t, p, same):
    assert values_match(name, t, p) is same


@pytest.mark.parametrize("name", ["total", "invoice_date", "currency", "invoice_number", "vendor_name", "iban"])
def test_nothing_matches_a_missing_value(name):
    assert not values_match(name, None, "x")
    assert not values_match(name, "x", None)


def test_unparsable_amount_or_date_is_wrong_not_an_error():
    assert not values_match("total", "10.00", "ten")
    assert not values_match("invoice_date", "2025-03-14", "soon")


def test_name_tokens_drop_trailing_legal_forms_only():
    assert name_tokens("BOOK TA .K (TAMAN DAYA) SDN BHD") == ["book", "ta", "k", "taman", "daya"]
    assert name_tokens("Inc") == ["inc"]  # a name that is only a legal form keeps it
    assert name_tokens("AG Logistics Ltd") == ["ag", "logistics"]


# --- one document -----------------------------------------------------------------------------------------------
def test_only_labelled_fields_are_judged():
    t = truth(["total"], total="10.00", invoice_number="X-1")
    score = score_document(t, result(total=field("10.00"), invoice_number=field("WRONG")))
    assert [(f.name, f.outcome) for f in score.fields] == [("total", "right")]


def test_outcomes_right_wrong_missing_spurious_absent():
    t = truth(["invoice_number", "total", "tax", "due_date", "po_number"],
              invoice_number="A-1", total="10.00", tax="1.00", due_date=None, po_number=None)
    r = result(invoice_number=field("A-1"), total=field("11.00"), due_date=field("2025-01-01"))
    outcomes = {f.name: f.outcome for f in score_document(t, r).fields}
    assert outcomes == {"invoice_number": "right", "total": "wrong", "tax": "missing", "due_date": "spurious",
                        "po_number": "absent"}


def test_value_implied_by_the_document_is_accepted_for_an_absent_field():
    t = truth(["amount_due"], amount_due=None, amount_due_value="10.00")
    assert score_document(t, result(amount_due=field("10.00"))).fields[0].outcome == "right"
    assert score_document(t, result(amount_due=field("9.00"))).fields[0].outcome == "spurious"


def test_unreadable_document_misses_every_labelled_field():
    t = truth(["total", "currency", "line_items"], total="1.00", currency="EUR",
              line_items=[{"description": "x", "amount": "1.00"}])
    score = score_document(t, {"file": "a.pdf", "error": "The PDF is password-protected."})
    assert score.error
    assert {f.outcome for f in score.fields} == {"missing"}
    assert (score.items_truth, score.items_predicted, score.items_matched) == (1, 0, 0)


# --- line items -------------------------------------------------------------------------------------------------
def test_line_items_match_by_amount_and_description():
    t = [{"description": "USB-C kabel 2 m", "amount": "1036.56"},
         {"description": "Logo-ontwerp en huisstijlgids", "amount": "1914.58"},
         {"description": "USB-C kabel 2 m", "amount": "1039.50"}]
    p = [{"description": "USB-C kabel 2 m", "amount": "1039.5"},  # same description, other row's amount
         {"description": "Logo-ontwerp en huisstijl-", "amount": "1914.58"},  # cut short by a line break
         {"description": "Totally different", "amount": "1036.56"},  # right amount, wrong description
         {"description": "USB-C kabel 2 m", "amount": "99.00"}]  # right description, wrong amount
    assert match_line_items(t, p) == [(1, 1), (2, 0)]


def test_each_item_matches_once():
    t = [{"description": "Paper", "amount": "5.00"}]
    p = [{"description": "Paper", "amount": "5.00"}, {"description": "Paper", "amount": "5.00"}]
    assert match_line_items(t, p) == [(0, 0)]


def test_truth_item_without_amount_needs_a_near_identical_description():
    t = [{"description": "Superdrachen", "amount": None}]
    assert match_line_items(t, [{"description": "Superdrachen", "amount": "40.00"}]) == [(0, 0)]
    assert match_line_items(t, [{"description": "Super", "amount": "40.00"}]) == []


def test_description_similarity_bounds():
    assert description_similarity("A4 copy paper", "a4 COPY paper.") == 1.0
    assert description_similarity("A4 copy paper", "Toner cartridge") < 0.6
    assert description_similarity("", "") == 1.0
    assert description_similarity("x", "") == 0.0


# --- a corpus ---------------------------------------------------------------------------------------------------
def corpus_scores():
    docs = [
        (truth(list(KEY_FIELDS) + ["tax", "line_items"], invoice_number="1", invoice_date="2025-01-02",
               vendor_name="Acme Ltd", currency="EUR", total="10.00", tax="1.00",
               line_items=[{"description": "Paper", "amount": "9.00"}, {"description": "Pens", "amount": "1.00"}]),
         {**result(invoice_number=field("1"), invoice_date=field("2025-01-02", 90), vendor_name=field("ACME", 80),
                   currency=field("EUR"), total=field("10.00"), tax=field("2.00", 86)),
          "line_items": [{"description": "Paper", "amount": "9.00"}, {"description": "Ink", "amount": "3.00"},
                         {"description": "Pens", "amount": "1.00"}]}),
        (truth(list(KEY_FIELDS), invoice_number="2", invoice_date="2025-02-03", vendor_name="Beta",
               currency="USD", total="5.00"),
         result(invoice_number=field("3", 50), invoice_date=field("2025-02-03"), currency=field("USD"))),
    ]
    return [score_document(t, r, seconds=0.02) for t, r in docs]


def test_summary_figures():
    report = summarise(corpus_scores(), threshold=85)
    # key fields: doc 1 five right; doc 2 date and currency right, number wrong, vendor and total missing
    assert (report.key.right, report.key.present) == (7, 10)
    assert report.key_accuracy == pytest.approx(0.7)
    assert report.fields["tax"].wrong == 1
    assert report.fields["invoice_number"].accuracy == pytest.approx(0.5)
    # auto-accepted (>= 85): doc 1: number, date, currency, total right, tax wrong; doc 2: date, currency right
    assert (report.overall.accepted_right, report.overall.accepted) == (6, 7)
    assert report.auto_accept_precision == pytest.approx(6 / 7)
    assert report.auto_accept_share == pytest.approx(6 / 11)
    assert (report.items_matched, report.items_truth, report.items_predicted) == (2, 2, 3)
    assert report.item_precision == pytest.approx(2 / 3)
    assert report.item_recall == 1.0
    assert report.item_f1 == pytest.approx(0.8)
    assert report.median_seconds_per_page == pytest.approx(0.02)


def test_threshold_moves_auto_accept():
    strict = summarise(corpus_scores(), threshold=99)
    assert strict.auto_accept_precision == 1.0
    assert strict.overall.accepted == 5


def test_no_line_items_labelled_gives_no_f1():
    report = summarise([score_document(truth(["total"], total="1.00"), result(total=field("1.00")))])
    assert report.item_f1 is None
    assert report.auto_accept_precision == 1.0


def test_report_serialises_and_prints():
    report = summarise(corpus_scores())
    data = json.loads(json.dumps(report.to_dict()))
    assert data["key_field_accuracy"] == pytest.approx(0.7)
    assert data["fields"]["total"]["right"] == 1
    text = format_report(report)
    assert "key-field accuracy (invoice_number, invoice_date, vendor_name, currency, total): 70.0 %" in text
    assert "F1 80.0 %" in text


def test_load_truth_names_the_bad_line(tmp_path):
    path = tmp_path / "truth.jsonl"
    path.write_text('{"doc": "a.pdf", "labelled_fields": []}\n\n{oops\n', encoding="utf-8")
    with pytest.raises(ValueError, match="truth.jsonl:3"):
        load_truth(path)
    path.write_text('{"doc": "a.pdf"}\n', encoding="utf-8")
    assert load_truth(path) == [{"doc": "a.pdf"}]


def test_auto_accept_share_counts_only_fields_the_document_prints():
    t = truth(["total", "amount_due"], total="10.00", amount_due=None, amount_due_value="10.00")
    report = summarise([score_document(t, result(total=field("10.00"), amount_due=field("10.00")))])
    assert report.auto_accept_precision == 1.0  # both right
    assert report.auto_accept_share == 1.0  # 1 of the 1 printed field, not 2 of 1
