"""``manage.py extract`` and ``manage.py evaluate``: the extraction contract of DESIGN.md, on files made here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from pipeline.extraction.types import AMOUNT_FIELDS, DATE_FIELDS, FIELD_NAMES
from pipeline.generator import generate
from tests.factories import invoice_pdf, png_bytes

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> list[dict]:
    out = StringIO()
    call_command(*args, stdout=out)  # no `db` fixture: pytest-django fails any database access
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def assert_contract(obj: dict) -> None:
    """The shape DESIGN.md gives for a document that could be read."""
    assert set(obj) >= {"file", "engine", "pages", "fields", "line_items", "issues", "timings_ms"}
    assert "error" not in obj
    assert isinstance(obj["engine"], str) and obj["engine"]
    assert isinstance(obj["pages"], int) and obj["pages"] >= 1
    assert set(obj["fields"]) <= set(FIELD_NAMES)
    for name, got in obj["fields"].items():
        assert isinstance(got["value"], str) and got["value"], name
        assert 0 <= got["confidence"] <= 100, name
        if "page" in got:
            assert 1 <= got["page"] <= obj["pages"]
        if "bbox" in got:
            assert len(got["bbox"]) == 4 and all(0 <= x <= 1 for x in got["bbox"]), (name, got["bbox"])
        if name in AMOUNT_FIELDS:
            assert Decimal(got["value"]).is_finite() and "," not in got["value"], (name, got["value"])
        if name in DATE_FIELDS:
            assert date.fromisoformat(got["value"]).isoformat() == got["value"]
        if name == "currency":
            assert len(got["value"]) == 3 and got["value"].isupper()
    for item in obj["line_items"]:
        assert isinstance(item["description"], str)
        assert 0 <= item["confidence"] <= 100
        for key in ("quantity", "unit_price", "amount"):
            if item.get(key) is not None:
                assert Decimal(item[key]).is_finite()
    assert all(isinstance(issue, str) for issue in obj["issues"])
    assert all(isinstance(v, int | float) and v >= 0 for v in obj["timings_ms"].values())


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    generate(seed=3, count=3, kind="digital", out_dir=out)
    return out


def test_extract_prints_one_contract_line_per_file(generated):
    files = sorted(str(p) for p in generated.glob("*.pdf"))
    lines = run("extract", *files)
    assert [line["file"] for line in lines] == files
    for line in lines:
        assert_contract(line)


def test_extract_reads_a_simple_pdf_and_an_image(tmp_path):
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(invoice_pdf())
    png = tmp_path / "page.png"
    png.write_bytes(png_bytes())
    lines = run("extract", str(pdf), str(png))
    assert [line["file"] for line in lines] == [str(pdf), str(png)]
    assert_contract(lines[0])
    assert lines[0]["pages"] == 1


@pytest.mark.parametrize(("name", "content"), [
    ("empty.pdf", b""),
    ("notes.pdf", "Rechnung 42 — this is a text file renamed to .pdf\n".encode() * 20),
    ("locked.pdf", None),  # an encrypted PDF, filled in below
    ("page.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),  # a truncated image
])
def test_unreadable_file_gives_an_error_object_and_the_run_goes_on(tmp_path, name, content):
    bad = tmp_path / name
    bad.write_bytes(invoice_pdf(password="secret") if content is None else content)
    good = tmp_path / "good.pdf"
    good.write_bytes(invoice_pdf())
    lines = run("extract", str(bad), str(good))
    assert lines[0]["file"] == str(bad)
    assert set(lines[0]) == {"file", "error"}
    assert isinstance(lines[0]["error"], str) and len(lines[0]["error"]) > 5
    assert_contract(lines[1])


def test_missing_path_gives_an_error_object(tmp_path):
    lines = run("extract", str(tmp_path / "nope.pdf"))
    assert lines == [{"file": str(tmp_path / "nope.pdf"), "error": "No such file."}]


def test_folders_are_read_recursively_in_name_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.pdf").write_bytes(invoice_pdf(number="B-2"))
    (tmp_path / "a.PDF").write_bytes(invoice_pdf(number="A-1"))
    (tmp_path / "b" / "readme.txt").write_text("not a document")
    (tmp_path / "b" / ".hidden.pdf").write_bytes(b"")
    lines = run("extract", str(tmp_path))
    assert [line["file"] for line in lines] == [str(tmp_path / "a.PDF"), str(tmp_path / "b" / "2.pdf")]


def test_folder_without_documents_is_a_usage_error(tmp_path):
    with pytest.raises(CommandError, match="no documents"):
        run("extract", str(tmp_path))


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    # A database that cannot be reached and no storage: the command must not need either.
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DATABASE_URL="mysql://nobody:x@127.0.0.1:9/nothing",
               AWS_ENDPOINT_URL="http://127.0.0.1:9", DJANGO_ENV="local")
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_extract_runs_from_the_shell_with_no_database(tmp_path):
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(invoice_pdf())
    done = _cli("extract", str(pdf), str(tmp_path / "missing.pdf"))
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert_contract(lines[0])
    assert lines[1]["error"] == "No such file."


def test_extract_without_files_is_a_usage_error():
    done = _cli("extract")
    assert done.returncode != 0
    assert "FILE" in done.stderr


# --- evaluate --------------------------------------------------------------------------------------------------
def test_evaluate_scores_a_generated_truth_file(generated):
    out = StringIO()
    call_command("evaluate", str(generated / "truth.jsonl"), "--json", stdout=out)
    report = json.loads(out.getvalue())
    records = [json.loads(line) for line in (generated / "truth.jsonl").read_text().splitlines()]
    assert report["documents"] == 3 and report["errors"] == 0
    assert report["key_fields"] == ["invoice_number", "invoice_date", "vendor_name", "currency", "total"]
    for name, stats in report["fields"].items():
        assert stats["present"] == sum(1 for r in records if r.get(name) is not None)
        assert stats["right"] + stats["wrong"] + stats["missing"] == stats["present"]
        assert stats["auto_accepted_right"] <= stats["auto_accepted"]
    assert report["line_items"]["truth"] == sum(len(r["line_items"]) for r in records)
    assert report["median_ms_per_page"] is not None
    for key in ("key_field_accuracy", "auto_accept_share"):
        assert 0 <= report[key] <= 1


def test_evaluate_prints_a_table_and_counts_a_missing_document(generated, tmp_path):
    lines = (generated / "truth.jsonl").read_text().splitlines()
    record = json.loads(lines[0])
    record["doc"] = "gone.pdf"
    truth = tmp_path / "truth.jsonl"
    truth.write_text("\n".join([*lines[1:], json.dumps(record)]) + "\n")
    for p in generated.glob("*.pdf"):
        (tmp_path / p.name).write_bytes(p.read_bytes())
    out = StringIO()
    call_command("evaluate", str(truth), "--limit", "3", stdout=out)
    text = out.getvalue()
    assert "documents 3 (unreadable: 1)" in text
    assert "key-field accuracy (invoice_number, invoice_date, vendor_name, currency, total)" in text
    assert "\ntotal " in text and "auto-accept (confidence >= 85)" in text


def test_evaluate_limit_and_threshold(generated):
    out = StringIO()
    with pytest.raises(CommandError, match="threshold"):
        call_command("evaluate", str(generated / "truth.jsonl"), "--threshold", "101", stdout=out)
    call_command("evaluate", str(generated / "truth.jsonl"), "--json", "--limit", "1", "--threshold", "100",
                 stdout=out)
    report = json.loads(out.getvalue())
    assert report["documents"] == 1
    assert report["threshold"] == 100


def test_evaluate_refuses_a_missing_or_broken_truth_file(tmp_path):
    with pytest.raises(CommandError, match="no truth file"):
        call_command("evaluate", str(tmp_path / "truth.jsonl"))
    bad = tmp_path / "truth.jsonl"
    bad.write_text("{not json\n")
    with pytest.raises(CommandError, match="truth.jsonl:1"):
        call_command("evaluate", str(bad))


# --- the Textract engine (botocore's Stubber replaying a recorded response; Textract cannot run here) ------------
@pytest.fixture
def textract_stub():
    from botocore.stub import Stubber

    from invoices import aws

    aws.reset()
    with Stubber(aws.client("textract")) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()
    aws.reset()


@pytest.mark.corpus
def test_extract_with_the_textract_engine(corpus, textract_stub, tmp_path):
    image = corpus / "textract" / "default_invoice_1.png"
    response = json.loads((corpus / "textract" / "default_invoice_1.analyze_expense.json").read_text())
    response.pop("ResponseMetadata", None)
    textract_stub.add_response("analyze_expense", response, {"Document": {"Bytes": image.read_bytes()}})
    lines = run("extract", "--engine", "textract", str(image))
    assert_contract(lines[0])
    assert lines[0]["engine"] == "textract"
    assert lines[0]["fields"]["invoice_number"]["value"] == "123PQR456"
    assert lines[0]["fields"]["total"]["value"] == "6231.09"


def test_textract_refusal_is_an_error_object(textract_stub, tmp_path):
    png = tmp_path / "page.png"
    png.write_bytes(png_bytes())
    textract_stub.add_client_error("analyze_expense", service_error_code="UnsupportedDocumentException",
                                   http_status_code=400)
    lines = run("extract", "--engine", "textract", str(png))
    assert set(lines[0]) == {"file", "error"}
    assert lines[0]["error"].startswith("textract engine failed:")
