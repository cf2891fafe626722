"""Sending: a broken mail server never blocks the pipeline; failed sends retry with backoff, give up visibly, and can
be sent again from the admin."""

from __future__ import annotations

import smtplib
import socket
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.urls import reverse
from django.utils import timezone

from invoices.models import Status
from invoices.services import invoice_approve
from pipeline.models import Notification
from pipeline.notify.services import notification_send, notifications_retry_due

pytestmark = pytest.mark.django_db


class RefusingBackend(LocmemBackend):
    """A mail server that is up but refuses one recipient (a per-message failure, not an outage)."""

    def send_messages(self, messages):
        for message in messages:
            if any(to.startswith("refused") for to in message.to):
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No such user")})
        return super().send_messages(messages)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broken_mail_server(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2


def later(minutes: float):
    return timezone.now() + timedelta(minutes=minutes)


def test_a_broken_mail_server_never_blocks_the_pipeline(make_invoice, reviewer, approver, broken_mail_server,
                                                         settings, django_capture_on_commit_callbacks):
    first, second = make_invoice(uploaded_by=reviewer), make_invoice(uploaded_by=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        invoice_approve(invoice_id=first.pk, user=approver)  # the mail server is down: no exception here
    with django_capture_on_commit_callbacks(execute=True):
        invoice_approve(invoice_id=second.pk, user=approver)

    first.refresh_from_db(), second.refresh_from_db()
    assert first.status == second.status == Status.APPROVED
    tried = Notification.objects.get(invoice=first)
    assert tried.state == "queued" and tried.attempts == 1
    assert tried.last_error.startswith("server: ConnectionRefusedError")
    assert tried.next_attempt_at > timezone.now()
    # While the server is failing, the next email does not spend a timeout on it: it waits for the retry pass.
    waiting = Notification.objects.get(invoice=second)
    assert (waiting.state, waiting.attempts, waiting.next_attempt_at) == ("queued", 0, None)

    assert notifications_retry_due(now=later(5))["retrying"] == 1  # one probe while it is still down
    assert Notification.objects.get(invoice=second).attempts == 0

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the server is back
    outcome = notifications_retry_due(now=later(60))

    assert outcome["sent"] == 2
    assert sorted(m.subject for m in mail.outbox) == ["Invoice INV-1001 was approved"] * 2
    assert set(Notification.objects.values_list("state", flat=True)) == {"sent"}
    assert Notification.objects.get(invoice=first).attempts == 3  # two failures, then sent; the errors stay visible


def test_retries_back_off_then_give_up_visibly_and_can_be_sent_again(
    make_invoice, reviewer, approver, admin_user, broken_mail_server, settings, client,
    django_capture_on_commit_callbacks,
):
    settings.NOTIFY_MAX_ATTEMPTS = 3
    invoice = make_invoice(uploaded_by=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        invoice_approve(invoice_id=invoice.pk, user=approver)
    notification = Notification.objects.get()
    delays = [notification.next_attempt_at - notification.last_attempt_at]
    for minutes in range(240, 2400, 240):  # each pass a few hours later, so every retry is due
        if Notification.objects.get().state != "queued":
            break
        notifications_retry_due(now=later(minutes))
        n = Notification.objects.get()
        if n.next_attempt_at:
            delays.append(n.next_attempt_at - n.last_attempt_at)
    failed = Notification.objects.get()
    assert failed.state == "failed" and failed.attempts == 3 and failed.next_attempt_at is None
    assert delays[1] > delays[0]  # exponential backoff (with jitter: equal halves, so it always grows here)

    client.force_login(admin_user)
    page = client.get(reverse("admin:pipeline_notification_changelist") + "?state__exact=failed")
    assert page.status_code == 200
    assert "Invoice INV-1001 was approved" in page.content.decode() and "ConnectionRefusedError" in page.content.decode()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:pipeline_notification_changelist"),
                               {"action": "send_again", "_selected_action": [failed.pk]}, follow=True)
    assert "1 email(s) queued to be sent again" in response.content.decode()
    assert Notification.objects.get().state == "sent" and len(mail.outbox) == 1


def test_a_refused_recipient_does_not_hold_up_other_emails(make_invoice, reviewer, approver, settings,
                                                           django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.notify.test_sending.RefusingBackend"
    refused_user = type(reviewer).objects.create_user("refused", email="refused@example.com", password="x")
    refused_user.groups.set(reviewer.groups.all())
    with django_capture_on_commit_callbacks(execute=True):
        invoice_approve(invoice_id=make_invoice(uploaded_by=refused_user).pk, user=approver)
        invoice_approve(invoice_id=make_invoice(uploaded_by=reviewer).pk, user=approver)

    refused = Notification.objects.get(to_email="refused@example.com")
    assert refused.state == "queued" and refused.last_error.startswith("message: SMTPRecipientsRefused")
    assert Notification.objects.get(to_email=reviewer.email).state == "sent"  # not deferred by the refusal
    assert [m.to for m in mail.outbox] == [[reviewer.email]]


def test_a_send_lost_with_its_worker_is_sent_again_after_its_lease(make_invoice, reviewer, approver,
                                                                   django_capture_on_commit_callbacks):
    invoice = make_invoice(uploaded_by=reviewer)
    invoice_approve(invoice_id=invoice.pk, user=approver)
    from pipeline.notify.services import notifications_plan_for_invoice

    notifications_plan_for_invoice(invoice.pk)  # planned, but (no commit here) not sent
    notification = Notification.objects.get()
    Notification.objects.filter(pk=notification.pk).update(state="sending", next_attempt_at=later(10))  # then killed

    assert notification_send(notification.pk, probe=True) == "skipped"  # someone holds it
    assert notifications_retry_due(now=later(11))["sent"] == 1
    assert len(mail.outbox) == 1
