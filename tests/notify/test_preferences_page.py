"""The notifications page: each person chooses what they receive, among what applies to their role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from pipeline.models import Notification, NotificationPreference

pytestmark = pytest.mark.django_db
URL = "/account/notifications/"


def test_it_needs_a_signed_in_user(client):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_reviewer_sees_the_choices_that_apply_to_them(client, reviewer):
    client.force_login(reviewer)
    page = client.get(URL).content.decode()
    assert "Digest of invoices waiting for me" in page and "At most one email every 60 minutes" in page
    assert "When an invoice I uploaded cannot be processed" in page
    assert "When an invoice I uploaded is rejected" in page
    assert "When any invoice cannot be processed" not in page  # only for those who can reprocess
    assert f"Emails go to <strong>{reviewer.email}</strong>" in page
    assert 'checked' in page  # defaults: on


def test_an_admin_can_also_choose_failure_emails_for_every_invoice(client, admin_user):
    client.force_login(admin_user)
    assert "When any invoice cannot be processed" in client.get(URL).content.decode()


def test_saving_changes_what_they_receive(client, reviewer):
    client.force_login(reviewer)
    response = client.post(URL, {"review_digest": "on", "my_uploads_failed": "on"}, follow=True)

    assert "Your notification settings are saved." in response.content.decode()
    pref = NotificationPreference.objects.get(user=reviewer)
    assert (pref.review_digest, pref.my_uploads_failed, pref.my_uploads_approved, pref.my_uploads_rejected) == (
        True, True, False, False)
    assert pref.any_failed is True  # not offered to a reviewer, so not touched


def test_it_lists_recent_emails_with_their_state(client, reviewer):
    Notification.objects.create(kind="invoice_rejected", recipient=reviewer, to_email=reviewer.email,
                                subject="Invoice INV-9 was rejected", body_text="x", dedupe_key="t1",
                                state="queued", attempts=2, last_error="server: down")
    client.force_login(reviewer)
    page = client.get(URL).content.decode()
    assert "Invoice INV-9 was rejected" in page and "Queued (2 attempts)" in page


def test_a_person_without_an_email_address_is_told(client, reviewer):
    reviewer.email = ""
    reviewer.save()
    client.force_login(reviewer)
    assert "Your account has no email address" in client.get(URL).content.decode()


def test_admin_shows_the_outbox_backlog(client, admin_user, make_invoice, approver):
    from invoices.models import OutboxEvent
    from invoices.services import invoice_approve

    invoice_approve(invoice_id=make_invoice().pk, user=approver)
    OutboxEvent.objects.update(attempts=2, last_error="EndpointConnectionError: Could not connect")
    client.force_login(admin_user)
    page = client.get(reverse("admin:pipeline_outboxdelivery_changelist") + "?delivery=failing").content.decode()
    assert "EndpointConnectionError" in page and "approved" in page
    response = client.post(reverse("admin:pipeline_outboxdelivery_changelist"),
                           {"action": "retry_now", "_selected_action": list(OutboxEvent.objects.values_list("pk", flat=True))},
                           follow=True)
    assert "1 waiting change(s) will be delivered" in response.content.decode()
