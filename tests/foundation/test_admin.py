import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_invoice_list_shows_status_vendor_total_and_confidence(client, admin_user, make_invoice):
    make_invoice(fields={"invoice_number": ("ADM-77", 97.0), "vendor_name": ("Acme Paper", 96.0),
                         "total": ("1250.50", 61.0), "currency": ("EUR", 99.0), "invoice_date": ("2025-01-02", 95.0)})
    client.force_login(admin_user)
    response = client.get(reverse("admin:invoices_invoice_changelist"), {"q": "ADM-77"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "ADM-77" in text and "Acme Paper" in text and "1250.5" in text
    assert "61%" in text and "Needs review" in text


def test_invoice_page_links_to_the_original_which_downloads(client, admin_user, make_invoice):
    invoice = make_invoice()
    client.force_login(admin_user)
    page = client.get(reverse("admin:invoices_invoice_change", args=[invoice.pk])).content.decode()
    link = reverse("invoice-original", args=[invoice.pk])
    assert link in page
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_audit_trail_is_read_only_in_the_admin(client, admin_user, make_invoice):
    from invoices.models import AuditEvent

    event = AuditEvent.objects.create(invoice=make_invoice(), actor_name="pipeline", action="extracted")
    client.force_login(admin_user)
    assert client.get(reverse("admin:invoices_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:invoices_auditevent_add")).status_code == 403
    page = client.get(reverse("admin:invoices_auditevent_change", args=[event.pk])).content.decode()
    assert 'name="_save"' not in page
    assert client.post(reverse("admin:invoices_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
