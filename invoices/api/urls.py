"""Routes under /api/: invoices, vendors, the OpenAPI schema and its docs pages, problem type pages."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from .problems import api_not_found, problem_type_page
from .views import ApiRootView, InvoiceViewSet, VendorViewSet

app_name = "api"


# The docs must work with no internet: their assets come from drf-spectacular-sidecar (this server), and the
# browser is told not to fetch anything from elsewhere (Redoc's bundle shows a logo from its CDN otherwise).
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' blob:; worker-src 'self' blob:; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'")


class _OfflineDocs:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CSP
        return response


class OfflineSwaggerView(_OfflineDocs, SpectacularSwaggerView):
    pass


class OfflineRedocView(_OfflineDocs, SpectacularRedocView):
    """Redoc without the web fonts its stock page loads from Google."""

    template_name = "api/redoc.html"


router = SimpleRouter(use_regex_path=False)
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("vendors", VendorViewSet, basename="vendor")

urlpatterns = [
    path("", ApiRootView.as_view(), name="root"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", OfflineSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", OfflineRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("problems/<slug:slug>/", problem_type_page, name="problem-type"),
    *router.urls,
    # Last: anything else under /api/ is a 404 in the API's error shape, not the HTML page of the site.
    re_path(r"^(?P<unmatched>[\s\S]*)$", api_not_found, name="not-found"),  # any character, newlines too
]
