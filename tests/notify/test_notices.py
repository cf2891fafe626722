"""Failure and decision emails: the right people, their preferences, exactly once, and nothing lost when a hook is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from invoices.models import OutboxEvent, Status
from invoices.services import invoice_approve, invoice_fail, invoice_reject, invoice_reprocess, lock_invoice
from invoices.services.workflow import invoice_set_status
from pipeline import hooks
from pipeline.models import Notification, NotifiedEvent, NotifyCursor
from pipeline.notify.links import invoice_link
from pipeline.notify.services import (
    notification_preferences_update,
    notifications_plan_for_invoice,
    notifications_plan_pending,
)
from tests.notify.conftest import save_email

pytestmark = pytest.mark.django_db

REASON = "The PDF is encrypted with a password; upload an unprotected copy."


def fail(make_invoice, uploader, reason=REASON):
    invoice = make_invoice(status=Status.EXTRACTING, uploaded_by=uploader)
    invoice_fail(invoice_id=invoice.pk, reason=reason)
    invoice.refresh_from_db()
    return invoice


def test_a_failure_reaches_the_uploader_and_admins_with_reason_and_link(
    make_invoice, reviewer, approver, admin_user, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://invoices.example.com"
    invoice = fail(make_invoice, reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        hooks.invoice_failed(str(invoice.pk))  # as the pipeline calls it after commit

    assert sorted(m.to[0] for m in mailoutbox) == [admin_user.email, reviewer.email]  # not the approver
    for message in mailoutbox:
        assert message.subject == f"Invoice {invoice.invoice_number} could not be processed"
        assert REASON in message.body
        # The review screen when it exists, else the admin's page of the invoice: absolute, on SITE_URL.
        link = invoice_link(invoice.pk)
        assert link.startswith("https://invoices.example.com/") and str(invoice.pk) in link
        assert link in message.body
        html, mime = message.alternatives[0]
        assert mime == "text/html" and REASON in html and str(invoice.pk) in html
        assert "/account/notifications/" in message.body  # where to choose what you receive
    to_uploader = next(m for m in mailoutbox if m.to == [reviewer.email])
    assert "An invoice you uploaded could not be processed" in to_uploader.body
    to_admin = next(m for m in mailoutbox if m.to == [admin_user.email])
    assert "reprocess" in to_admin.body and f"by {reviewer.username}" in to_admin.body
    assert set(Notification.objects.values_list("state", flat=True)) == {"sent"}
    save_email("invoice_failed_admin", to_admin)


def test_failure_emails_follow_each_persons_choice(make_invoice, reviewer, admin_user, mailoutbox,
                                                   django_capture_on_commit_callbacks):
    notification_preferences_update(user=admin_user, any_failed=False)
    invoice = fail(make_invoice, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        notifications_plan_for_invoice(invoice.pk)
    assert [m.to for m in mailoutbox] == [[reviewer.email]]

    notification_preferences_update(user=reviewer, my_uploads_failed=False)
    other = fail(make_invoice, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        notifications_plan_for_invoice(other.pk)
    assert len(mailoutbox) == 1  # nobody wanted this one
    assert NotifiedEvent.objects.get(event__invoice=other).notifications == 0


def test_the_uploader_hears_about_approval_and_rejection_unless_they_opt_out(
    make_invoice, reviewer, approver, mailoutbox, django_capture_on_commit_callbacks
):
    approved = make_invoice(uploaded_by=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        invoice_approve(invoice_id=approved.pk, user=approver)  # the workflow calls hooks.invoice_decided

    assert len(mailoutbox) == 1 and mailoutbox[0].to == [reviewer.email]
    assert mailoutbox[0].subject == "Invoice INV-1001 was approved"
    assert f"approved by {approver.username}" in mailoutbox[0].body

    rejected = make_invoice(uploaded_by=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        invoice_reject(invoice_id=rejected.pk, user=approver, reason="VAT number does not match our records")
    assert mailoutbox[1].subject == "Invoice INV-1001 was rejected"
    assert "Reason: VAT number does not match our records" in mailoutbox[1].body
    save_email("invoice_rejected", mailoutbox[1])

    notification_preferences_update(user=reviewer, my_uploads_approved=False, my_uploads_rejected=False)
    for invoice, decide in ((make_invoice(uploaded_by=reviewer), "approve"), (make_invoice(uploaded_by=reviewer),
                                                                             "reject")):
        with django_capture_on_commit_callbacks(execute=True):
            if decide == "approve":
                invoice_approve(invoice_id=invoice.pk, user=approver)
            else:
                invoice_reject(invoice_id=invoice.pk, user=approver, reason="No")
    assert len(mailoutbox) == 2  # nothing more


def test_an_automatic_approval_tells_the_uploader(make_invoice, reviewer, mailoutbox,
                                                  django_capture_on_commit_callbacks):
    invoice = make_invoice(status=Status.VALIDATED, uploaded_by=reviewer)
    with transaction.atomic():
        invoice_set_status(lock_invoice(invoice.pk), to=Status.APPROVED, event="routed")
    with django_capture_on_commit_callbacks(execute=True):
        hooks.invoice_routed(str(invoice.pk))

    assert len(mailoutbox) == 1
    assert "approved automatically: every check passed" in mailoutbox[0].body


def test_routing_to_review_sends_no_single_email(make_invoice, reviewer, mailoutbox,
                                                 django_capture_on_commit_callbacks):
    invoice = make_invoice(status=Status.VALIDATED, uploaded_by=reviewer)
    with transaction.atomic():
        invoice_set_status(lock_invoice(invoice.pk), to=Status.NEEDS_REVIEW, event="routed")
    with django_capture_on_commit_callbacks(execute=True):
        hooks.invoice_routed(str(invoice.pk))
    assert mailoutbox == []  # reviewers get the digest instead


def test_each_event_is_planned_exactly_once(make_invoice, reviewer, admin_user, mailoutbox,
                                            django_capture_on_commit_callbacks):
    invoice = fail(make_invoice, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        hooks.invoice_failed(str(invoice.pk))
        hooks.invoice_failed(str(invoice.pk))
        notifications_plan_pending()
        notifications_plan_for_invoice(invoice.pk)

    assert len(mailoutbox) == 2  # one for the uploader, one for the admin
    assert Notification.objects.count() == 2 and NotifiedEvent.objects.count() == 1


def test_the_backstop_finds_changes_whose_hook_was_lost(make_invoice, reviewer, admin_user, approver, mailoutbox,
                                                        django_capture_on_commit_callbacks):
    lost = fail(make_invoice, reviewer)  # nobody called hooks.invoice_failed (process died after commit)
    ancient = fail(make_invoice, reviewer)
    OutboxEvent.objects.filter(invoice=ancient).update(occurred_at=timezone.now() - timedelta(days=3))
    moved_on = fail(make_invoice, reviewer)
    invoice_reprocess(invoice_id=moved_on.pk)  # already being processed again: the failure is old news
    decided = make_invoice(uploaded_by=reviewer)
    invoice_approve(invoice_id=decided.pk, user=approver)  # its hook was lost too

    with django_capture_on_commit_callbacks(execute=True):
        planned = notifications_plan_pending()

    assert planned == 3  # lost, moved_on, decided (ancient is older than a day: never emailed)
    subjects = sorted((m.to[0], m.subject) for m in mailoutbox)
    assert subjects == sorted([
        (reviewer.email, f"Invoice {lost.invoice_number} could not be processed"),
        (admin_user.email, f"Invoice {lost.invoice_number} could not be processed"),
        (reviewer.email, "Invoice INV-1001 was approved"),
    ])
    # The cursor moves only past settled events (older than SETTLE): a slow transaction could still commit a lower
    # id than a recent one. Here only the back-dated event is settled ...
    assert NotifyCursor.objects.get().position == OutboxEvent.objects.get(invoice=ancient).pk
    # ... and once they are settled it moves past them, so later passes do not scan them again.
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_plan_pending(now=timezone.now() + timedelta(minutes=20)) == 0
    assert NotifyCursor.objects.get().position == OutboxEvent.objects.order_by("-id").first().pk
    assert len(mailoutbox) == 3


def test_people_without_an_email_address_are_skipped(make_invoice, reviewer, admin_user, mailoutbox,
                                                     django_capture_on_commit_callbacks):
    reviewer.email = ""
    reviewer.save()
    invoice = fail(make_invoice, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        hooks.invoice_failed(str(invoice.pk))
    assert [m.to for m in mailoutbox] == [[admin_user.email]]
