"""Every endpoint × every role: the same roles as the review screens, for session and token callers.

Allowed callers get the endpoint's success status (the request is valid); others get 401 (anonymous, with
WWW-Authenticate) or 403 (signed in without the role), as problem details, and nothing changes.
"""

from __future__ import annotations

import uuid

import pytest

from invoices.models import AuditEvent, Invoice, Status, Vendor

from .conftest import problem
from .helpers import etag, flag_duplicates, make_invoice, upload_file, with_result

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "nobody", "reviewer", "approver_only", "approver", "admin", "token", "token_approver"]
VIEWERS = {"reviewer", "approver_only", "approver", "admin", "token", "token_approver"}
UPLOADERS = VIEWERS
REVIEWERS = {"reviewer", "approver", "admin", "token"}
APPROVERS = {"approver_only", "approver", "admin", "token_approver"}
ADMINS = {"admin"}


def _invoice():
    return with_result(make_invoice(status=Status.NEEDS_REVIEW))


def _list(_):
    return "get", "/api/invoices/", {}


def _detail(inv):
    return "get", f"/api/invoices/{inv.pk}/", {}


def _original(inv):
    return "get", f"/api/invoices/{inv.pk}/original/", {}


def _result(inv):
    return "get", f"/api/invoices/{inv.pk}/result/", {}


def _upload(_):
    return "post", "/api/invoices/", {"data": {"files": [upload_file(number=str(uuid.uuid4()))]}, "format": "multipart"}


def _patch(inv):
    return "patch", f"/api/invoices/{inv.pk}/", {"data": {"fields": {"total": "120.00"}}, "HTTP_IF_MATCH": etag(inv)}


def _approve(inv):
    return "post", f"/api/invoices/{inv.pk}/approve/", {"data": {}, "HTTP_IF_MATCH": etag(inv)}


def _reject(inv):
    return "post", f"/api/invoices/{inv.pk}/reject/", {"data": {"reason": "Not ours"}, "HTTP_IF_MATCH": etag(inv)}


def _reprocess(inv):
    return "post", f"/api/invoices/{inv.pk}/reprocess/", {"data": {"reason": "engine upgrade"}}


def _not_duplicate(inv):
    other = make_invoice(status=Status.APPROVED)
    flag_duplicates(inv, other)
    return "post", f"/api/invoices/{inv.pk}/not-duplicate/", {"data": {"other": str(other.pk)}}


def _vendor_list(_):
    Vendor.objects.create(name="Acme", name_key="acme")
    return "get", "/api/vendors/", {}


def _vendor_detail(_):
    vendor = Vendor.objects.create(name="Acme", name_key="acme")
    return "get", f"/api/vendors/{vendor.pk}/", {}


def _vendor_create(_):
    return "post", "/api/vendors/", {"data": {"name": "Globex GmbH", "default_currency": "eur"}}


def _vendor_update(_):
    vendor = Vendor.objects.create(name="Acme", name_key="acme")
    return "patch", f"/api/vendors/{vendor.pk}/", {"data": {"country": "de"}}


ENDPOINTS = {
    "list": (_list, VIEWERS, 200),
    "detail": (_detail, VIEWERS, 200),
    "original": (_original, VIEWERS, 302),
    "result": (_result, VIEWERS, 200),
    "upload": (_upload, UPLOADERS, 201),
    "patch": (_patch, REVIEWERS, 200),
    "approve": (_approve, APPROVERS, 200),
    "reject": (_reject, APPROVERS, 200),
    "reprocess": (_reprocess, ADMINS, 202),
    "not_duplicate": (_not_duplicate, REVIEWERS, 200),
    "vendor_list": (_vendor_list, VIEWERS, 200),
    "vendor_detail": (_vendor_detail, VIEWERS, 200),
    "vendor_create": (_vendor_create, ADMINS, 201),
    "vendor_update": (_vendor_update, ADMINS, 200),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_each_role_gets_exactly_what_its_role_allows(endpoint, role, client_for):
    build, allowed, success = ENDPOINTS[endpoint]
    invoice = _invoice()
    method, url, kwargs = build(invoice)
    client = client_for(role)
    audit_before = AuditEvent.objects.count()
    invoices_before = Invoice.objects.count()
    vendors_before = list(Vendor.objects.values_list("pk", "name", "country", "default_currency"))

    response = getattr(client, method)(url, **kwargs)

    if role in allowed:
        assert response.status_code == success, (response.status_code, response.content[:500])
        return
    expected = 401 if role == "anonymous" else 403
    assert response.status_code == expected, (response.status_code, response.content[:500])
    body = problem(response)
    if role == "anonymous":
        assert response["WWW-Authenticate"] == "Token"
        assert "credentials" in body["detail"].lower()
    else:
        assert "role" in body["detail"].lower() or "permission" in body["detail"].lower()
    # Refused means nothing happened.
    assert AuditEvent.objects.count() == audit_before
    assert Invoice.objects.count() == invoices_before
    assert list(Vendor.objects.values_list("pk", "name", "country", "default_currency")) == vendors_before


@pytest.mark.parametrize("role", ["anonymous", "nobody", "reviewer"])
def test_missing_invoice_is_not_revealed_before_the_role_check(role, client_for):
    response = client_for(role).post(f"/api/invoices/{uuid.uuid4()}/approve/", {}, HTTP_IF_MATCH='"1"')
    assert response.status_code == (401 if role == "anonymous" else 403)


def test_a_revoked_token_no_longer_works(client_for, reviewer):
    from rest_framework.authtoken.models import Token

    client = client_for("token")
    assert client.get("/api/invoices/").status_code == 200
    Token.objects.filter(user=reviewer).delete()
    response = client.get("/api/invoices/")
    assert response.status_code == 401
    assert problem(response)["detail"] == "Invalid token."


def test_an_inactive_users_token_is_refused(client_for, reviewer):
    client = client_for("token")
    reviewer.is_active = False
    reviewer.save()
    response = client.get("/api/invoices/")
    assert response.status_code == 401
    problem(response)


def test_browser_session_writes_need_the_csrf_token(reviewer, make_invoice):
    from rest_framework.test import APIClient

    invoice = make_invoice()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(reviewer)
    response = client.patch(f"/api/invoices/{invoice.pk}/", {"fields": {"total": "1.00"}}, format="json",
                            HTTP_IF_MATCH=etag(invoice))
    assert response.status_code == 403
    assert "CSRF" in problem(response)["detail"]
    invoice.refresh_from_db()
    assert str(invoice.total) != "1.0000"


def test_the_uploader_recorded_is_the_token_user(client_for, reviewer):
    response = client_for("token").post("/api/invoices/", {"files": [upload_file()]}, format="multipart")
    assert response.status_code == 201
    invoice = Invoice.objects.get(pk=response.json()["results"][0]["invoice"]["id"])
    assert invoice.uploaded_by == reviewer and invoice.channel == "api"
    assert AuditEvent.objects.get(invoice=invoice, action="created").actor == reviewer
