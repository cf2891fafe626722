"""The queue: who may see it, what each filter, sort, search and page shows, and that it costs a fixed number of
queries whatever the number of invoices."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from invoices.models import Invoice, Status
from tests.factories import make_invoice

pytestmark = pytest.mark.django_db


def inv(number: str, status: str = Status.NEEDS_REVIEW, **columns) -> Invoice:
    """An invoice row without a stored file (fast): only what the queue reads. The file is named after the number:
    search also matches file names, and a random one could contain the digits a test searches for."""
    columns.setdefault("original_name", f"{number}.pdf")
    return make_invoice(status=status, fields={}, store_original=False, invoice_number=number, **columns)


def numbers(response) -> list[str]:
    """The invoice numbers in the queue's rows, top to bottom."""
    return re.findall(r'class="row-link" href="[^"]*">([^<]+)</a>', response.content.decode())


def get(client, **params):
    return client.get(reverse("queue"), params)


def test_queue_requires_sign_in(client):
    response = client.get(reverse("queue"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_signed_in_user_without_a_role_may_not_see_the_queue(client, nobody):
    client.force_login(nobody)
    assert client.get(reverse("queue")).status_code == 403


@pytest.mark.parametrize("who", ["reviewer", "approver_only", "admin_user"])
def test_every_role_sees_the_queue(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("queue")).status_code == 200


def test_by_default_the_queue_shows_what_needs_a_person(client, reviewer):
    inv("NR-1", review_reasons=["The total was read with low confidence; check it.", "The due date is missing."])
    inv("RD-1", Status.READY)
    inv("FA-1", Status.FAILED, status_reason="The file is not a readable PDF.")
    inv("AP-1", Status.APPROVED)
    inv("RJ-1", Status.REJECTED)
    inv("EX-1", Status.EXTRACTING)
    client.force_login(reviewer)
    response = get(client)
    assert sorted(numbers(response)) == ["FA-1", "NR-1", "RD-1"]
    html = response.content.decode()
    assert "The file is not a readable PDF." in html  # a failed invoice says why
    assert "The total was read with low confidence; check it. (+1 more)" in html  # and one needing review


def test_status_filter_and_counts_per_status(client, reviewer):
    inv("AP-1", Status.APPROVED)
    inv("AP-2", Status.APPROVED)
    inv("NR-1")
    client.force_login(reviewer)
    response = get(client, status="approved")
    assert sorted(numbers(response)) == ["AP-1", "AP-2"]
    html = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    assert "Approved 2" in html and "Needs review 1" in html and "Failed 0" in html
    assert sorted(numbers(get(client, status=["approved", "needs_review"]))) == ["AP-1", "AP-2", "NR-1"]


def test_search_matches_number_or_vendor(client, reviewer):
    inv("INV-777", vendor_name="Acme Supplies")
    inv("INV-778", vendor_name="Northwind Traders")
    inv("X-1", vendor_name="Globex Acme")
    client.force_login(reviewer)
    assert numbers(get(client, q="777")) == ["INV-777"]
    assert sorted(numbers(get(client, q="acme"))) == ["INV-777", "X-1"]
    assert numbers(get(client, vendor="northwind")) == ["INV-778"]


def test_date_and_amount_ranges(client, reviewer):
    inv("A", invoice_date=date(2025, 1, 10), total=Decimal("50.00"))
    inv("B", invoice_date=date(2025, 2, 10), total=Decimal("500.00"))
    inv("C", invoice_date=date(2025, 3, 10), total=Decimal("5000.00"))
    client.force_login(reviewer)
    assert sorted(numbers(get(client, date_from="2025-02-01"))) == ["B", "C"]
    assert numbers(get(client, date_from="2025-02-01", date_to="2025-02-28")) == ["B"]
    assert sorted(numbers(get(client, amount_min="100", amount_max="5000"))) == ["B", "C"]
    assert numbers(get(client, amount_max="99.99")) == ["A"]


def test_inverted_ranges_are_explained_not_applied(client, reviewer):
    inv("A", total=Decimal("50.00"))
    client.force_login(reviewer)
    response = get(client, amount_min="100", amount_max="10")
    assert "The upper amount is below the lower one." in response.content.decode()
    assert numbers(response) == ["A"]


def test_duplicates_and_failed_rules_filters(client, reviewer):
    inv("DUP", has_duplicates=True)
    inv("RULES", failed_rules=2)
    inv("CLEAN")
    client.force_login(reviewer)
    assert numbers(get(client, duplicates="yes")) == ["DUP"]
    assert numbers(get(client, failed_rules="yes")) == ["RULES"]
    assert sorted(numbers(get(client, failed_rules="no", duplicates="no"))) == ["CLEAN"]
    html = get(client).content.decode()
    assert "2 rules failed" in html and "Possible duplicate" in html


def test_sorts(client, reviewer):
    now = timezone.now()
    a = inv("A", due_date=date(2025, 5, 1), total=Decimal("10"), min_confidence=90.0)
    b = inv("B", due_date=date(2025, 3, 1), total=Decimal("300"), min_confidence=40.0)
    c = inv("C", due_date=None, total=Decimal("20"), min_confidence=70.0)
    for offset, invoice in ((3, a), (1, b), (2, c)):
        Invoice.objects.filter(pk=invoice.pk).update(created_at=now - timedelta(days=offset))
    client.force_login(reviewer)
    response = get(client, sort="age")
    assert numbers(response) == ["A", "C", "B"]  # oldest first
    assert re.search(r'aria-sort="ascending">\s*<a [^>]*>Received', response.content.decode())
    assert numbers(get(client, sort="-age")) == ["B", "C", "A"]
    assert numbers(get(client, sort="due")) == ["B", "A", "C"]  # no due date last
    assert numbers(get(client, sort="-amount")) == ["B", "C", "A"]
    assert numbers(get(client, sort="amount")) == ["A", "C", "B"]
    assert numbers(get(client, sort="confidence")) == ["B", "C", "A"]
    assert numbers(get(client, sort="nonsense")) == ["A", "C", "B"]  # unknown → the default, not an error


def test_pagination_keeps_the_filters(client, reviewer, settings):
    for i in range(55):
        inv(f"P-{i:03d}", total=Decimal(i))
    inv("OTHER", Status.APPROVED)
    client.force_login(reviewer)
    first = get(client, sort="amount")
    assert len(numbers(first)) == 50 and numbers(first)[0] == "P-000"
    html = first.content.decode()
    assert "Page 1 of 2" in html
    next_link = re.search(r'href="(\?[^"]*page=2[^"]*)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "sort=amount" in next_link
    second = client.get(reverse("queue") + next_link)
    assert numbers(second) == [f"P-{i:03d}" for i in range(50, 55)]


def test_each_row_links_to_its_review_screen(client, reviewer):
    invoice = inv("LINK-1")
    client.force_login(reviewer)
    html = get(client).content.decode()
    try:
        target = reverse("invoice-review", kwargs={"invoice_id": invoice.pk})
    except Exception:  # the review screen is routed by its own module; until then rows open the admin page
        target = reverse("admin:invoices_invoice_change", args=[invoice.pk])
    assert f'href="{target}">LINK-1</a>' in html


def test_htmx_request_gets_only_the_results(client, reviewer):
    inv("H-1")
    client.force_login(reviewer)
    response = client.get(reverse("queue"), {"q": "H-1"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and numbers(response) == ["H-1"]
    assert re.search(r'id="queue-announce"[^>]*hx-swap-oob="true">1 invoice found<', html)  # read out


def test_low_confidence_is_marked_with_text_not_only_colour(client, reviewer):
    inv("LOW", min_confidence=42.0)
    client.force_login(reviewer)
    html = get(client).content.decode()
    assert re.search(r'class="conf low">.*Low: </span>42<', html)


def test_queue_costs_the_same_queries_for_many_invoices(client, reviewer, django_assert_max_num_queries):
    from django.core.cache import cache

    vendors = []
    from invoices.models import Vendor

    for i in range(5):
        vendors.append(Vendor.objects.create(name=f"Vendor {i}", name_key=f"vendor {i}"))
    for i in range(60):
        inv(f"Q-{i}", vendor=vendors[i % 5], has_duplicates=i % 7 == 0, failed_rules=i % 3)
    client.force_login(reviewer)
    get(client)  # warm the session and permission caches like a real second request
    cache.clear()
    # session, user, permissions (2), status counts, page count, page rows, nav count: no query per row.
    with django_assert_max_num_queries(9):
        response = get(client, sort="due")
    assert len(numbers(response)) == 50
