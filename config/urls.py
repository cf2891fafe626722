from django.contrib import admin
from django.urls import include, path

from .health import healthz

admin.site.site_header = "Invoices administration"
admin.site.site_title = "Invoices admin"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("invoices.api.urls")),  # REST API, its schema and docs (issue 6)
    path("", include("review.urls")),
    path("account/notifications/", include("pipeline.notify.urls")),  # notifications (issue 7)
]
