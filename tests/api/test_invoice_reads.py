"""Reading invoices: the detail representation, filters, ordering and cursor pagination."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from invoices.models import AuditEvent, Invoice, Status, Vendor

from .conftest import problem
from .helpers import flag_duplicates, make_invoice, with_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(client_for):
    return client_for("token")


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    return [row["id"] for row in response.json()["results"]]


def test_detail_has_fields_with_confidence_and_position_line_items_rules_duplicates_and_audit(viewer, reviewer):
    invoice = with_result(make_invoice(
        fields={"invoice_number": ("INV-77", 97.0), "total": ("1250.50", 61.0), "currency": ("EUR", 99.0)},
        line_items=[{"description": "A4 paper", "quantity": "2", "unit_price": "625.25", "amount": "1250.50"}],
    ))
    other = make_invoice(status=Status.APPROVED, fields={"invoice_number": ("INV-77", 97.0)})
    flag_duplicates(invoice, other)
    AuditEvent.objects.create(invoice=invoice, actor=reviewer, actor_name="rita", action="field_corrected",
                              field="total", old_value="1250.00", new_value="1250.50", invoice_version=1)

    response = viewer.get(f"/api/invoices/{invoice.pk}/")

    assert response.status_code == 200
    assert response["ETag"] == f'"{invoice.version}"'
    body = response.json()
    assert body["version"] == invoice.version and body["status"] == "needs_review" and body["needs_review"]
    assert body["total"] == "1250.50" and body["currency"] == "EUR" and body["invoice_number"] == "INV-77"
    total = body["fields"]["total"]
    assert total["value"] == "1250.50" and total["confidence"] == 61.0 and total["page"] == 1
    assert len(total["bbox"]) == 4 and total["source"] == "engine"
    assert "iban" not in body["fields"]  # a field not found is left out
    assert body["line_items"] == [{
        "position": 1, "description": "A4 paper", "quantity": "2.00", "unit_price": "625.25", "amount": "1250.50",
        "confidence": 95.0, "page": None, "bbox": None, "source": "engine",
    }]
    assert body["rule_results"][0]["code"].startswith("duplicate") and not body["rule_results"][0]["passed"]
    assert body["duplicates"] == [{
        "invoice": str(other.pk), "url": f"http://testserver/api/invoices/{other.pk}/", "invoice_number": "INV-77",
        "status": "approved", "message": "Same vendor, number and amount as another invoice.", "dismissed": False,
    }]
    assert body["audit"][0]["actor"] == "rita" and body["audit"][0]["new_value"] == "1250.50"
    assert body["file"]["url"] == f"http://testserver/api/invoices/{invoice.pk}/original/"
    assert body["result_url"] == f"http://testserver/api/invoices/{invoice.pk}/result/"


def test_detail_of_an_unknown_invoice_is_a_404_problem(viewer):
    response = viewer.get("/api/invoices/00000000-0000-4000-8000-000000000000/")
    assert response.status_code == 404
    assert problem(response)["detail"] == "There is no invoice with this id."


def test_detail_reads_take_a_fixed_number_of_queries(viewer):
    small = with_result(make_invoice())
    flag_duplicates(small, make_invoice())
    big = with_result(make_invoice(line_items=[{"description": f"item {i}", "amount": "1"} for i in range(30)]))
    for _ in range(5):
        flag_duplicates(big, make_invoice())
        AuditEvent.objects.create(invoice=big, actor_name="pipeline", action="extracted")
    counts = []
    for invoice in (small, big):
        with CaptureQueriesContext(connection) as queries:
            assert viewer.get(f"/api/invoices/{invoice.pk}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_list_takes_a_fixed_number_of_queries_whatever_the_page_size(viewer):
    for _ in range(3):
        make_invoice()
    with CaptureQueriesContext(connection) as few:
        viewer.get("/api/invoices/")
    for _ in range(12):
        make_invoice()
    with CaptureQueriesContext(connection) as many:
        assert len(ids(viewer.get("/api/invoices/"))) == 15
    assert len(few) == len(many)


def test_filters(viewer):
    acme = Vendor.objects.create(name="Acme Paper", name_key="acme paper")
    a = make_invoice(status=Status.NEEDS_REVIEW, fields={"invoice_number": "A-1", "total": "100.00",
                                                         "currency": "EUR", "invoice_date": "2025-01-10"})
    b = make_invoice(status=Status.READY, fields={"invoice_number": "B-2", "total": "250.00", "currency": "USD",
                                                  "invoice_date": "2025-02-10"})
    c = make_invoice(status=Status.APPROVED, fields={"invoice_number": "C-3", "total": "999.99", "currency": "EUR",
                                                     "invoice_date": "2025-03-10"})
    Invoice.objects.filter(pk=b.pk).update(vendor=acme, vendor_name="Acme Paper", has_duplicates=True)
    Invoice.objects.filter(pk=c.pk).update(failed_rules=2)
    everything = {str(a.pk), str(b.pk), str(c.pk)}

    def q(**params):
        return set(ids(viewer.get("/api/invoices/", params)))

    assert q() == everything
    assert q(status="needs_review") == {str(a.pk)}
    assert q(status="needs_review,ready") == {str(a.pk), str(b.pk)}
    assert set(ids(viewer.get("/api/invoices/?status=ready&status=approved"))) == {str(b.pk), str(c.pk)}
    assert q(number="b-2") == {str(b.pk)}
    assert q(vendor=acme.pk) == {str(b.pk)}
    assert q(vendor_name="acme") == {str(b.pk)}
    assert q(currency="eur") == {str(a.pk), str(c.pk)}
    assert q(invoice_date_from="2025-02-01") == {str(b.pk), str(c.pk)}
    assert q(invoice_date_to="2025-02-10") == {str(a.pk), str(b.pk)}
    assert q(invoice_date_from="2025-02-01", invoice_date_to="2025-02-28") == {str(b.pk)}
    assert q(total_min="250") == {str(b.pk), str(c.pk)}
    assert q(total_max="250.00") == {str(a.pk), str(b.pk)}
    assert q(needs_review="true") == {str(a.pk)}
    assert q(needs_review="false") == {str(b.pk), str(c.pk)}
    assert q(has_duplicates="true") == {str(b.pk)}
    assert q(has_failed_rules="true") == {str(c.pk)}
    assert q(search="C-3") == {str(c.pk)}


def test_updated_since_gives_only_what_changed(viewer):
    old = make_invoice()
    new = make_invoice()
    cutoff = timezone.now()
    Invoice.objects.filter(pk=old.pk).update(updated_at=cutoff - timedelta(hours=1))
    Invoice.objects.filter(pk=new.pk).update(updated_at=cutoff + timedelta(seconds=1))
    assert ids(viewer.get("/api/invoices/", {"updated_since": cutoff.isoformat(), "ordering": "updated"})) == [
        str(new.pk)
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "nonsense"}, "status[0]"),
        ({"currency": "EURO"}, "currency"),
        ({"invoice_date_from": "10/01/2025"}, "invoice_date_from"),
        ({"total_min": "lots"}, "total_min"),
        ({"needs_review": "maybe"}, "needs_review"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"ordering": "vendor"}, "ordering"),
        ({"vendor": "acme"}, "vendor"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": ""}, "page_size"),
        ({"page_size": "1000"}, "page_size"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"statuss": "ready"}, "statuss"),
    ],
)
def test_bad_query_parameters_are_refused_naming_the_parameter(viewer, params, field):
    response = viewer.get("/api/invoices/", params)
    assert response.status_code == 400
    body = problem(response)
    assert body["type"].endswith("/api/problems/validation-error/")
    assert [e["field"] for e in body["errors"]] == [field]
    assert body["errors"][0]["detail"]


def _walk(client, params, direction="next", start=None):
    """Follow links from ``start`` (or the first page); the ids in the order seen, and the pages visited."""
    url, seen, pages = start or "/api/invoices/", [], 0
    response = client.get(url, params if start is None else None)
    while True:
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        rows = [r["id"] for r in body["results"]]
        seen += rows if direction == "next" else list(reversed(rows))
        pages += 1
        if not body[direction]:
            return seen, pages, body
        response = client.get(body[direction])


@pytest.mark.parametrize("ordering", ["-age", "age", "due", "-due", "amount", "-amount", "confidence", "updated"])
def test_cursor_pages_cover_every_row_once_in_order_even_with_empty_sort_keys(viewer, ordering):
    base = timezone.now()
    made = []
    for i in range(23):
        total = None if i % 4 == 0 else Decimal(i % 5) * 10  # empty totals, and many ties
        due = None if i % 3 == 0 else (base + timedelta(days=i % 4)).date()
        invoice = make_invoice(fields={"invoice_number": f"N-{i}"})
        Invoice.objects.filter(pk=invoice.pk).update(
            total=total, due_date=due, min_confidence=None if i % 5 == 0 else float(i % 3),
            created_at=base - timedelta(minutes=i % 6), updated_at=base - timedelta(minutes=i % 7),
        )
        made.append(invoice.pk)
    from invoices import selectors

    # One page holding everything is the reference order (ties are broken by the id, in the database's order
    # of ids); its main sort key must be in order with the empty values last.
    expected = ids(viewer.get("/api/invoices/", {"ordering": ordering, "page_size": 200}))
    assert sorted(expected) == sorted(str(pk) for pk in made)
    field = selectors.ORDERINGS[ordering][0]
    name, descending = field.lstrip("-"), field.startswith("-")
    values = {str(r["id"]): r[name] for r in Invoice.objects.values("id", name)}
    column = [values[i] for i in expected]
    present = [v for v in column if v is not None]
    assert column == present + [None] * (len(column) - len(present))
    assert present == sorted(present, reverse=descending)

    forward, pages, last = _walk(viewer, {"ordering": ordering, "page_size": 5})
    assert forward == expected
    assert pages == 5 and last["next"] is None

    # And back again from the last page, through the previous links.
    backward, _, first = _walk(viewer, None, direction="previous", start=_last_page_url(viewer, ordering))
    assert list(reversed(backward)) == expected
    assert first["previous"] is None


def _last_page_url(client, ordering):
    url = f"/api/invoices/?ordering={ordering}&page_size=5"
    while True:
        body = client.get(url).json()
        if not body["next"]:
            return url
        url = body["next"]


def test_a_cursor_for_one_ordering_is_refused_for_another(viewer):
    for _ in range(3):
        make_invoice()
    next_link = viewer.get("/api/invoices/", {"page_size": 1, "ordering": "amount"}).json()["next"]
    response = viewer.get(next_link.replace("ordering=amount", "ordering=due"))
    assert response.status_code == 400
    assert problem(response)["errors"][0]["field"] == "cursor"


def test_rows_added_while_paging_do_not_shift_pages(viewer):
    first = [make_invoice() for _ in range(4)]
    page1 = viewer.get("/api/invoices/", {"ordering": "age", "page_size": 2}).json()
    make_invoice()  # newer than all: comes after them in age order
    page2 = viewer.get(page1["next"]).json()
    page3 = viewer.get(page2["next"]).json()
    seen = [r["id"] for r in page1["results"] + page2["results"] + page3["results"]]
    assert seen[:4] == [str(i.pk) for i in first]
    assert len(seen) == len(set(seen)) == 5


def test_result_is_the_stored_extraction_json(viewer):
    invoice = with_result(make_invoice())
    response = viewer.get(f"/api/invoices/{invoice.pk}/result/")
    assert response.status_code == 200
    assert response.json()["fields"]["total"]["value"] == "119.00"


def test_result_before_extraction_says_so(viewer):
    invoice = make_invoice(status=Status.RECEIVED)
    response = viewer.get(f"/api/invoices/{invoice.pk}/result/")
    assert response.status_code == 404
    assert "received" in problem(response)["detail"]
