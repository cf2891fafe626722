"""The Textract engine, asynchronous path: StartExpenseAnalysis / GetExpenseAnalysis through botocore's Stubber.

The results are the real recorded two-page response (../shared/corpus/textract), split into two
GetExpenseAnalysis pages joined by a NextToken, as Textract serves long results.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from django.conf import settings as django_settings

from pipeline.errors import PermanentError, TransientError
from pipeline.extraction import textract

CORPUS = Path(django_settings.BASE_DIR).parent / "shared" / "corpus" / "textract"
MULTIPAGE = CORPUS / "analyzeExpenseResponse-multipage.analyze_expense.json"
if not MULTIPAGE.exists():
    pytest.skip(f"the recorded Textract responses are not at {CORPUS}", allow_module_level=True)

pytestmark = pytest.mark.corpus

JOB_ID = "0c7b3a1f2d9e4b6a8c5d7e9f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b"
INVOICE_ID = uuid.UUID("6f1c2b9e-3d4a-4c8b-9e7f-2a1b3c4d5e6f")


def result_pages() -> list[dict]:
    """The recorded response as two GetExpenseAnalysis pages: one ExpenseDocument (one PDF page) each."""
    recorded = json.loads(MULTIPAGE.read_text())
    assert recorded["JobStatus"] == "SUCCEEDED" and len(recorded["ExpenseDocuments"]) == 2
    common = {k: recorded[k] for k in ("JobStatus", "DocumentMetadata", "AnalyzeExpenseModelVersion")}
    first = {**common, "ExpenseDocuments": recorded["ExpenseDocuments"][:1], "NextToken": "results-page-2"}
    second = {**common, "ExpenseDocuments": recorded["ExpenseDocuments"][1:]}
    return [first, second]


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


def start_params(token: str) -> dict:
    return {
        "DocumentLocation": {"S3Object": {"Bucket": "raw-invoices", "Name": "originals/2025/04/scan.pdf"}},
        "ClientRequestToken": token,
        "JobTag": token,
    }


def test_a_retried_start_sends_the_same_token(client, stub):
    token = textract.job_token(INVOICE_ID, 1)
    # Stubber checks each request against expected_params: both starts must send the identical token.
    # (That Textract then answers with the same JobId is its documented behaviour, replayed here.)
    stub.add_response("start_expense_analysis", {"JobId": JOB_ID}, start_params(token))
    stub.add_response("start_expense_analysis", {"JobId": JOB_ID}, start_params(token))

    ids = [
        textract.start_expense_job(
            bucket="raw-invoices", key="originals/2025/04/scan.pdf", token=textract.job_token(INVOICE_ID, 1),
            client=client,
        )
        for _ in range(2)
    ]

    assert ids == [JOB_ID, JOB_ID]
    assert token == textract.job_token(str(INVOICE_ID), 1)


def test_job_tokens_fit_textract_and_change_with_the_attempt():
    first, second = textract.job_token(INVOICE_ID, 1), textract.job_token(INVOICE_ID, 2)
    assert first != second
    assert first == f"inv-{INVOICE_ID}-a1"
    long_id = "x" * 100
    for token in (first, second, textract.job_token(long_id, 1), textract.job_token("a/b c", 3)):
        assert re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", token)
    assert textract.job_token(long_id, 1) == textract.job_token(long_id, 1) != textract.job_token(long_id, 2)


def test_in_progress_then_succeeded_assembles_every_page(client, stub):
    stub.add_response("get_expense_analysis", {"JobStatus": "IN_PROGRESS"}, {"JobId": JOB_ID})
    first, second = result_pages()
    stub.add_response("get_expense_analysis", first, {"JobId": JOB_ID})
    stub.add_response("get_expense_analysis", second, {"JobId": JOB_ID, "NextToken": "results-page-2"})

    waiting = textract.get_expense_job(JOB_ID, name="scan.pdf", client=client)
    assert (waiting.status, waiting.result, waiting.reason) == (textract.IN_PROGRESS, None, "")

    done = textract.get_expense_job(JOB_ID, name="scan.pdf", client=client)
    assert done.status == textract.SUCCEEDED
    result = done.result
    assert (result.file, result.engine, result.pages) == ("scan.pdf", "textract", 2)
    fields = {name: (f.value, f.page) for name, f in result.fields.items()}
    assert fields["invoice_number"] == ("00000135", 1)  # printed on both pages; shown where it first appears
    assert fields["invoice_date"] == ("2020-03-12", 1)  # "12 March 2020"
    assert fields["po_number"] == ("F0016", 1)
    assert fields["due_date"] == ("2020-03-26", 2)  # "Thursday, 26 March 2020", only on page 2
    assert fields["total"] == ("5715.00", 2)  # "$5,715.00", only on page 2
    assert fields["payment_terms"] == ("14 days", 2)
    assert fields["currency"][0] == "USD"  # Textract's Currency block on the total
    assert fields["vendor_address"][0] == "154-164 The Embarcadero, San Francisco, CA 94105"
    # Eight rows: five on page 1, three on page 2, in document order.
    assert [(item.page, item.quantity, item.amount) for item in result.line_items] == [
        (1, "3", "1350.00"), (1, "4.5", "495.00"), (1, "10", "1100.00"), (1, "6", "660.00"), (1, "4.5", "495.00"),
        (2, "2", "220.00"), (2, "3", "900.00"), (2, "4.5", "495.00"),
    ]
    assert result.line_items[0].description.startswith("ACP101 Accounting Package Annual Subscription")
    # Cross-checks ran on the assembled document: the rows of both pages sum to the total (no subtotal printed).
    assert "line items do not sum to the subtotal" not in result.issues
    assert min(item.confidence for item in result.line_items) >= 95.0
    assert (result.pages_billed, result.cost_usd) == (2, "0.0200")


def test_a_missing_page_of_results_would_show(client, stub):
    """Without following NextToken the page-2 rows would be absent and the cross-check would complain."""
    first, _ = result_pages()
    del first["NextToken"]
    stub.add_response("get_expense_analysis", first, {"JobId": JOB_ID})

    result = textract.get_expense_job(JOB_ID, name="scan.pdf", client=client).result

    assert len(result.line_items) == 5 and "total" not in result.fields


def test_failed_job_gives_the_reason(client, stub):
    # Constructed in the API's shape: no FAILED job was recorded in the corpus.
    stub.add_response(
        "get_expense_analysis",
        {"JobStatus": "FAILED", "StatusMessage": "Request has unsupported document format"},
        {"JobId": JOB_ID},
    )

    state = textract.get_expense_job(JOB_ID, name="scan.pdf", client=client)

    assert (state.status, state.result) == (textract.FAILED, None)
    assert state.reason == "Textract could not analyse the document: Request has unsupported document format"


def test_partial_success_names_the_pages_textract_skipped(client, stub):
    first, second = result_pages()
    first["JobStatus"] = second["JobStatus"] = "PARTIAL_SUCCESS"
    first["Warnings"] = [{"ErrorCode": "INTERNAL_ERROR", "Pages": [3]}]  # constructed, in the API's shape
    stub.add_response("get_expense_analysis", first, {"JobId": JOB_ID})
    stub.add_response("get_expense_analysis", second, {"JobId": JOB_ID, "NextToken": "results-page-2"})

    state = textract.get_expense_job(JOB_ID, name="scan.pdf", client=client)

    assert state.status == textract.SUCCEEDED
    assert "Textract could not analyse page(s) 3 (INTERNAL_ERROR)" in state.result.issues
    assert state.result.fields["total"].value == "5715.00"


def test_throttled_while_paging_is_transient(client, stub):
    first, _ = result_pages()
    stub.add_response("get_expense_analysis", first, {"JobId": JOB_ID})
    stub.add_client_error("get_expense_analysis", service_error_code="ProvisionedThroughputExceededException")

    with pytest.raises(TransientError):
        textract.get_expense_job(JOB_ID, name="scan.pdf", client=client)


@pytest.mark.parametrize("code", ["ThrottlingException", "LimitExceededException", "InternalServerError"])
def test_start_refused_for_now_is_transient(client, stub, code):
    stub.add_client_error("start_expense_analysis", service_error_code=code)
    with pytest.raises(TransientError, match=code):
        textract.start_expense_job(bucket="raw-invoices", key="k.pdf", token="inv-1-a1", client=client)


@pytest.mark.parametrize(
    ("method", "code", "says"),
    [
        ("start_expense_analysis", "InvalidS3ObjectException", "could not read the stored original from S3"),
        ("start_expense_analysis", "UnsupportedDocumentException", "format"),
        ("start_expense_analysis", "BadDocumentException", "damaged"),
        ("get_expense_analysis", "InvalidJobIdException", "expired"),
    ],
)
def test_permanent_job_errors(client, stub, method, code, says):
    stub.add_client_error(method, service_error_code=code)
    with pytest.raises(PermanentError, match=says):
        if method == "start_expense_analysis":
            textract.start_expense_job(bucket="raw-invoices", key="k.pdf", token="inv-1-a1", client=client)
        else:
            textract.get_expense_job(JOB_ID, name="k.pdf", client=client)


def test_poll_delay_backs_off_to_a_minute():
    delays = [textract.poll_delay(n) for n in range(8)]
    assert 4.5 <= delays[0] <= 5.5 and 9 <= delays[1] <= 11
    assert all(54 <= d <= 66 for d in delays[4:])
    assert sum(min(5 * 2**n, 60) for n in range(textract.MAX_POLLS)) >= 30 * 60
