"""The original file: a short-lived presigned S3 link in production, an authorised stream on local storage."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
import requests

from invoices import storage
from invoices.models import Invoice

from .conftest import problem
from .helpers import make_invoice

pytestmark = pytest.mark.django_db


def test_on_s3_the_original_is_a_redirect_to_a_short_lived_presigned_link(client_for, settings):
    pdf_invoice = make_invoice()
    response = client_for("token").get(f"/api/invoices/{pdf_invoice.pk}/original/")
    assert response.status_code == 302
    link = response["Location"]
    assert response.json() == {"url": link, "expires_in": settings.API_ORIGINAL_URL_EXPIRES}
    query = parse_qs(urlparse(link).query)
    assert query["X-Amz-Expires"] == [str(settings.API_ORIGINAL_URL_EXPIRES)] and "X-Amz-Signature" in query
    fetched = requests.get(link, timeout=10)  # the moto S3 server, as a client would follow the redirect
    assert fetched.status_code == 200
    assert fetched.content == storage.read_original(pdf_invoice.original.name)
    assert fetched.headers["Content-Type"] == "application/pdf"
    # The signature covers the object: the same link for another key does not work.
    tampered = link.replace(str(pdf_invoice.pk), "00000000-0000-4000-8000-000000000000")
    assert requests.get(tampered, timeout=10).status_code == 403


def test_a_client_asking_for_a_pdf_is_not_refused(client_for):
    invoice = make_invoice()
    response = client_for("token").get(f"/api/invoices/{invoice.pk}/original/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 302


@pytest.fixture
def local_storage(settings, tmp_path):
    """The embedded defaults: local folders instead of S3."""
    settings.STORAGES = {
        **settings.STORAGES,
        "raw": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(tmp_path / "raw"), "base_url": None}},
        "processed": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                      "OPTIONS": {"location": str(tmp_path / "processed"), "base_url": None}},
    }
    return tmp_path


def test_on_local_storage_the_original_is_streamed_to_allowed_callers_only(client_for, local_storage):
    invoice = make_invoice()
    assert (local_storage / "raw" / invoice.original.name).exists()
    response = client_for("token").get(f"/api/invoices/{invoice.pk}/original/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert invoice.original_name in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == (local_storage / "raw" / invoice.original.name).read_bytes()
    assert client_for("nobody").get(f"/api/invoices/{invoice.pk}/original/").status_code == 403
    assert client_for("anonymous").get(f"/api/invoices/{invoice.pk}/original/").status_code == 401


def test_a_missing_original_is_a_clear_404(client_for):
    invoice = make_invoice(store_original=False)
    response = client_for("token").get(f"/api/invoices/{invoice.pk}/original/")
    assert response.status_code == 404
    body = problem(response)
    assert body["type"].endswith("/not-available/") and "missing from storage" in body["detail"]


def test_a_missing_result_file_is_a_clear_404(client_for):
    invoice = make_invoice()
    Invoice.objects.filter(pk=invoice.pk).update(result_path="results/gone/1.json")
    response = client_for("token").get(f"/api/invoices/{invoice.pk}/result/")
    assert response.status_code == 404
    assert "missing from storage" in problem(response)["detail"]
