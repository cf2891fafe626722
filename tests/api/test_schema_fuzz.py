"""Property-based run over the OpenAPI schema (schemathesis): no server error, no response that breaks the schema.

In-process through WSGI against the real Django app, as an admin token (every endpoint allowed), on a seeded
MariaDB database: invoices in each status with fields, line items, results and flagged duplicates, and vendors.
Generated ids are often swapped for seeded ones and If-Match for the current version, so the cases reach the
services instead of stopping at 404/412. Bounded: a fixed number of examples per operation, no deadline.
"""

from __future__ import annotations

import functools
import hashlib
import os
import uuid

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from invoices.models import Invoice, Status
from invoices.services import vendor_create

from .helpers import flag_duplicates, make_invoice, with_result

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

MAX_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "30"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance, negative_data_rejection]


@pytest.fixture
def wsgi_app(settings):
    """The Django WSGI app, with the test database kept open across requests (as Django's test client does)."""
    from django.core.wsgi import get_wsgi_application

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "100000/min", "api_upload": "100000/min", "api_anon": "100000/min"},
    }
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_app, db):
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)


@pytest.fixture
def seeded(db, admin_user):
    from rest_framework.authtoken.models import Token

    invoices = []
    for status in (Status.NEEDS_REVIEW, Status.READY, Status.APPROVED, Status.REJECTED, Status.FAILED,
                   Status.EXTRACTING, Status.RECEIVED):
        invoice = make_invoice(status=status, line_items=[{"description": "Paper", "quantity": "2",
                                                           "unit_price": "10", "amount": "20"}])
        invoices.append(with_result(invoice) if status != Status.RECEIVED else invoice)
    flag_duplicates(invoices[0], invoices[2])
    flag_duplicates(invoices[1], invoices[0])
    pairs = [(invoices[0].pk, invoices[2].pk), (invoices[1].pk, invoices[0].pk)]
    vendors = [vendor_create(name=name, default_currency="EUR") for name in ("Acme", "Globex", "Initech")]
    token = Token.objects.create(user=admin_user)
    return {"invoices": [i.pk for i in invoices], "vendors": [v.pk for v in vendors], "token": token.key,
            "pairs": pairs}


def _pick(options: list, seed: object):
    """A seeded id for about three cases in four, chosen from the generated value (deterministic per example)."""
    digest = hashlib.sha256(repr(seed).encode()).digest()
    if digest[0] % 4 == 0:
        return None
    return options[digest[1] % len(options)]


def _operation_labels() -> list[str]:
    """Every operation of the schema the code generates ("GET /api/invoices/"), one test each."""
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    return [f"{method.upper()} {path}" for path, item in paths.items() for method in item]


@pytest.mark.parametrize("label", _operation_labels())
def test_operation_conforms_to_the_schema(label, api_schema, wsgi_app, seeded):
    operations = {result.ok().label: result.ok() for result in api_schema.get_all_operations()}
    operation = operations[label]
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                         operation.as_strategy(GenerationMode.NEGATIVE))
    auth = {"Authorization": f"Token {seeded['token']}"}

    @given(case=strategy)
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def run(case):
        _aim_at_seeded_rows(case, seeded)
        response = case.call_and_validate(headers=auth, checks=CHECKS, app=wsgi_app)
        if os.environ.get("API_FUZZ_SHOW") and response.status_code == 400:
            print(case.method, case.body, response.text[:300])
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    statuses: dict[int, int] = {}
    run()
    print(f"{label}: {dict(sorted(statuses.items()))}")
    # The aiming works: every operation was carried out at least once, not only refused.
    assert any(200 <= code < 400 for code in statuses), statuses


@functools.cache
def _valid_pdf() -> bytes:
    from tests.factories import invoice_pdf

    return invoice_pdf(number="FUZZ-1")


VALID_VALUES = {"invoice_date": "2025-03-14", "due_date": "2025-04-13", "currency": "EUR", "subtotal": "100.00",
                "tax": "19.00", "total": "119.00", "amount_due": "119.00"}


def _positive(case, location: str) -> bool:
    """Whether this part of the case was generated valid: only valid parts are aimed (a negative part must stay
    invalid, or the check that it is refused would be misled)."""
    meta = case.meta
    if meta is None:
        return False
    component = meta.components.get(ParameterLocation(location))
    return component is None or component.mode == GenerationMode.POSITIVE


def _aim_at_seeded_rows(case, seeded) -> None:
    body = case.body if isinstance(case.body, dict) and _positive(case, "body") else None
    params = case.path_parameters if _positive(case, "path") else None
    if body is not None and isinstance(body.get("files"), list) and body["files"] \
            and _pick([0], repr(body["files"])) is not None:
        body["files"] = [_valid_pdf()]  # a readable invoice, so uploads are carried out, not only refused
    if body is not None and isinstance(body.get("fields"), dict) and _pick([0], body["fields"]) is not None:
        for name in body["fields"].keys() & VALID_VALUES.keys():  # values the services can read
            body["fields"][name] = VALID_VALUES[name]
    if body is not None and isinstance(body.get("other"), str) and params and "id" in params:
        pair = _pick(seeded["pairs"], body["other"])  # a pair the rules flagged as possible duplicates
        if pair is not None:
            params["id"], body["other"] = str(pair[0]), str(pair[1])
            return
    vendor_path = case.operation.path.startswith("/api/vendors/")
    if params and "id" in params:
        chosen = _pick(seeded["vendors" if vendor_path else "invoices"], params["id"])
        if chosen is not None:
            params["id"] = chosen if vendor_path else str(chosen)
    headers = case.headers
    if headers and "If-Match" in headers and _positive(case, "header") and case.path_parameters \
            and not vendor_path:
        try:
            invoice_id = uuid.UUID(str(case.path_parameters.get("id")))
        except ValueError:
            return
        current = Invoice.objects.filter(pk=invoice_id).values_list("version", flat=True).first()
        if current is not None and _pick([0], headers["If-Match"]) is not None:
            headers["If-Match"] = f'"{current}"'
