from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from invoices.models import Invoice
from tests.factories import invoice_pdf, png_bytes

pytestmark = pytest.mark.django_db


def test_imports_files_and_folders_recursively_with_a_summary_per_file(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    one = invoice_pdf(number="IMP-1")
    (tmp_path / "a" / "one.pdf").write_bytes(one)
    (tmp_path / "a" / "b" / "two.png").write_bytes(png_bytes())
    (tmp_path / "a" / "b" / "readme.txt").write_text("not an invoice")
    (tmp_path / "a" / ".hidden.pdf").write_bytes(invoice_pdf(number="HIDDEN"))
    single = tmp_path / "single.pdf"
    single.write_bytes(one)  # the same bytes under another name
    out = StringIO()
    call_command("import_invoices", str(tmp_path / "a"), str(single), stdout=out)
    text = out.getvalue()
    assert "one.pdf: imported as invoice" in text
    assert "two.png: imported as invoice" in text
    assert "readme.txt: refused: This is a text file" in text
    assert "single.pdf: duplicate of invoice" in text
    assert ".hidden" not in text
    assert "4 file(s): 2 imported, 1 duplicate(s), 1 refused." in text
    assert Invoice.objects.filter(channel="import").count() == 2


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        call_command("import_invoices", str(tmp_path / "nope"), stdout=StringIO())
