"""Review digests: one email per interval per person, grouping what newly waits for them; preferences honoured."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from invoices.models import Status
from pipeline.models import Notification, NotificationPreference
from pipeline.notify.services import digests_send_due, notification_preferences_update
from tests.notify.conftest import save_email

pytestmark = pytest.mark.django_db


def waiting(make_invoice, status, number, minutes_ago, **columns):
    return make_invoice(
        status=status,
        routed_at=timezone.now() - timedelta(minutes=minutes_ago),
        fields={"invoice_number": (number, 97.0), "vendor_name": ("Fabrikam Ltd", 95.0), "currency": ("EUR", 99.0),
                "total": ("1250.00", 70.0), "invoice_date": ("2025-05-01", 96.0)},
        review_reasons=["The total is uncertain (70%)."],
        **columns,
    )


def test_a_digest_groups_what_newly_waits_for_each_person(make_invoice, reviewer, approver, approver_only,
                                                          mailoutbox, settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_DIGEST_MINUTES = 60
    for n in range(3):
        waiting(make_invoice, Status.NEEDS_REVIEW, f"NR-{n}", minutes_ago=10 + n)
    for n in range(2):
        waiting(make_invoice, Status.READY, f"RD-{n}", minutes_ago=20 + n)
    waiting(make_invoice, Status.NEEDS_REVIEW, "NR-OLD", minutes_ago=600)  # waiting, but not new
    waiting(make_invoice, Status.APPROVED, "AP-0", minutes_ago=5)  # done already: nobody's business

    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send_due() == 3

    by_person = {m.to[0]: m for m in mailoutbox}
    assert set(by_person) == {reviewer.email, approver.email, approver_only.email}
    to_reviewer = by_person[reviewer.email]  # reviews only
    assert to_reviewer.subject == "3 invoices waiting for you: 3 need review"
    assert all(f"NR-{n}" in to_reviewer.body for n in range(3))
    assert "RD-0" not in to_reviewer.body and "NR-OLD" not in to_reviewer.body and "AP-0" not in to_reviewer.body
    assert "3 new, 4 waiting in all" in to_reviewer.body
    assert "1250.00 EUR" in to_reviewer.body and "Fabrikam Ltd" in to_reviewer.body
    assert "The total is uncertain (70%)." in to_reviewer.body
    html = to_reviewer.alternatives[0][0]
    assert "NR-2" in html and "Open the queue" in html
    to_approver = by_person[approver.email]  # reviews and approves: one email, two sections
    assert to_approver.subject == "5 invoices waiting for you: 3 need review, 2 ready to approve"
    assert by_person[approver_only.email].subject == "2 invoices waiting for you: 2 ready to approve"
    assert Notification.objects.filter(kind="digest").count() == 3
    assert Notification.objects.get(recipient=approver).invoice_count == 5
    save_email("review_digest", to_approver)


def test_at_most_one_digest_per_interval_and_each_invoice_once(make_invoice, reviewer, mailoutbox, settings,
                                                              django_capture_on_commit_callbacks):
    settings.NOTIFY_DIGEST_MINUTES = 30
    waiting(make_invoice, Status.NEEDS_REVIEW, "FIRST", minutes_ago=5)
    start = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        digests_send_due(now=start)
    assert len(mailoutbox) == 1

    second = waiting(make_invoice, Status.NEEDS_REVIEW, "SECOND", minutes_ago=0)
    second.routed_at = start + timedelta(minutes=1)
    second.save(update_fields=["routed_at"])
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send_due(now=start + timedelta(minutes=10)) == 0  # too soon
        assert digests_send_due(now=start + timedelta(minutes=31)) == 1
    assert len(mailoutbox) == 2
    assert "SECOND" in mailoutbox[1].body and "FIRST" not in mailoutbox[1].body
    assert "1 new, 2 waiting in all" in mailoutbox[1].body


def test_nothing_new_means_no_email(make_invoice, reviewer, mailoutbox, django_capture_on_commit_callbacks):
    waiting(make_invoice, Status.NEEDS_REVIEW, "OLD", minutes_ago=24 * 60)
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send_due() == 0
    assert mailoutbox == []
    assert NotificationPreference.objects.get(user=reviewer).digest_sent_until is not None


def test_people_who_turned_the_digest_off_get_none(make_invoice, reviewer, approver, mailoutbox,
                                                    django_capture_on_commit_callbacks):
    notification_preferences_update(user=reviewer, review_digest=False)
    waiting(make_invoice, Status.NEEDS_REVIEW, "X-1", minutes_ago=5, total=Decimal("1"))
    with django_capture_on_commit_callbacks(execute=True):
        digests_send_due()
    assert [m.to for m in mailoutbox] == [[approver.email]]


def test_people_without_review_or_approval_rights_get_no_digest(make_invoice, nobody, mailoutbox,
                                                                django_capture_on_commit_callbacks):
    waiting(make_invoice, Status.NEEDS_REVIEW, "X-2", minutes_ago=5)
    with django_capture_on_commit_callbacks(execute=True):
        assert digests_send_due() == 0
    assert mailoutbox == []
