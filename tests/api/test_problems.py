"""Every error, wherever it arises, is RFC 9457 problem details: 404, 405, 406, 415, 429, 500, validation."""

from __future__ import annotations

import pytest

from .conftest import problem
from .helpers import make_invoice, upload_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(client_for):
    return client_for("token")


def _rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


def test_an_unknown_api_path_is_a_404_problem_not_the_sites_html_page(viewer):
    response = viewer.get("/api/nothing/here/")
    assert response.status_code == 404
    body = problem(response)
    assert body["type"] == "about:blank" and body["title"] == "Not Found"
    assert body["instance"] == "/api/nothing/here/"


def test_a_missing_trailing_slash_gets_a_hint(viewer):
    response = viewer.get("/api/invoices")
    assert response.status_code == 404
    assert "Did you mean /api/invoices/" in problem(response)["detail"]


def test_a_malformed_invoice_id_is_a_404_problem(viewer):
    response = viewer.get("/api/invoices/not-a-uuid/")
    assert response.status_code == 404
    problem(response)


def test_a_method_the_endpoint_does_not_have_is_a_405_problem(viewer):
    invoice = make_invoice()
    response = viewer.delete(f"/api/invoices/{invoice.pk}/")
    assert response.status_code == 405
    body = problem(response)
    assert body["title"] == "Method Not Allowed" and "DELETE" in body["detail"]
    assert "PATCH" in response["Allow"]


def test_put_is_not_offered_patch_is(client_for):
    invoice = make_invoice()
    response = client_for("reviewer").put(f"/api/invoices/{invoice.pk}/", {"fields": {}})
    assert response.status_code == 405
    problem(response)


def test_an_unacceptable_accept_header_is_a_406_problem(viewer):
    response = viewer.get("/api/invoices/", HTTP_ACCEPT="text/csv")
    assert response.status_code == 406
    problem(response)


def test_an_unsupported_body_type_is_a_415_problem(client_for):
    response = client_for("admin").post("/api/vendors/", "<vendor/>", content_type="application/xml")
    assert response.status_code == 415
    assert "application/xml" in problem(response)["detail"]


def test_invalid_json_is_a_400_problem(client_for):
    response = client_for("admin").post("/api/vendors/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in problem(response)["detail"]


def test_too_many_requests_is_a_429_problem_with_retry_after(client_for, settings):
    _rates(settings, api="3/min")
    client = client_for("token")
    statuses = [client.get("/api/invoices/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/invoices/")
    body = problem(response)
    assert int(response["Retry-After"]) >= 1
    assert "try again in" in body["detail"]


def test_rates_are_counted_per_token(client_for, reviewer, settings):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    _rates(settings, api="2/min")
    first = client_for("token")
    assert [first.get("/api/invoices/").status_code for _ in range(3)] == [200, 200, 429]
    # The same user's other integration (another token) has its own budget.
    Token.objects.filter(user=reviewer).delete()
    second_token = Token.objects.create(user=reviewer)
    second = APIClient()
    second.credentials(HTTP_AUTHORIZATION=f"Token {second_token.key}")
    assert second.get("/api/invoices/").status_code == 200


def test_uploads_have_their_own_lower_budget(client_for, settings):
    _rates(settings, api_upload="1/min")
    client = client_for("token")
    assert client.post("/api/invoices/", {"files": [upload_file(number="T-1")]}, format="multipart").status_code == 201
    response = client.post("/api/invoices/", {"files": [upload_file(number="T-2")]}, format="multipart")
    assert response.status_code == 429
    problem(response)
    assert client.get("/api/invoices/").status_code == 200  # reading is still fine


def test_anonymous_callers_are_throttled_by_address(client, settings):
    _rates(settings, api_anon="2/min")
    assert [client.get("/api/schema/").status_code for _ in range(3)] == [200, 200, 429]


def test_an_unexpected_error_is_a_500_problem_with_a_correlation_id(viewer, monkeypatch, caplog):
    import invoices.api.views as views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.selectors, "invoice_list", broken)
    response = viewer.get("/api/invoices/", HTTP_X_REQUEST_ID="req-42")
    assert response.status_code == 500
    body = problem(response)
    assert body["correlation_id"] == "req-42" and "boom" not in body["detail"]
    assert any(r.levelname == "ERROR" and r.exc_info for r in caplog.records)


def test_problem_type_uris_document_themselves(client):
    response = client.get("/api/problems/stale-version/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "The invoice changed since you read it" in text and "If-Match" in text
    assert client.get("/api/problems/no-such-type/").status_code == 404


def test_the_api_root_links_to_everything(client):
    body = client.get("/api/").json()
    assert set(body) == {"invoices", "vendors", "schema", "docs", "redoc"}
