"""The upload page: sign-in required, several files at once, a clear message for each refused file."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from invoices.models import Invoice
from tests.factories import invoice_pdf

pytestmark = pytest.mark.django_db


def outcomes(html: str) -> dict[str, str]:
    """What the page says about each file, by file name, as plain text."""
    items = re.findall(r'<li class="outcome[^"]*">(.*?)</li>', html, re.S)
    plain = [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]
    return {text.split(" ", 1)[0].rstrip(":"): text for text in plain}


def test_upload_page_requires_sign_in(client):
    response = client.get(reverse("upload"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_signed_in_user_without_a_role_may_not_upload(client, nobody):
    client.force_login(nobody)
    assert client.get(reverse("upload")).status_code == 403


def test_several_files_at_once_each_get_their_own_outcome(client, reviewer, settings):
    settings.MAX_UPLOAD_BYTES = 10 * 1024 * 1024
    client.force_login(reviewer)
    good = invoice_pdf(number="GOOD-1")
    files = [
        SimpleUploadedFile("good.pdf", good, "application/pdf"),
        SimpleUploadedFile("empty.pdf", b"", "application/pdf"),
        SimpleUploadedFile("notes.pdf", b"just some text, renamed", "application/pdf"),
        SimpleUploadedFile("locked.pdf", invoice_pdf(password="pw"), "application/pdf"),
        SimpleUploadedFile("huge.pdf", b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024), "application/pdf"),
        SimpleUploadedFile("again.pdf", good, "application/pdf"),
    ]
    response = client.post(reverse("upload"), {"files": files})
    assert response.status_code == 200
    assert Invoice.objects.count() == 1
    said = outcomes(response.content.decode())
    assert "received, processing started" in said["good.pdf"]
    assert "The file is empty" in said["empty.pdf"]
    assert "text file although its name ends in .pdf" in said["notes.pdf"]
    assert "password-protected" in said["locked.pdf"]
    assert "11.0 MB; the limit is 10.0 MB" in said["huge.pdf"]
    assert "already received" in said["again.pdf"]


def test_no_file_chosen(client, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("upload"), {})
    assert "Choose at least one file." in response.content.decode()
