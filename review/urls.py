from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_home, views_invoice, views_queue

urlpatterns = [
    path("", views_home.home, name="home"),
    path("queue/", views_queue.queue, name="queue"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("upload/", views.upload, name="upload"),
    path("upload/file", views.upload_file, name="upload-file"),
    path("upload/status", views.upload_status, name="upload-status"),
    path("invoices/<uuid:invoice_id>/original", views.original, name="invoice-original"),
    # The invoice review screen (issue 5).
    path("invoices/<uuid:invoice_id>/", views_invoice.invoice_review, name="invoice-review"),
    path("invoices/<uuid:invoice_id>/save", views_invoice.invoice_save, name="invoice-save"),
    path("invoices/<uuid:invoice_id>/approve", views_invoice.invoice_approve_view, name="invoice-approve"),
    path("invoices/<uuid:invoice_id>/reject", views_invoice.invoice_reject_view, name="invoice-reject"),
    path("invoices/<uuid:invoice_id>/reprocess", views_invoice.invoice_reprocess_view, name="invoice-reprocess"),
    path("invoices/<uuid:invoice_id>/not-duplicate/<uuid:other_id>", views_invoice.invoice_not_duplicate,
         name="invoice-not-duplicate"),
    path("invoices/<uuid:invoice_id>/next", views_invoice.invoice_next, name="invoice-next"),
    path("invoices/<uuid:invoice_id>/pages/<int:page>", views_invoice.invoice_page_image, name="invoice-page"),
    path("invoices/<uuid:invoice_id>/words", views_invoice.invoice_words, name="invoice-words"),
    path("invoices/<uuid:invoice_id>/presence", views_invoice.invoice_presence, name="invoice-presence"),
]
