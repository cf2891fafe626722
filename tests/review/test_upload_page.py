"""The upload page and its JSON endpoints: one file per request with the intake service's outcome, and the
statuses of many invoices at once for the page's live view."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from invoices.models import Invoice, Status
from tests.factories import invoice_pdf, make_invoice, png_bytes

pytestmark = pytest.mark.django_db


def send(client, name: str, data: bytes, content_type: str = "application/pdf"):
    return client.post(reverse("upload-file"), {"file": SimpleUploadedFile(name, data, content_type)})


# --- permissions ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("url_name", ["upload", "upload-status"])
def test_pages_require_sign_in(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_upload_endpoint_requires_sign_in(client):
    response = send(client, "a.pdf", invoice_pdf())
    assert response.status_code == 302 and Invoice.objects.count() == 0


def test_users_without_a_role_may_not_upload_or_poll(client, nobody):
    client.force_login(nobody)
    assert client.get(reverse("upload")).status_code == 403
    response = send(client, "a.pdf", invoice_pdf())
    assert response.status_code == 403 and "no role" in response.json()["error"]
    assert client.get(reverse("upload-status")).status_code == 403
    assert Invoice.objects.count() == 0


@pytest.mark.parametrize("who", ["reviewer", "approver_only", "admin_user"])
def test_every_role_may_upload(client, request, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(reverse("upload"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-uploader' in html and 'multiple' in html and 'for="id_files"' in html
    assert send(client, "a.pdf", invoice_pdf(number=f"R-{who}")).status_code == 201


def test_upload_is_post_only(client, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("upload-file")).status_code == 405


# --- one file per request ---------------------------------------------------------------------------------------
def test_a_valid_file_becomes_an_invoice_with_its_status_and_link(client, reviewer):
    client.force_login(reviewer)
    response = send(client, "good.pdf", invoice_pdf(number="GOOD-1"))
    assert response.status_code == 201
    body = response.json()
    invoice = Invoice.objects.get()
    assert body["outcome"] == "created" and body["id"] == str(invoice.pk)
    assert body["status"] == invoice.status and body["label"] == invoice.get_status_display()
    assert str(invoice.pk) in body["url"]
    assert invoice.uploaded_by == reviewer and invoice.original_name == "good.pdf"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.pdf", b"", "The file is empty"),
        ("notes.pdf", b"just some text, renamed", "text file although its name ends in .pdf"),
        ("locked.pdf", invoice_pdf(password="pw"), "password-protected"),
    ],
)
def test_a_refused_file_gets_the_intake_reason(client, reviewer, name, data, message):
    client.force_login(reviewer)
    response = send(client, name, data)
    assert response.status_code == 422
    body = response.json()
    assert body["outcome"] == "rejected" and message in body["message"] and body["code"]
    assert "id" not in body and Invoice.objects.count() == 0


def test_the_same_file_twice_points_to_the_first_invoice(client, reviewer):
    client.force_login(reviewer)
    data = invoice_pdf(number="TWICE")
    first = send(client, "a.pdf", data).json()
    response = send(client, "again.pdf", data)
    assert response.status_code == 200
    body = response.json()
    assert body["outcome"] == "duplicate" and body["id"] == first["id"] and "already received" in body["message"]
    assert Invoice.objects.count() == 1


def test_a_request_without_a_file_is_a_clear_error(client, reviewer):
    client.force_login(reviewer)
    response = client.post(reverse("upload-file"), {})
    assert response.status_code == 400 and response.json()["error"] == "No file was sent."


@pytest.mark.slow
def test_two_hundred_files_one_request_each(client, reviewer):
    client.force_login(reviewer)
    ids = []
    for i in range(200):
        response = send(client, f"scan-{i:03d}.png", png_bytes(width=300 + i, height=200), "image/png")
        assert response.status_code == 201, response.content
        ids.append(response.json()["id"])
    assert Invoice.objects.filter(uploaded_by=reviewer).count() == 200 and len(set(ids)) == 200
    # The page polls them in chunks of at most 100 (it asks for 50 at a time).
    seen = {}
    for chunk in (ids[:100], ids[100:]):
        rows = client.get(reverse("upload-status"), {"id": chunk}).json()["invoices"]
        seen.update({row["id"]: row["status"] for row in rows})
    assert set(seen) == set(ids)


# --- statuses for the live view ---------------------------------------------------------------------------------
def test_status_endpoint_reports_each_invoice_and_whether_it_is_done(client, reviewer, django_assert_max_num_queries):
    waiting = make_invoice(status=Status.EXTRACTING, fields={}, store_original=False)
    routed = make_invoice(status=Status.NEEDS_REVIEW, fields={}, store_original=False, invoice_number="N-1")
    failed = make_invoice(status=Status.FAILED, fields={}, store_original=False, status_reason="Unreadable file.")
    client.force_login(reviewer)
    client.get(reverse("upload"))
    ids = [waiting.pk, routed.pk, failed.pk, uuid.uuid4()]
    with django_assert_max_num_queries(6):  # session, user, permissions, one query for all invoices, nav count
        response = client.get(reverse("upload-status"), {"id": [str(i) for i in ids]})
    rows = {row["id"]: row for row in response.json()["invoices"]}
    assert set(rows) == {str(waiting.pk), str(routed.pk), str(failed.pk)}  # unknown ids are left out
    assert rows[str(waiting.pk)]["final"] is False and rows[str(waiting.pk)]["label"] == "Extracting"
    assert rows[str(routed.pk)]["final"] is True and rows[str(routed.pk)]["number"] == "N-1"
    assert rows[str(failed.pk)]["reason"] == "Unreadable file." and rows[str(failed.pk)]["final"] is True
    assert str(routed.pk) in rows[str(routed.pk)]["url"]


def test_status_endpoint_refuses_bad_or_too_many_ids(client, reviewer):
    client.force_login(reviewer)
    assert client.get(reverse("upload-status"), {"id": "not-a-uuid"}).status_code == 400
    too_many = [str(uuid.uuid4()) for _ in range(101)]
    response = client.get(reverse("upload-status"), {"id": too_many})
    assert response.status_code == 400 and "at most 100" in response.json()["error"]
    assert client.get(reverse("upload-status")).json() == {"invoices": []}


# --- without JavaScript the form still works -------------------------------------------------------------------
def test_form_post_without_script_lists_each_outcome(client, reviewer):
    client.force_login(reviewer)
    files = [SimpleUploadedFile("ok.pdf", invoice_pdf(number="OK-1"), "application/pdf"),
             SimpleUploadedFile("bad.pdf", b"", "application/pdf")]
    html = client.post(reverse("upload"), {"files": files}).content.decode()
    assert "received, processing started" in html and "The file is empty" in html
    assert Invoice.objects.count() == 1
