"""Home: who may see it, and the figures it shows (counts, today's throughput, timings, oldest waiting, volume)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from invoices.models import Invoice, Status
from invoices.selectors import home_stats
from tests.factories import make_invoice

pytestmark = pytest.mark.django_db


def inv(number: str, status: str = Status.NEEDS_REVIEW, **columns) -> Invoice:
    return make_invoice(status=status, fields={}, store_original=False, invoice_number=number, **columns)


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_home_requires_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_home_refuses_users_without_a_role(client, nobody):
    client.force_login(nobody)
    assert client.get("/").status_code == 403


@pytest.mark.parametrize("who", ["reviewer", "approver_only", "admin_user"])
def test_every_role_sees_home(client, request, who):
    client.force_login(request.getfixturevalue(who))
    response = client.get("/")
    assert response.status_code == 200 and "Overview" in response.content.decode()


def test_timings_are_average_and_nearest_rank_p95_of_recent_routings():
    now = timezone.now()
    for i, ms in enumerate([100, 200, 300, 400, 500, 600, 700, 800, 900, 10_000]):
        inv(f"T-{i}", processing_ms=ms, routed_at=now - timedelta(hours=1))
    inv("OLD", processing_ms=999_999, routed_at=now - timedelta(days=40))  # outside the 30-day window
    stats = home_stats(now=now)
    assert stats.timed == 10
    assert stats.avg_ms == pytest.approx(1450)
    assert stats.p95_ms == 10_000  # nearest rank: the 10th of 10


def test_processed_today_counts_routings_since_midnight_only():
    now = timezone.now().replace(hour=12)
    inv("TODAY-1", routed_at=now - timedelta(hours=1))
    inv("TODAY-2", routed_at=now - timedelta(hours=11))
    inv("YESTERDAY", routed_at=now - timedelta(hours=13))
    inv("NOT-ROUTED", Status.EXTRACTING)
    assert home_stats(now=now).processed_today == 2


def test_daily_volume_covers_each_day_with_zeros():
    now = timezone.now()
    for days_ago in (0, 0, 0, 2):
        invoice = inv(f"D-{days_ago}-{Invoice.objects.count()}")
        Invoice.objects.filter(pk=invoice.pk).update(created_at=now - timedelta(days=days_ago))
    daily = home_stats(now=now, days=7).daily
    assert len(daily) == 7 and daily[-1] == (timezone.localtime(now).date(), 3)
    assert [n for _, n in daily] == [0, 0, 0, 0, 1, 0, 3]


def test_home_shows_counts_timings_oldest_and_an_accessible_chart(client, reviewer):
    now = timezone.now()
    oldest = inv("OLDEST-1", vendor_name="Acme")
    Invoice.objects.filter(pk=oldest.pk).update(created_at=now - timedelta(days=3))
    inv("NEWER", Status.READY)
    inv("DONE", Status.APPROVED, processing_ms=1500, routed_at=now)
    inv("BROKEN", Status.FAILED)
    client.force_login(reviewer)
    response = client.get("/")
    page = text(response)
    assert "Waiting for a person 2" in page.replace("WAITING", "Waiting")
    assert "1 need review, 1 ready to approve" in page
    assert "Processed today 1" in page
    assert "1.5 s average" in page and "95th percentile 1.5 s" in page
    assert "OLDEST-1" in page and "3 days" in page
    html = response.content.decode()
    assert re.search(r'<svg class="chart"[^>]*role="img"[^>]*aria-labelledby="volume volume-desc"', html)
    assert "Last 14 days: 4 invoices, at most 3 in a day." in page
    assert html.count('<rect ') == 14
    assert "Figures as a table" in page


def test_home_with_no_invoices_says_so(client, reviewer):
    client.force_login(reviewer)
    page = text(client.get("/"))
    assert "Nothing is waiting." in page and "No invoice processed in the last 30 days." in page


def test_nav_links_and_needs_review_count(client, reviewer, admin_user):
    from django.core.cache import cache

    cache.clear()
    inv("N-1")
    inv("N-2")
    client.force_login(reviewer)
    html = client.get("/").content.decode()
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S).group(1)
    assert [re.sub(r"<[^>]+>", "", a).split()[0] for a in re.findall(r"<a [^>]*>.*?</a>", nav, re.S)] == [
        "Home", "Queue", "Upload", "Notifications"]
    assert '2<span class="visually-hidden"> need review</span>' in nav
    assert 'href="/" aria-current="page"' in nav
    client.force_login(admin_user)
    assert "Admin</a>" in client.get("/").content.decode()
