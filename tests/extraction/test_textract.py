"""The Textract engine, synchronous path: AnalyzeExpense replayed from real recorded responses.

botocore's Stubber is the only stand-in (Textract cannot run here); it also checks every request we send and
every response we replay against Textract's API model. Responses come from ../shared/corpus/textract.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from pipeline.errors import PermanentError, TransientError
from pipeline.extraction import textract
from pipeline.extraction.textract_mapping import map_expense_response

CORPUS = Path(django_settings.BASE_DIR).parent / "shared" / "corpus" / "textract"
if not (CORPUS / "default_invoice_1.analyze_expense.json").exists():
    pytest.skip(f"the recorded Textract responses are not at {CORPUS}", allow_module_level=True)

pytestmark = pytest.mark.corpus


def recorded(name: str) -> dict:
    response = json.loads((CORPUS / f"{name}.analyze_expense.json").read_text())
    response.pop("ResponseMetadata", None)  # transport metadata, not part of the API's response shape
    return response


def summary_field(response: dict, ftype: str, index: int = 0) -> dict:
    return [f for f in response["ExpenseDocuments"][0]["SummaryFields"] if f["Type"]["Text"] == ftype][index]


def value_bbox(field: dict) -> tuple[float, ...]:
    box = field["ValueDetection"]["Geometry"]["BoundingBox"]
    return (box["Left"], box["Top"], box["Width"], box["Height"])


def min_confidence(field: dict) -> float:
    parts = [field["Type"]["Confidence"], field["ValueDetection"]["Confidence"]]
    if field.get("LabelDetection", {}).get("Text"):
        parts.append(field["LabelDetection"]["Confidence"])
    return min(parts)


@pytest.fixture
def client():
    return boto3.client(
        "textract", region_name="eu-west-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )


@pytest.fixture
def stub(client):
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


@pytest.fixture
def invoice_png() -> bytes:
    return (CORPUS / "default_invoice_1.png").read_bytes()


def test_default_invoice_gives_the_fields_its_readme_states(client, stub, invoice_png):
    response = recorded("default_invoice_1")
    stub.add_response("analyze_expense", response, {"Document": {"Bytes": invoice_png}})

    result = textract.analyze_expense_bytes(invoice_png, name="default_invoice_1.png", client=client)

    assert (result.file, result.engine, result.pages, result.error) == ("default_invoice_1.png", "textract", 1, None)
    number, due, total = result.fields["invoice_number"], result.fields["due_date"], result.fields["total"]
    assert (number.value, due.value, total.value) == ("123PQR456", "2021-01-31", "6231.09")
    for ours, ftype in ((number, "INVOICE_RECEIPT_ID"), (due, "DUE_DATE"), (total, "TOTAL")):
        theirs = summary_field(response, ftype)
        assert ours.page == 1
        assert ours.bbox == pytest.approx(value_bbox(theirs))
        assert ours.confidence == pytest.approx(min_confidence(theirs), abs=0.01)
    # The label "INVOICE #" was read less surely (99.11) than the value (99.63): the weaker signal bounds it.
    assert number.confidence == pytest.approx(99.11, abs=0.01)
    payload = json.loads(json.dumps(result.to_dict()))  # what the pipeline stores
    assert payload["fields"]["total"] == {
        "value": "6231.09", "confidence": 100.0, "page": 1, "bbox": [0.8659, 0.6137, 0.0746, 0.0138],
    }


def test_default_invoice_other_fields_line_items_and_cost(client, stub, invoice_png):
    stub.add_response("analyze_expense", recorded("default_invoice_1"), {"Document": {"Bytes": invoice_png}})

    result = textract.analyze_expense_bytes(invoice_png, name="default_invoice_1.png", client=client)

    values = {name: field.value for name, field in result.fields.items()}
    assert values == {
        "invoice_number": "123PQR456",
        "invoice_date": "2021-01-01",  # printed 01-Jan-2021
        "due_date": "2021-01-31",
        "vendor_address": "123 Some Street\nSome City, XYZ, USA",
        "vendor_tax_id": "12-3456789",  # VENDOR_VAT_NUMBER (TAX_PAYER_ID says the same)
        "customer_name": "XZY Company",
        "po_number": "098ZYX7654",
        "currency": "USD",
        "subtotal": "6169.40",
        "tax": "61.69",
        "total": "6231.09",
        "payment_terms": "30 days",
    }
    # Only a bare "$" says the currency here: USD is a guess (CAD, AUD… print "$" too), kept below auto-accept.
    assert result.fields["currency"].confidence == 50.0
    assert [(i.description, i.quantity, i.unit_price, i.amount) for i in result.line_items] == [
        ("Product 1", "1", "1000", "1000"),
        ("Service 3", None, "2789", "2789"),
        ("Product 2", "2", "106.04", "212.08"),
        ("Product 3", "1", "2168.32", "2168.32"),
    ]
    assert all(item.page == 1 and item.bbox is not None for item in result.line_items)
    # Items sum to the subtotal and subtotal + tax = total: the cross-checks found nothing to report.
    assert result.issues == []
    assert min(item.confidence for item in result.line_items) >= 95.0
    assert (result.pages_billed, result.cost_usd) == (1, "0.0100")
    assert result.to_dict()["pages_billed"] == 1 and result.to_dict()["cost_usd"] == "0.0100"
    assert set(result.timings_ms) == {"textract", "parse"}


def test_cost_follows_the_configured_price(client, stub, invoice_png, settings):
    settings.TEXTRACT_PRICE_PER_PAGE = "0.0015"
    stub.add_response("analyze_expense", recorded("default_invoice_1"), {"Document": {"Bytes": invoice_png}})

    result = textract.analyze_expense_bytes(invoice_png, name="x.png", client=client)

    assert result.cost_usd == "0.0015"
    assert Decimal(result.cost_usd) == textract.price_per_page() * result.pages_billed


def test_cross_checks_run_on_textract_output(client, stub, invoice_png):
    response = recorded("default_invoice_1")
    summary_field(response, "TAX")["ValueDetection"]["Text"] = "$70.00"  # now 6169.40 + 70.00 != 6231.09
    stub.add_response("analyze_expense", response, {"Document": {"Bytes": invoice_png}})

    result = textract.analyze_expense_bytes(invoice_png, name="x.png", client=client)

    assert result.fields["tax"].value == "70.00"
    assert "subtotal + tax != total" in result.issues
    assert max(result.fields[n].confidence for n in ("subtotal", "tax", "total")) <= 70.0


def test_receipt_currency_dates_and_competing_candidates(client, stub):
    """Textract's Currency block, a day/month-ambiguous date, and two different vendor names."""
    response = recorded("receipt")
    data = (CORPUS / "receipt.jpg").read_bytes()
    stub.add_response("analyze_expense", response, {"Document": {"Bytes": data}})

    result = textract.analyze_expense_bytes(data, name="receipt.jpg", client=client)

    fields = result.fields
    assert (fields["subtotal"].value, fields["tax"].value, fields["total"].value) == ("1699.96", "110.50", "1810.46")
    assert fields["currency"].value == "USD"
    # Textract's Currency blocks here carry a code but no confidence: each counts as sure as its amount.
    with_currency = [f for f in response["ExpenseDocuments"][0]["SummaryFields"] if "Currency" in f]
    assert {f["Currency"]["Code"] for f in with_currency} == {"USD"}
    assert fields["currency"].confidence == pytest.approx(max(map(min_confidence, with_currency)), abs=0.01)
    # "12/07/2019" is 12 July or 7 December; nothing else on the receipt settles it.
    assert fields["invoice_date"].value == "2019-12-07"  # the month-first guess for a USD document
    assert fields["invoice_date"].confidence <= 50.0
    assert "the invoice date could be read day-first or month-first" in result.issues
    # MEGA MARKET PLUS (100.0) and MEGA BIGBOK (99.7) are both VENDOR_NAME: shown, but for a person to settle.
    assert fields["vendor_name"].value in {"MEGA MARKET PLUS", "MEGA BIGBOK"}
    assert fields["vendor_name"].confidence <= 60.0
    assert "Textract found 2 different values for the vendor name" in result.issues
    assert [(i.description, i.amount) for i in result.line_items] == [
        ("LG FLATSCREEN 65", "899.99"), ("SONY VIAO I7 6938", "689.99"),
        ("6FT HDMI CABLE BB", "19.99"), ("APPLE TV V4", "89.99"),
    ]


def test_label_repeated_in_the_value_is_removed():
    result = map_expense_response(recorded("test_trp2_expense_sample3"), name="s3.png")
    # Textract read the value of "Invoice #" as "Invoice #1258".
    assert result.fields["invoice_number"].value == "1258"


def test_repeated_totals_agreeing_beat_a_single_different_one():
    """AMOUNT DUE $4,544.65 printed twice vs Charges $5,680.81, all typed TOTAL with equal confidence."""
    result = map_expense_response(recorded("test_trp2_expense_sample4"), name="s4.png")
    assert result.fields["total"].value == "4544.65"
    assert result.fields["total"].confidence <= 60.0
    assert "Textract found 2 different values for the total" in result.issues


def test_keys_the_parser_does_not_know_are_ignored(client, stub, invoice_png):
    """The API model allows Currency on line-item fields; trp's nested schemas would refuse it by default."""
    response = recorded("default_invoice_1")
    cell = response["ExpenseDocuments"][0]["LineItemGroups"][0]["LineItems"][0]["LineItemExpenseFields"][3]
    assert cell["Type"]["Text"] == "PRICE"
    cell["Currency"] = {"Code": "USD", "Confidence": 99.0}
    stub.add_response("analyze_expense", response, {"Document": {"Bytes": invoice_png}})

    result = textract.analyze_expense_bytes(invoice_png, name="x.png", client=client)

    assert result.line_items[0].amount == "1000"
    unknown = recorded("default_invoice_1")
    unknown["ExpenseDocuments"][0]["SummaryFields"][0]["ValueDetection"]["SomethingNew"] = 1
    assert map_expense_response(unknown, name="x.png").fields["total"].value == "6231.09"


def test_default_client_comes_from_invoices_aws(invoice_png):
    from invoices import aws

    aws.reset()
    shared = aws.client("textract")
    with Stubber(shared) as stubber:
        stubber.add_response("analyze_expense", recorded("default_invoice_1"), {"Document": {"Bytes": invoice_png}})
        result = textract.analyze_expense_bytes(invoice_png, name="x.png")
        stubber.assert_no_pending_responses()
    aws.reset()
    assert result.fields["invoice_number"].value == "123PQR456"


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("ThrottlingException", 400),
        ("ProvisionedThroughputExceededException", 400),
        ("InternalServerError", 500),
    ],
)
def test_throttling_and_server_errors_are_transient(client, stub, code, status):
    stub.add_client_error("analyze_expense", service_error_code=code, http_status_code=status)
    with pytest.raises(TransientError, match=code):
        textract.analyze_expense_bytes(b"\x89PNG\r\n\x1a\n", name="x.png", client=client)


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("BadDocumentException", "damaged"),
        ("UnsupportedDocumentException", "PNG, JPEG, TIFF and PDF"),
        ("DocumentTooLargeException", "too large"),
        ("InvalidS3ObjectException", "S3"),
        ("AccessDeniedException", "IAM"),
    ],
)
def test_documents_textract_cannot_read_are_permanent_with_a_clear_message(client, stub, code, says):
    stub.add_client_error("analyze_expense", service_error_code=code, service_message="(AWS's text)")
    with pytest.raises(PermanentError, match=says) as caught:
        textract.analyze_expense_bytes(b"%PDF-1.7 broken", name="x.pdf", client=client)
    assert "AWS's text" not in str(caught.value)  # people get our explanation; the log keeps Textract's
    assert caught.value.__cause__.response["Error"]["Code"] == code


def test_too_large_for_the_sync_api_is_refused_before_calling(client, stub):
    with pytest.raises(PermanentError, match="too large"):
        textract.analyze_expense_bytes(b"0" * (10 * 1024 * 1024 + 1), name="big.png", client=client)
    # no response was queued and none was asked for: the fixture's assert_no_pending_responses would see one


def test_unreachable_textract_is_transient():
    """A real connection to a closed local port, not a mock: botocore raises EndpointConnectionError."""
    client = boto3.client(
        "textract", region_name="eu-west-1", endpoint_url="http://127.0.0.1:9",
        aws_access_key_id="testing", aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=2),
    )
    with pytest.raises(TransientError, match="could not be reached"):
        textract.analyze_expense_bytes(b"\x89PNG\r\n\x1a\n", name="x.png", client=client)


# --- the auto policy ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("engine", ["local", "textract"])
def test_explicit_engine_is_used_as_is(settings, engine):
    settings.EXTRACTION_ENGINE = engine
    assert textract.choose_engine(file_kind="pdf", page_count=1, has_text_layer=True) == engine
    assert textract.choose_engine(file_kind="jpeg", page_count=1, has_text_layer=None) == engine


@pytest.mark.parametrize(
    ("file_kind", "pages", "text_layer", "raw_bucket", "expected"),
    [
        ("pdf", 1, True, "raw", "local"),  # born-digital: exact text for free
        ("pdf", 3, True, "raw", "local"),
        ("jpeg", 1, None, "", "textract"),  # photo: one page goes as bytes, no S3 needed
        ("png", 1, None, "raw", "textract"),
        ("pdf", 1, False, "", "textract"),  # one scanned page
        ("pdf", 4, False, "raw", "textract"),  # multi-page scan, originals in S3
        ("pdf", 4, False, "", "local"),  # multi-page scan but no S3 for the async API
        ("tiff", 11, None, "raw", "local"),  # beyond TEXTRACT_AUTO_MAX_PAGES (10): cost ceiling
    ],
)
def test_auto_policy(settings, file_kind, pages, text_layer, raw_bucket, expected):
    settings.EXTRACTION_ENGINE = "auto"
    settings.RAW_BUCKET = raw_bucket
    assert textract.choose_engine(file_kind=file_kind, page_count=pages, has_text_layer=text_layer) == expected


def test_auto_page_ceiling_is_configurable(settings):
    settings.EXTRACTION_ENGINE, settings.RAW_BUCKET, settings.TEXTRACT_AUTO_MAX_PAGES = "auto", "raw", 20
    assert textract.choose_engine(file_kind="tiff", page_count=11, has_text_layer=None) == "textract"


def test_unknown_engine_setting_is_a_configuration_error(settings):
    settings.EXTRACTION_ENGINE = "texttract"
    with pytest.raises(ImproperlyConfigured, match="texttract"):
        textract.choose_engine(file_kind="pdf", page_count=1, has_text_layer=True)


def test_needs_async():
    assert not textract.needs_async(page_count=1, size_bytes=5_000_000)
    assert textract.needs_async(page_count=2, size_bytes=5_000)
    assert textract.needs_async(page_count=1, size_bytes=11 * 1024 * 1024)


def test_a_page_with_nothing_recognised_is_billed_and_empty(client, stub):
    # Constructed in the API's shape: what AnalyzeExpense answers for a page with no expense content.
    stub.add_response("analyze_expense", {"DocumentMetadata": {"Pages": 1}, "ExpenseDocuments": []})

    result = textract.analyze_expense_bytes(b"\x89PNG\r\n\x1a\n", name="blank.png", client=client)

    assert (result.fields, result.line_items, result.issues, result.error) == ({}, [], [], None)
    assert (result.pages, result.pages_billed, result.cost_usd) == (1, 1, "0.0100")


def test_mapping_does_not_change_the_response():
    response = recorded("analyzeExpenseResponse-multipage")
    before = copy.deepcopy(response)
    map_expense_response(response, name="m.pdf")
    assert response == before
