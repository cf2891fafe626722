"""Vendors: list, detail, create and update through the vendor services, audited like everything else."""

from __future__ import annotations

import pytest

from invoices.models import AuditEvent, Vendor
from invoices.services import vendor_create

from .conftest import problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(client_for):
    return client_for("admin")


def test_create_goes_through_the_service_with_audit(admin_api, admin_user):
    response = admin_api.post("/api/vendors/", {"name": " Globex GmbH ", "tax_id": "de 123 456 789",
                                                "iban": "de89 3704 0044 0532 0130 00", "default_currency": "eur",
                                                "country": "de"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Globex GmbH" and body["tax_id"] == "DE123456789"
    assert body["iban"] == "DE89370400440532013000" and body["default_currency"] == "EUR" and body["country"] == "DE"
    vendor = Vendor.objects.get(pk=body["id"])
    assert vendor.name_key == "globex"
    event = AuditEvent.objects.get(vendor=vendor)
    assert event.actor == admin_user and event.action == "vendor_changed" and event.detail["created"] is True
    assert body["url"].endswith(f"/api/vendors/{vendor.pk}/")


def test_update_writes_one_audit_row_per_changed_attribute(admin_api, admin_user):
    vendor = vendor_create(name="Acme", default_currency="EUR")
    response = admin_api.patch(f"/api/vendors/{vendor.pk}/", {"default_currency": "usd", "country": "us",
                                                               "name": "Acme"})
    assert response.status_code == 200, response.content
    changes = {(e.field, e.old_value, e.new_value) for e in AuditEvent.objects.filter(vendor=vendor, actor=admin_user)}
    assert changes == {("default_currency", "EUR", "USD"), ("country", "", "US")}


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"name": ""}, "name", "blank"),
        ({"name": "X", "iban": "DE00 1234"}, "iban", "IBAN"),
        ({"name": "X", "default_currency": "EURO"}, "default_currency", "ISO 4217"),
        ({"name": "X", "default_currency": "XYZ"}, "default_currency", "ISO 4217"),
        ({"name": "X", "country": "Germany"}, "country", "two-letter"),
        ({"name": "X", "colour": "red"}, "colour", "Unknown"),
        ({"tax_id": "1"}, "name", "required"),
    ],
)
def test_invalid_vendor_details_are_refused_per_field(admin_api, body, field, words):
    response = admin_api.post("/api/vendors/", body)
    assert response.status_code == 400
    errors = {e["field"]: e["detail"] for e in problem(response)["errors"]}
    assert field in errors and words.lower() in errors[field].lower(), errors
    assert not Vendor.objects.exists()


def test_a_name_that_is_taken_conflicts_and_names_the_existing_vendor(admin_api):
    acme = vendor_create(name="Acme Ltd")
    response = admin_api.post("/api/vendors/", {"name": "ACME, Inc."})
    assert response.status_code == 409
    body = problem(response)
    assert body["existing_vendor"] == acme.pk and body["type"].endswith("/vendor-exists/")
    other = vendor_create(name="Globex")
    response = admin_api.patch(f"/api/vendors/{other.pk}/", {"name": "acme"})
    assert response.status_code == 409
    other.refresh_from_db()
    assert other.name == "Globex"


def test_list_search_and_pages(client_for):
    for name in ["Delta", "alpha", "Charlie", "Bravo", "Echo"]:
        vendor_create(name=name, tax_id=f"TX{name.upper()}")
    viewer = client_for("reviewer")
    body = viewer.get("/api/vendors/", {"page_size": 2}).json()
    names = [v["name"] for v in body["results"]]
    while body["next"]:
        body = viewer.get(body["next"]).json()
        names += [v["name"] for v in body["results"]]
    assert names == ["alpha", "Bravo", "Charlie", "Delta", "Echo"]
    assert [v["name"] for v in viewer.get("/api/vendors/", {"search": "txch"}).json()["results"]] == ["Charlie"]


def test_vendor_create_honours_idempotency_keys(admin_api):
    first = admin_api.post("/api/vendors/", {"name": "Initech"}, HTTP_IDEMPOTENCY_KEY="v-1")
    second = admin_api.post("/api/vendors/", {"name": "Initech"}, HTTP_IDEMPOTENCY_KEY="v-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json() and Vendor.objects.count() == 1


def test_unknown_vendor_is_a_404_problem(client_for):
    response = client_for("reviewer").get("/api/vendors/999999/")
    assert response.status_code == 404
    problem(response)
