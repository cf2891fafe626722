"""The admin site: every model registered and browsable, read-only where changes go through services, actions."""

from __future__ import annotations

import csv
import io

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from invoices.models import (
    AuditEvent,
    DuplicateDismissal,
    IdempotencyKey,
    Invoice,
    OutboxEvent,
    ProcessingAttempt,
    RuleResult,
    Status,
    Vendor,
)
from invoices.services import vendor_create
from tests.api.helpers import flag_duplicates, with_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def staff_reviewer(reviewer):
    reviewer.is_staff = True
    reviewer.save()
    return reviewer


@pytest.fixture
def seeded(make_invoice, admin_user):
    invoice = with_result(make_invoice(line_items=[{"description": "Toner", "amount": "10"}]))
    other = make_invoice(status=Status.APPROVED)
    flag_duplicates(invoice, other)
    ProcessingAttempt.objects.create(invoice=invoice, stage="extract", outcome="succeeded", duration_ms=120)
    AuditEvent.objects.create(invoice=invoice, actor_name="pipeline", action="extracted")
    OutboxEvent.objects.create(invoice=invoice, event_type="created", invoice_version=1, status="received",
                               occurred_at=invoice.created_at, actor_name="upload")
    DuplicateDismissal.objects.create(invoice=other, other=invoice, dismissed_by=admin_user)
    IdempotencyKey.objects.create(user=admin_user, key="k-1", request_hash="x" * 64, response_status=201,
                                  response_body={"results": []})
    vendor_create(name="Acme Paper", user=admin_user)
    return invoice


def test_every_model_is_registered():
    from rest_framework.authtoken.models import TokenProxy

    for model in apps.get_app_config("invoices").get_models():
        assert admin.site.is_registered(model), model.__name__
    assert admin.site.is_registered(TokenProxy)


@pytest.mark.parametrize("model", [m.__name__.lower() for m in apps.get_app_config("invoices").get_models()])
def test_every_list_renders_with_search_and_date_hierarchy(admin_client, seeded, model):
    url = reverse(f"admin:invoices_{model}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "INV"}).status_code == 200
    model_admin = admin.site._registry[apps.get_model("invoices", model)]
    if model_admin.date_hierarchy:
        year = seeded.created_at.year
        response = admin_client.get(url, {f"{model_admin.date_hierarchy}__year": year})
        assert response.status_code == 200


def test_every_detail_page_renders(admin_client, seeded):
    for model in apps.get_app_config("invoices").get_models():
        obj = model.objects.first()
        assert obj is not None, model.__name__
        url = reverse(f"admin:invoices_{model.__name__.lower()}_change", args=[obj.pk])
        assert admin_client.get(url).status_code == 200, model.__name__


def test_invoice_list_costs_the_same_queries_for_few_or_many_rows(admin_client, make_invoice):
    make_invoice()
    url = reverse("admin:invoices_invoice_changelist")
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    for _ in range(15):
        make_invoice()
    with CaptureQueriesContext(connection) as many:
        assert admin_client.get(url).status_code == 200
    assert len(many) == len(few)


def test_invoice_page_is_read_only_with_fields_items_rules_and_audit(admin_client, seeded):
    page = admin_client.get(reverse("admin:invoices_invoice_change", args=[seeded.pk])).content.decode()
    assert 'name="_save"' not in page  # status, fields and audit change through the services only
    assert "Toner" in page and "INV-1001" in page and "duplicate.vendor_number_amount" in page
    assert "Fields extracted" in page  # the audit trail inline
    assert reverse("invoice-original", args=[seeded.pk]) in page
    assert reverse("api:invoice-result", args=[seeded.pk]) in page
    before = Invoice.objects.get(pk=seeded.pk).version
    response = admin_client.post(reverse("admin:invoices_invoice_change", args=[seeded.pk]), {"status": "approved"})
    assert response.status_code == 403
    assert Invoice.objects.get(pk=seeded.pk).version == before


def test_outbox_and_audit_cannot_be_changed_or_deleted(admin_client, seeded):
    event = OutboxEvent.objects.get()
    assert admin_client.post(reverse("admin:invoices_outboxevent_delete", args=[event.pk]),
                             {"post": "yes"}).status_code == 403
    assert admin_client.get(reverse("admin:invoices_outboxevent_add")).status_code == 403
    assert OutboxEvent.objects.filter(pk=event.pk).exists()


def _act(client, action, invoices, **extra):
    return client.post(reverse("admin:invoices_invoice_changelist"),
                       {"action": action, "_selected_action": [str(i.pk) for i in invoices], **extra}, follow=True)


def test_reprocess_action_goes_through_the_service(admin_client, admin_user, make_invoice):
    failed = make_invoice(status=Status.FAILED, status_reason="engine crashed")
    busy = make_invoice(status=Status.EXTRACTING)
    response = _act(admin_client, "reprocess_selected", [failed, busy])
    text = response.content.decode()
    assert "1 invoice(s) queued for reprocessing" in text
    assert "being processed right now" in text  # the skipped one says why
    failed.refresh_from_db()
    busy.refresh_from_db()
    assert failed.status == Status.RECEIVED and busy.status == Status.EXTRACTING
    assert AuditEvent.objects.filter(invoice=failed, action="reprocess_requested", actor=admin_user).exists()


def test_mark_not_duplicate_action(admin_client, admin_user, make_invoice):
    invoice, other = make_invoice(), make_invoice(status=Status.APPROVED)
    # Not a duplicate of either: its own number, total and date (the rules run again after a dismissal).
    plain = make_invoice(fields={"invoice_number": ("OTHER-7", 97.0), "invoice_date": ("2025-02-01", 96.0),
                                 "vendor_name": ("Northwind Traders", 95.0), "currency": ("EUR", 99.0),
                                 "total": ("55.00", 95.0)})
    flag_duplicates(invoice, other)
    text = _act(admin_client, "mark_not_duplicate", [invoice, plain]).content.decode()
    assert "1 pair(s) marked as not duplicates" in text and "Not flagged as possible duplicates" in text
    assert DuplicateDismissal.objects.filter(invoice=invoice, other=other, dismissed_by=admin_user).exists()
    assert AuditEvent.objects.filter(action="duplicate_dismissed", actor=admin_user).count() == 2
    invoice.refresh_from_db()
    assert invoice.has_duplicates is False


def test_export_csv_has_the_selected_invoices_and_neutralises_formulas(admin_client, make_invoice):
    chosen = make_invoice(fields={"invoice_number": ("INV-9", 97.0), "vendor_name": ("=HYPERLINK(\"x\")", 90.0),
                                  "total": ("-12.50", 95.0), "currency": ("EUR", 99.0)})
    make_invoice(fields={"invoice_number": ("NOT-ME", 97.0)})
    response = _act(admin_client, "export_csv", [chosen])
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    row = rows[0]
    assert row["id"] == str(chosen.pk) and row["invoice_number"] == "INV-9"
    assert row["vendor"] == "'=HYPERLINK(\"x\")"  # shown as text, not run as a formula
    assert row["total"] == "-12.5000"  # numbers stay numbers
    assert row["currency"] == "EUR" and row["status"] == "needs_review"


def test_a_staff_reviewer_gets_the_actions_of_their_role_only(client, staff_reviewer, make_invoice):
    client.force_login(staff_reviewer)
    make_invoice()
    page = client.get(reverse("admin:invoices_invoice_changelist"))
    assert page.status_code == 200
    actions = [choice[0] for choice in page.context["action_form"].fields["action"].choices]
    assert "mark_not_duplicate" in actions and "export_csv" in actions
    assert "reprocess_selected" not in actions
    invoice = make_invoice(status=Status.FAILED)
    _act(client, "reprocess_selected", [invoice])
    invoice.refresh_from_db()
    assert invoice.status == Status.FAILED


def test_people_without_staff_access_cannot_open_the_admin(client, reviewer):
    client.force_login(reviewer)
    response = client.get(reverse("admin:invoices_invoice_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_vendor_changes_in_the_admin_are_audited_like_api_changes(admin_client, admin_user):
    response = admin_client.post(reverse("admin:invoices_vendor_add"),
                                 {"name": "Globex GmbH", "tax_id": "de 111", "iban": "", "default_currency": "eur",
                                  "country": "de", "audit-TOTAL_FORMS": "0", "audit-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.content.decode()[:2000]
    vendor = Vendor.objects.get(name="Globex GmbH")
    assert (vendor.tax_id, vendor.default_currency, vendor.name_key) == ("DE111", "EUR", "globex")
    assert AuditEvent.objects.filter(vendor=vendor, actor=admin_user, detail__created=True).exists()

    response = admin_client.post(reverse("admin:invoices_vendor_change", args=[vendor.pk]),
                                 {"name": "Globex GmbH", "tax_id": "DE111", "iban": "", "default_currency": "USD",
                                  "country": "DE", "audit-TOTAL_FORMS": "0", "audit-INITIAL_FORMS": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    change = AuditEvent.objects.get(vendor=vendor, field="default_currency")
    assert (change.old_value, change.new_value, change.actor) == ("EUR", "USD", admin_user)
    page = admin_client.get(reverse("admin:invoices_vendor_change", args=[vendor.pk])).content.decode()
    assert "default_currency" in page  # the vendor's change history is on its page


def test_a_taken_vendor_name_is_a_form_error(admin_client):
    vendor_create(name="Acme Ltd")
    response = admin_client.post(reverse("admin:invoices_vendor_add"),
                                 {"name": "ACME", "tax_id": "", "iban": "", "default_currency": "", "country": "",
                                  "audit-TOTAL_FORMS": "0", "audit-INITIAL_FORMS": "0"})
    assert response.status_code == 200
    assert "already has this name" in response.content.decode()
    assert Vendor.objects.count() == 1


def test_tokens_are_created_and_revoked_in_the_admin(admin_client, reviewer, make_invoice):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    response = admin_client.post(reverse("admin:authtoken_tokenproxy_add"), {"user": reviewer.pk})
    assert response.status_code == 302
    token = Token.objects.get(user=reviewer)
    listing = admin_client.get(reverse("admin:authtoken_tokenproxy_changelist")).content.decode()
    assert token.key in listing  # the admin copies it from here to the integration
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/invoices/").status_code == 200

    response = admin_client.post(reverse("admin:authtoken_tokenproxy_delete", args=[reviewer.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Token.objects.filter(user=reviewer).exists()
    assert api.get("/api/invoices/").status_code == 401


def test_an_idempotency_key_can_be_released(admin_client, seeded):
    key = IdempotencyKey.objects.get()
    response = admin_client.post(reverse("admin:invoices_idempotencykey_delete", args=[key.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not IdempotencyKey.objects.exists()


def test_rule_results_and_attempts_are_read_only(admin_client, seeded):
    rule = RuleResult.objects.first()
    page = admin_client.get(reverse("admin:invoices_ruleresult_change", args=[rule.pk])).content.decode()
    assert 'name="_save"' not in page
    attempt = ProcessingAttempt.objects.first()
    page = admin_client.get(reverse("admin:invoices_processingattempt_change", args=[attempt.pk])).content.decode()
    assert 'name="_save"' not in page


def test_custom_filters_select_the_right_rows(admin_client, make_invoice):
    failing, clean = make_invoice(fields={"invoice_number": ("FAIL-1", 97.0)}), make_invoice(
        fields={"invoice_number": ("CLEAN-1", 97.0)})
    Invoice.objects.filter(pk=failing.pk).update(failed_rules=2)
    url = reverse("admin:invoices_invoice_changelist")
    page = admin_client.get(url, {"rules": "failed"}).content.decode()
    assert "FAIL-1" in page and "CLEAN-1" not in page
    page = admin_client.get(url, {"rules": "passed"}).content.decode()
    assert "CLEAN-1" in page and "FAIL-1" not in page

    delivered = OutboxEvent.objects.create(invoice=clean, event_type="created", invoice_version=1, status="received",
                                           occurred_at=clean.created_at, actor_name="upload",
                                           dynamodb_done_at=clean.created_at, sns_done_at=clean.created_at)
    pending = OutboxEvent.objects.create(invoice=failing, event_type="created", invoice_version=1, status="received",
                                         occurred_at=failing.created_at, actor_name="upload", last_error="timeout")
    outbox = reverse("admin:invoices_outboxevent_changelist")
    assert list(admin_client.get(outbox, {"delivery": "pending"}).context["cl"].result_list) == [pending]
    assert list(admin_client.get(outbox, {"delivery": "done"}).context["cl"].result_list) == [delivered]
    assert list(admin_client.get(outbox, {"delivery": "failing"}).context["cl"].result_list) == [pending]
