"""Uploads through the API: one intake for every channel, per-file outcomes, and Idempotency-Key."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections

from invoices.models import AuditEvent, IdempotencyKey, Invoice
from tests.factories import invoice_pdf

from .conftest import problem
from .helpers import upload_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def uploader(client_for):
    return client_for("token")


def post(client, *files, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post("/api/invoices/", {"files": list(files)}, format="multipart", **headers)


def test_upload_creates_an_invoice_and_links_to_poll_it(uploader):
    response = post(uploader, upload_file("march.pdf", number="M-1"))
    assert response.status_code == 201
    (result,) = response.json()["results"]
    assert result["name"] == "march.pdf" and result["outcome"] == "created"
    invoice = Invoice.objects.get(pk=result["invoice"]["id"])
    assert invoice.channel == "api" and invoice.status == "received" and invoice.original_name == "march.pdf"
    poll = uploader.get(result["invoice"]["url"])
    assert poll.status_code == 200 and poll.json()["status"] == "received"


def test_each_file_gets_its_own_answer(uploader):
    pdf = invoice_pdf(number="A-1")  # reportlab stamps each PDF: make the bytes once to upload them twice
    post(uploader, upload_file("a.pdf", pdf))
    response = post(uploader, upload_file("a.pdf", pdf), upload_file("b.pdf", number="B-2"), upload_file("notes.pdf", b"just text"),
                    upload_file("empty.pdf", b""))
    assert response.status_code == 201
    outcomes = {r["name"]: r for r in response.json()["results"]}
    assert outcomes["a.pdf"]["outcome"] == "duplicate" and "already received" in outcomes["a.pdf"]["message"]
    assert outcomes["a.pdf"]["invoice"]["id"]
    assert outcomes["b.pdf"]["outcome"] == "created"
    assert outcomes["notes.pdf"]["outcome"] == "rejected" and outcomes["notes.pdf"]["invoice"] is None
    assert "text file" in outcomes["notes.pdf"]["message"]
    assert outcomes["empty.pdf"]["outcome"] == "rejected" and outcomes["empty.pdf"]["code"]
    assert Invoice.objects.count() == 2


def test_only_duplicates_is_200_with_the_existing_invoice(uploader):
    pdf = invoice_pdf(number="D-1")
    created = post(uploader, upload_file(data=pdf)).json()["results"][0]["invoice"]["id"]
    response = post(uploader, upload_file(data=pdf))
    assert response.status_code == 200
    assert response.json()["results"][0]["invoice"]["id"] == created
    assert Invoice.objects.count() == 1


def test_every_file_refused_is_a_422_problem_naming_each(uploader):
    response = post(uploader, upload_file("page.pdf", b"<html><script>alert(1)</script>"),
                    upload_file("zip.pdf", b"PK\x03\x04rest"))
    assert response.status_code == 422
    body = problem(response)
    assert body["type"].endswith("/api/problems/files-rejected/")
    assert [e["field"] for e in body["errors"]] == ["files[0]", "files[1]"]
    assert "HTML" in body["errors"][0]["detail"] and "ZIP" in body["errors"][1]["detail"]
    assert [r["outcome"] for r in body["results"]] == ["rejected", "rejected"]
    assert not Invoice.objects.exists()


def test_no_file_is_a_400_naming_the_field(uploader):
    response = uploader.post("/api/invoices/", {}, format="multipart")
    assert response.status_code == 400
    assert problem(response)["errors"][0]["field"] == "files"


def test_a_json_upload_is_refused_with_415(uploader):
    response = uploader.post("/api/invoices/", {"files": "x"}, format="json")
    assert response.status_code == 415
    problem(response)


def test_same_idempotency_key_twice_gives_one_invoice_and_the_same_response(uploader):
    pdf = invoice_pdf(number="K-1")
    first = post(uploader, upload_file(data=pdf), key="upload-2025-0001")
    second = post(uploader, upload_file(data=pdf), key="upload-2025-0001")
    assert first.status_code == second.status_code == 201  # the first response, not "duplicate"
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Invoice.objects.count() == 1
    assert AuditEvent.objects.filter(action="duplicate_refused").count() == 0  # intake did not even run again
    record = IdempotencyKey.objects.get()
    assert record.response_status == 201 and record.key == "upload-2025-0001"


def test_same_key_with_a_different_file_is_refused(uploader):
    pdf = invoice_pdf(number="K-1")
    post(uploader, upload_file("k.pdf", pdf), key="k-1")
    assert post(uploader, upload_file("k.pdf", pdf), key="k-1").status_code == 201  # same request: replayed
    response = post(uploader, upload_file("k.pdf", invoice_pdf(number="K-2")), key="k-1")
    assert response.status_code == 422
    assert problem(response)["type"].endswith("/idempotency-key-reused/")
    assert Invoice.objects.count() == 1


def test_keys_are_per_user(client_for, approver_only):
    from rest_framework.test import APIClient

    post(client_for("token"), upload_file(number="U-1"), key="shared")
    other = APIClient()
    other.force_login(approver_only)
    response = post(other, upload_file(number="U-2"), key="shared")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert Invoice.objects.count() == 2


def test_a_refused_upload_is_replayed_too(uploader):
    first = post(uploader, upload_file("x.pdf", b"hello"), key="bad-1")
    second = post(uploader, upload_file("x.pdf", b"hello"), key="bad-1")
    assert first.status_code == second.status_code == 422
    assert second.json() == first.json() and second["Content-Type"] == "application/problem+json"


def test_a_key_freed_by_a_failed_request_can_be_used_again(uploader, monkeypatch):
    import invoices.api.views as views

    def broken(**kwargs):
        raise RuntimeError("storage down")

    monkeypatch.setattr(views, "invoice_intake", broken)
    response = post(uploader, upload_file(number="F-1"), key="retry-me")
    assert response.status_code == 500
    assert problem(response)["correlation_id"]
    assert not IdempotencyKey.objects.exists()
    monkeypatch.undo()
    assert post(uploader, upload_file(number="F-2"), key="retry-me").status_code == 201


@pytest.mark.parametrize("key", ["", " ", "x" * 256, "naïve", "tab\there"])
def test_malformed_keys_are_refused(uploader, key):
    response = post(uploader, upload_file(), key=key)
    assert response.status_code == 400
    assert problem(response)["errors"][0]["field"] == "Idempotency-Key"
    assert not Invoice.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_create_one_invoice(reviewer):
    """Two clients racing with the same key: one runs, the other waits for it or is told to retry."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    token = Token.objects.create(user=reviewer)
    data = invoice_pdf(number="RACE-1")
    responses = []
    barrier = threading.Barrier(4)

    def attempt():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        barrier.wait()
        try:
            responses.append(post(client, upload_file("race.pdf", data), key="race"))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    statuses = sorted(r.status_code for r in responses)
    assert len(statuses) == 4 and set(statuses) <= {201, 409}, statuses
    assert statuses.count(201) >= 1
    bodies = {r.content for r in responses if r.status_code == 201}
    assert len(bodies) == 1  # every 201 is the same first response
    for refused in (r for r in responses if r.status_code == 409):
        assert refused["Retry-After"] == "1"
    assert Invoice.objects.count() == 1
