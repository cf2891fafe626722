"""The OpenAPI schema validates, and the docs pages render with every asset served by this server (offline)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_schema_generates_with_no_warning_and_validates(tmp_path):
    out = tmp_path / "schema.yaml"
    # --fail-on-warn exits non-zero on any warning or error; --validate checks it against the OpenAPI 3 spec.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert text.startswith("openapi: 3.0.3")
    for path in ("/api/invoices/", "/api/invoices/{id}/approve/", "/api/vendors/{id}/"):
        assert f"  {path}:" in text


def test_served_schema_documents_auth_errors_and_headers(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert set(schema["components"]["securitySchemes"]) == {"tokenAuth", "cookieAuth"}
    patch = schema["paths"]["/api/invoices/{id}/"]["patch"]
    assert {p["name"] for p in patch["parameters"] if p["in"] == "header"} == {"If-Match"}
    assert {"412", "428"} <= set(patch["responses"])
    assert "application/problem+json" in patch["responses"]["412"]["content"]
    upload = schema["paths"]["/api/invoices/"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert any(p["name"] == "Idempotency-Key" for p in upload["parameters"])
    listing = {p["name"] for p in schema["paths"]["/api/invoices/"]["get"]["parameters"]}
    assert {"status", "vendor", "number", "invoice_date_from", "invoice_date_to", "total_min", "total_max",
            "currency", "needs_review", "updated_since", "ordering", "cursor", "page_size"} <= listing


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)


@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_docs_page_renders_with_local_assets_only(client, page):
    response = client.get(page)
    assert response.status_code == 200
    assert "default-src 'self'" in response["Content-Security-Policy"]
    html = response.content.decode()
    parser = _Assets()
    parser.feed(html)
    assert parser.urls, "the page loads its viewer from somewhere"
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "nothing may come from another site"
    assert "fonts.googleapis" not in html and "cdn.jsdelivr" not in html
    for url in parser.urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        body = b"".join(asset.streaming_content) if asset.streaming else asset.content
        assert len(body) > 500, url
    assert "/api/schema/" in html  # the viewer reads the schema from this server too


@pytest.mark.browser
def test_swagger_ui_renders_the_operations_with_no_internet(live_server):
    """Headless Chromium with every request to another origin blocked: the docs still show the API."""
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        try:
            page = browser.new_page()

            def route(request_route):
                if request_route.request.url.startswith(live_server.url):
                    request_route.continue_()
                else:
                    blocked.append(request_route.request.url)
                    request_route.abort()

            page.route("**/*", route)
            page.goto(f"{live_server.url}/api/docs/")
            page.wait_for_selector("text=/api/invoices/{id}/approve/", timeout=30000)
            assert page.locator(".opblock").count() >= 14
            page.goto(f"{live_server.url}/api/redoc/")
            page.locator("h2", has_text="Upload one or more invoice files").wait_for(timeout=30000)
        finally:
            browser.close()
    assert blocked == []
