"""The synthetic invoice generator: deterministic, internally consistent, valid files, real variety."""

from __future__ import annotations

import io
import json
import random
from collections import Counter
from decimal import Decimal

import pypdfium2 as pdfium
import pytest
from PIL import Image

from pipeline.extraction.types import FIELD_NAMES
from pipeline.generator import demo_invoices, generate, make_invoice, random_spec, render_invoice
from pipeline.generator.money import CURRENCIES


def pdf_text(data: bytes) -> str:
    doc = pdfium.PdfDocument(data)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def norm(text: str) -> str:
    """Whitespace-insensitive form: PDF text extraction may turn a no-break space into a space, or a line break."""
    return "".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


@pytest.fixture(scope="module")
def specs():
    return [random_spec(random.Random(f"consistency:{i}")) for i in range(120)]


def test_same_seed_gives_identical_files_and_truth(tmp_path):
    a = generate(seed=7, count=6, kind="mixed", out_dir=tmp_path / "a")
    b = generate(seed=7, count=6, kind="mixed", out_dir=tmp_path / "b")
    assert [x.name for x in a] == [x.name for x in b]
    assert [x.data for x in a] == [x.data for x in b]
    assert (tmp_path / "a" / "truth.jsonl").read_bytes() == (tmp_path / "b" / "truth.jsonl").read_bytes()


def test_other_seed_gives_other_invoices(tmp_path):
    a = generate(seed=1, count=3, out_dir=tmp_path / "a")
    b = generate(seed=2, count=3, out_dir=tmp_path / "b")
    assert [x.truth["invoice_number"] for x in a] != [x.truth["invoice_number"] for x in b]


def test_document_does_not_depend_on_count():
    assert make_invoice(3, 4).data == make_invoice(3, 4).data
    assert make_invoice(3, 4).truth == make_invoice(3, 4).truth


def test_truth_record_has_the_corpus_format(tmp_path):
    made = generate(seed=11, count=5, out_dir=tmp_path)
    lines = (tmp_path / "truth.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5
    for line, inv in zip(lines, made, strict=True):
        rec = json.loads(line)
        assert rec["doc"] == inv.name and (tmp_path / rec["doc"]).is_file()
        assert rec["source"] == "generator"
        assert set(rec["labelled_fields"]) == {*FIELD_NAMES, "line_items"}
        for name in FIELD_NAMES:
            assert name in rec
        assert rec["invoice_number"] and rec["invoice_date"] and rec["vendor_name"] and rec["total"]
        assert rec["currency"] in CURRENCIES
        for item in rec["line_items"]:
            assert set(item) == {"description", "quantity", "unit_price", "amount"}


def test_amounts_add_up(specs):
    for s in specs:
        minor = Decimal(1).scaleb(-CURRENCIES[s.currency].minor)
        assert s.subtotal == sum(ln.amount for ln in s.lines)
        for ln in s.lines:
            assert ln.amount == ln.amount.quantize(minor)
            factor = (100 - ln.discount_pct) / Decimal(100) if ln.discount_pct else 1
            assert ln.amount == (ln.quantity * ln.unit_price * factor).quantize(minor, rounding="ROUND_HALF_UP")
        for t in s.tax_lines:
            assert t.amount == (t.base * t.rate / 100).quantize(minor, rounding="ROUND_HALF_UP")
        if s.tax is not None:
            assert s.tax == sum(t.amount for t in s.tax_lines)
        expected_base = s.subtotal - (s.discount or 0) + (s.shipping or 0)
        if s.tax_mode in ("vat", "vat_mixed", "reverse_charge", "gst") and s.tax_lines:
            assert sum(t.base for t in s.tax_lines) == expected_base or s.tax_mode == "gst"
        assert s.total == s.subtotal - (s.discount or 0) + (s.shipping or 0) + (s.tax or 0)
        assert s.amount_due == s.total - (s.amount_paid or 0) + (s.previous_balance or 0)
        for value in (s.subtotal, s.total, s.amount_due, s.tax or Decimal(0)):
            assert value == value.quantize(minor)


def test_truth_amounts_match_spec_and_identities(specs):
    for s in specs:
        t = s.truth("x.pdf", "pdf/born-digital")
        total = Decimal(t["total"])
        assert total == s.total
        if t["subtotal"] is not None:
            subtotal = Decimal(t["subtotal"])
            assert subtotal == sum(Decimal(i["amount"]) for i in t["line_items"])
            assert total == subtotal - Decimal(t["discount"] or 0) + Decimal(t["shipping"] or 0) + Decimal(
                t["tax"] or 0
            )
        if t["amount_due"] is not None:
            assert Decimal(t["amount_due"]) == total - Decimal(t["amount_paid"] or 0) + Decimal(
                t["previous_balance"] or 0
            )
        if CURRENCIES[s.currency].minor == 0:
            assert "." not in t["total"]
        else:
            assert len(t["total"].split(".")[1]) == CURRENCIES[s.currency].minor


def test_dates_are_consistent(specs):
    for s in specs:
        if s.due_date:
            assert s.due_date > s.invoice_date
        if s.order_date:
            assert s.order_date < s.invoice_date
        if s.delivery_date:
            assert s.delivery_date <= s.invoice_date


def test_iban_and_vat_ids_have_valid_checksums(specs):
    from stdnum import iban, vatin

    for s in specs:
        if s.bank and s.bank.iban:
            assert iban.is_valid(s.bank.iban)
        tid = s.vendor.tax_id
        if tid and tid[:2].isalpha() and tid[:2] not in ("CH",) and s.vendor.country not in ("JP",):
            assert vatin.is_valid(tid if tid[:2] == s.vendor.country or s.vendor.country != "ES" else "ES" + tid), tid


def test_digital_pdfs_carry_number_and_total_in_their_text_layer():
    for i in range(40):
        inv = make_invoice(21, i, "digital")
        doc = pdfium.PdfDocument(inv.data)
        assert len(doc) == inv.truth["pages"] >= 1
        doc.close()
        text = norm(pdf_text(inv.data))
        assert norm(inv.spec.invoice_number) in text, inv.name
        assert norm(inv.spec.formatted_total) in text, (inv.name, inv.spec.formatted_total)
        assert inv.truth["doc_kind"] == "pdf/born-digital"


def test_scans_are_valid_images_or_image_only_pdfs_without_text(tmp_path):
    made = generate(seed=5, count=8, kind="scan", out_dir=tmp_path)
    seen = Counter()
    for inv in made:
        assert inv.scan is not None
        fmt = inv.scan.format
        seen[fmt] += 1
        data = inv.path.read_bytes()
        assert len(data) < 10 * 1024 * 1024  # the intake's size limit
        if fmt == "pdf":
            assert data.startswith(b"%PDF")
            assert inv.doc_kind == "pdf/no-extractable-text"
            doc = pdfium.PdfDocument(data)
            assert len(doc) == inv.truth["pages"]
            doc.close()
            assert pdf_text(data).strip() == ""
        else:
            im = Image.open(io.BytesIO(data))
            assert im.format == {"jpeg": "JPEG", "png": "PNG", "tiff": "TIFF"}[fmt]
            frames = getattr(im, "n_frames", 1)
            assert frames == inv.truth["pages"]
            im.load()
            assert min(im.size) > 500
            assert inv.doc_kind.startswith("image/")
    assert len(seen) >= 2


def test_multi_page_invoices_carry_forward_and_total_on_last_page():
    spec = random_spec(random.Random("multipage"), locale="de-DE", n_lines=40)
    data = render_invoice(spec)
    doc = pdfium.PdfDocument(data)
    pages = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    doc.close()
    assert len(pages) >= 2
    assert norm(spec.formatted_total) in norm(pages[-1])
    assert norm(spec.style.labels["carried_forward"].split("{")[0]) in norm(pages[0])


def test_long_invoices_run_to_three_pages_with_page_numbers():
    from pipeline.generator.locales import LOCALES

    spec = random_spec(random.Random("threepages"), locale="fr-FR", layout="classic", n_lines=75)
    data = render_invoice(spec)
    doc = pdfium.PdfDocument(data)
    pages = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    doc.close()
    assert len(pages) >= 3
    template = spec.style.labels["page"]
    assert template in LOCALES["fr-FR"].labels["page"]
    for n, text in enumerate(pages, start=1):
        assert norm(template.format(n=n, total=len(pages))) in norm(text)
    assert norm(spec.formatted_total) in norm(pages[-1])
    assert all(norm(spec.formatted_total) not in norm(t) for t in pages[:-1])


def test_variety_across_fifty_invoices():
    specs = [random_spec(random.Random(f"variety:{i}")) for i in range(50)]
    assert len({s.style.layout for s in specs}) >= 8
    assert len({s.locale for s in specs}) >= 6
    assert len({s.currency for s in specs}) >= 4
    assert len({s.style.font for s in specs}) >= 4
    assert len({s.style.date_format for s in specs}) >= 6
    assert len({s.tax_mode for s in specs}) >= 4
    assert len({s.style.labels["invoice_number"] for s in specs}) >= 15
    assert len({s.vendor.name for s in specs}) == 50
    assert any(s.due_date is None for s in specs) and any(s.po_number for s in specs)


@pytest.fixture(scope="module")
def demo():
    from pipeline.generator import demo_invoice_set

    return demo_invoice_set(seed=1)


def test_demo_invoices_are_readable_and_varied(demo):
    items = [(d.name, d.data) for d in demo]
    assert 10 <= len(items) <= 16
    names = [n for n, _ in items]
    assert len(set(names)) == len(names)
    scans = 0
    for name, data in items:
        if name.endswith(".pdf"):
            doc = pdfium.PdfDocument(data)
            assert len(doc) >= 1
            has_text = any(doc[i].get_textpage().get_text_range().strip() for i in range(len(doc)))
            doc.close()
            scans += not has_text
        else:
            Image.open(io.BytesIO(data)).load()
            scans += 1
    assert 2 <= scans < len(items) / 2


def test_demo_invoices_include_problems_for_a_reviewer(demo):
    problems = [d for d in demo if d.problem]
    assert len(problems) >= 4
    # the duplicate pair: same vendor, number and total in two different files
    keys = Counter((d.spec.vendor.name, d.spec.invoice_number, d.spec.total) for d in demo)
    assert any(n == 2 for n in keys.values())
    mismatch = next(d for d in demo if "total_mismatch" in d.spec.defects)
    assert norm(mismatch.spec.fmt_money(mismatch.spec.total)) not in norm(pdf_text(mismatch.data))
    no_due = next(d for d in demo if d.problem and "due date" in d.problem)
    assert no_due.spec.due_date is None and no_due.spec.payment_terms is None
    assert demo_invoices(seed=1) == [(d.name, d.data) for d in demo]


def test_management_command_writes_a_corpus(tmp_path):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("generate_invoices", str(tmp_path), "--count", "3", "--seed", "9", "--kind", "digital", stdout=out)
    assert len((tmp_path / "truth.jsonl").read_text().splitlines()) == 3
    assert len(list(tmp_path.glob("*.pdf"))) == 3
    assert "wrote 3 invoices" in out.getvalue()


def printed_forms(spec) -> dict[str, list[str]]:
    """How each non-null truth field must appear in the document's text (any one form per entry)."""
    from pipeline.generator.ids import group_iban
    from pipeline.generator.locales import format_date

    def d(x):
        return format_date(x, spec.style.date_format, spec.locale)

    t = spec.truth("x.pdf", "pdf/born-digital")
    forms: dict[str, list[str]] = {
        "invoice_number": [spec.invoice_number],
        "invoice_date": [d(spec.invoice_date)],
        "vendor_name": [spec.vendor.name],
        "customer_name": [spec.customer.name],
        "total": [spec.fmt_money(spec.total)],
    }
    for i, line in enumerate(spec.vendor.address_lines):
        forms[f"vendor_address[{i}]"] = [line]
    if t["due_date"]:
        forms["due_date"] = [d(spec.due_date)]
    if t["po_number"]:
        forms["po_number"] = [spec.po_number]
    if t["vendor_tax_id"]:
        forms["vendor_tax_id"] = [spec.vendor.tax_id_display]
    if t["subtotal"]:
        forms["subtotal"] = [spec.fmt_money(spec.subtotal)]
    if t["tax"] is not None and len(spec.tax_lines) == 1:
        forms["tax"] = [spec.fmt_money(spec.tax)]
    if t["amount_due"]:
        forms["amount_due"] = [spec.fmt_money(spec.amount_due)]
    if t["payment_terms"]:
        forms["payment_terms"] = [spec.payment_terms]
    if t["iban"]:
        forms["iban"] = [group_iban(spec.bank.iban), spec.bank.iban]
    for i, item in enumerate(spec.lines):
        forms[f"line_items[{i}].description"] = [item.description]
    return forms


def test_every_truth_value_is_printed_in_the_document():
    for i in range(100):
        spec = random_spec(random.Random(f"printed:{i}"))
        raw = pdf_text(render_invoice(spec))
        text = norm(raw)
        for field, options in printed_forms(spec).items():
            assert any(norm(o) in text for o in options), (i, spec.style.layout, field, options)
        if spec.bank and spec.bank.iban:  # an IBAN is never broken over two lines
            from pipeline.generator.ids import group_iban

            raw = raw.replace("\u00a0", " ")
            assert group_iban(spec.bank.iban) in raw or spec.bank.iban in raw, (i, spec.style.layout)


def text_collisions(data: bytes) -> list[tuple]:
    """Characters of different strings drawn over each other, or drawn off the page."""
    from collections import defaultdict

    found = []
    doc = pdfium.PdfDocument(data)
    for p in range(len(doc)):
        page = doc[p]
        width, height = page.get_size()
        tp = page.get_textpage()
        boxes = []
        for i in range(tp.count_chars()):
            if not tp.get_text_range(i, 1).strip():
                continue
            left, bottom, right, top = tp.get_charbox(i)
            if right - left > 0.1 and top - bottom > 0.1:
                boxes.append((left, bottom, right, top, i))
                if left < 0 or right > width + 0.5 or bottom < 0 or top > height:
                    found.append((p + 1, "off page", tp.get_text_range(max(0, i - 8), 16)))
        grid = defaultdict(list)
        for k, (left, bottom, right, top, _i) in enumerate(boxes):
            for gx in range(int(left // 20), int(right // 20) + 1):
                for gy in range(int(bottom // 20), int(top // 20) + 1):
                    grid[(gx, gy)].append(k)
        for cell in grid.values():
            for a in range(len(cell)):
                for b in range(a + 1, len(cell)):
                    A, B = boxes[cell[a]], boxes[cell[b]]
                    if abs(A[4] - B[4]) <= 1:
                        continue
                    w = min(A[2], B[2]) - max(A[0], B[0])
                    h = min(A[3], B[3]) - max(A[1], B[1])
                    small = min((A[2] - A[0]) * (A[3] - A[1]), (B[2] - B[0]) * (B[3] - B[1]))
                    if w > 0 and h > 0 and w * h > 0.25 * small:
                        found.append(
                            (
                                p + 1,
                                "overlap",
                                tp.get_text_range(max(0, A[4] - 8), 16),
                                tp.get_text_range(max(0, B[4] - 8), 16),
                            )
                        )
    doc.close()
    return found


def test_text_never_collides_or_leaves_the_page():
    from pipeline.generator.render import LAYOUTS

    for i in range(40):
        spec = random_spec(
            random.Random(f"collide:{i}"), layout=LAYOUTS[i % len(LAYOUTS)], n_lines=[2, 9, 25, 40][i % 4]
        )
        assert text_collisions(render_invoice(spec)) == [], (i, spec.style.layout, spec.locale)


def test_missing_dejavu_fonts_fall_back_to_builtin_fonts(tmp_path):
    """Without Debian's DejaVu TTFs the generator still works, with reportlab's built-in fonts."""
    import os
    import subprocess
    import sys

    script = """
import random
from pipeline.generator import random_spec, render_invoice
from pipeline.generator.fonts import available, resolve
assert not available("dejavu-sans")
specs = [random_spec(random.Random(i)) for i in range(30)]
assert all(not s.style.font.startswith("dejavu") for s in specs), {s.style.font for s in specs}
spec = specs[0]
spec.style.font = "dejavu-serif"  # a spec made elsewhere, asking for a font this machine lacks
assert resolve("dejavu-serif").key == "times"
assert render_invoice(spec).startswith(b"%PDF")
print("ok")
"""
    env = {**os.environ, "GENERATOR_FONT_DIR": str(tmp_path / "no-fonts-here")}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_no_tax_rate_has_a_negative_base(specs):
    for s in specs:
        assert all(t.base >= 0 for t in s.tax_lines), s.tax_lines


def test_invoice_i_is_the_same_invoice_digital_or_scanned():
    digital = make_invoice(12, 3, "digital")
    scanned = make_invoice(12, 3, "scan")
    keys = [*FIELD_NAMES, "line_items"]
    assert {k: digital.truth[k] for k in keys} == {k: scanned.truth[k] for k in keys}
    assert digital.doc_kind == "pdf/born-digital" and scanned.is_scan
