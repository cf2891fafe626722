"""The REST API: access check → serializer → one service call (or selector read) → response.

Invoices: upload, list with filters, detail, corrections (If-Match), approve / reject (If-Match), reprocess,
mark not-duplicate, the original file and the stored extraction result. Vendors: list, detail, create, update.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status as http
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from invoices import selectors, storage
from invoices.models import Channel, Invoice, Vendor
from invoices.services import (
    InvalidFields,
    InvalidTransition,
    StaleInvoice,
    invoice_approve,
    invoice_correct_fields,
    invoice_intake,
    invoice_reject,
    invoice_reprocess,
    invoice_set_line_items,
    vendor_create,
    vendor_update,
)
from invoices.services.duplicates import invoice_dismiss_duplicate

from . import permissions as perms
from . import serializers as s
from .idempotency import HEADER as IDEMPOTENCY_HEADER
from .idempotency import REPLAYED_HEADER, idempotent
from .pagination import KeysetCursorPagination
from .preconditions import etag_for, expected_version
from .problems import PROBLEM_CONTENT_TYPE, Conflict, NotAvailable, PreconditionFailed, Problem, problem_body
from .throttling import UploadRateThrottle

# --- schema helpers --------------------------------------------------------------------------------------------
_PROBLEM_TEXT = {
    400: "The request is not valid (problem details with `errors` per field).",
    401: "No valid credentials: send `Authorization: Token <key>` or sign in.",
    403: "Signed in, but your role does not allow this.",
    404: "No such invoice or vendor.",
    409: "Not possible in the current state.",
    412: "The If-Match version is not the current one; nothing changed. `current` holds the invoice as it is now.",
    413: "The request is too large.",
    415: "The body's media type is not accepted here.",
    422: "Nothing could be done with the request (see `detail`).",
    428: "If-Match is required: send the ETag from GET.",
    429: "Too many requests for this token; see Retry-After.",
}


def problems(*codes: int) -> dict:
    return {
        (code, PROBLEM_CONTENT_TYPE): OpenApiResponse(s.ProblemSerializer, description=_PROBLEM_TEXT[code])
        for code in sorted({400, 401, 403, 429, *codes})
    }




def etag_header(*codes: int) -> OpenApiParameter:
    return OpenApiParameter(
        "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=list(codes),
        description='The invoice version, e.g. "7": send it back in If-Match to change the invoice.',
    )


IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
    description='The ETag of the invoice as you read it (e.g. "7"). Missing → 428; not current → 412.',
)
IDEMPOTENCY_KEY = OpenApiParameter(
    IDEMPOTENCY_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="Any unique string (a UUID): retrying the same request with the same key returns the first "
                "response instead of doing it again.",
)


def _detail_response(request, invoice_id, status_code: int = http.HTTP_200_OK) -> Response:
    invoice = selectors.invoice_detail(invoice_id)
    data = s.InvoiceDetailSerializer(invoice, context={"request": request}).data
    return Response(data, status=status_code, headers={"ETag": etag_for(invoice)})


def _query(serializer_class, request):
    """Validate a list's query parameters; unknown ones are refused rather than silently ignored."""
    serializer = serializer_class.from_query(request.query_params) if hasattr(serializer_class, "from_query") \
        else serializer_class(data=request.query_params.dict())
    allowed = set(serializer.fields) | {"cursor", "page_size"}  # the paginator's own
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise ValidationError({name: [f"Unknown parameter; use one of: {', '.join(sorted(allowed))}."]
                               for name in unknown})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class AnyMediaRenderer(JSONRenderer):
    """Lets a client ask for the original with ``Accept: application/pdf`` (or anything) instead of getting 406."""

    media_type = "*/*"
    format = "original"


# --- invoices --------------------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        summary="List invoices",
        description="Filters combine with AND. Cursor pagination: follow `next` until it is null. For incremental "
                    "pulls use `ordering=updated&updated_since=<the last updated_at you saw>`.",
        parameters=[s.InvoiceQuerySerializer],
        responses={200: s.InvoiceSummarySerializer(many=True), **problems()},
    ),
    retrieve=extend_schema(
        summary="One invoice with fields, line items, rule results, duplicates and audit trail",
        parameters=[etag_header(200)],
        responses={200: s.InvoiceDetailSerializer, **problems(404)},
    ),
)
class InvoiceViewSet(viewsets.GenericViewSet):
    queryset = Invoice.objects.none()  # reads go through invoices.selectors
    serializer_class = s.InvoiceDetailSerializer
    pagination_class = KeysetCursorPagination
    lookup_value_converter = "uuid"
    http_method_names = ["get", "post", "patch", "head"]

    permission_by_action = {
        "list": perms.CanView,
        "retrieve": perms.CanView,
        "original": perms.CanView,
        "result": perms.CanView,
        "create": perms.CanUpload,
        "partial_update": perms.CanReview,
        "not_duplicate": perms.CanReview,
        "approve": perms.CanApprove,
        "reject": perms.CanApprove,
        "reprocess": perms.CanReprocess,
    }

    def get_permissions(self):
        return [IsAuthenticated(), self.permission_by_action.get(self.action, perms.CanView)()]

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.action == "create":
            throttles.append(UploadRateThrottle())
        return throttles

    parser_classes = [JSONParser]

    def initialize_request(self, request, *args, **kwargs):
        request = super().initialize_request(request, *args, **kwargs)
        if self.action == "create":  # known only now; the body is parsed later, on first access
            request.parsers = [MultiPartParser()]
        return request

    def get_ordering(self) -> tuple[str, tuple[str, ...]]:
        return self._ordering, selectors.ORDERINGS[self._ordering]

    def _current_version(self, pk) -> int:
        version = selectors.invoice_version(pk)
        if version is None:
            raise NotFound("There is no invoice with this id.")
        return version

    def _stale(self, exc: StaleInvoice) -> PreconditionFailed:
        invoice = selectors.invoice_detail(exc.current.pk)
        current = s.InvoiceDetailSerializer(invoice, context={"request": self.request}).data
        return PreconditionFailed(str(exc), current_version=invoice.version, current=current,
                                  headers={"ETag": etag_for(invoice)})

    # --- reads -----------------------------------------------------------------------------------------------
    def list(self, request):
        q = _query(s.InvoiceQuerySerializer, request)
        filters = selectors.InvoiceFilters(
            statuses=q.get("status", []),
            search=q.get("search", ""),
            number=q.get("number", ""),
            vendor_id=q.get("vendor"),
            vendor=q.get("vendor_name", ""),
            currency=q.get("currency", ""),
            date_from=q.get("invoice_date_from"),
            date_to=q.get("invoice_date_to"),
            amount_min=q.get("total_min"),
            amount_max=q.get("total_max"),
            needs_review=q.get("needs_review"),
            has_duplicates=q.get("has_duplicates"),
            has_failed_rules=q.get("has_failed_rules"),
            updated_since=q.get("updated_since"),
        )
        self._ordering = q["ordering"]
        page = self.paginate_queryset(selectors.invoice_list(filters=filters, ordering=self._ordering))
        data = s.InvoiceSummarySerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    def retrieve(self, request, pk=None):
        try:
            return _detail_response(request, pk)
        except Invoice.DoesNotExist:
            raise NotFound("There is no invoice with this id.")

    @extend_schema(
        summary="The original file",
        description="On S3 a redirect (302) to a short-lived presigned link; on local storage the file itself.",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The file as received."),
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "image/tiff"): OpenApiResponse(OpenApiTypes.BINARY),
            (302, "application/json"): OpenApiResponse(
                s.OriginalLinkSerializer, description="Location: a presigned link, valid for `expires_in` seconds."
            ),
            **problems(404),
        },
        # DRF's ?format= switch is not part of this API (the second renderer only keeps Accept: */* happy).
        parameters=[OpenApiParameter("format", exclude=True)],
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, AnyMediaRenderer])
    def original(self, request, pk=None):
        invoice = selectors.invoice_files(pk)
        if invoice is None:
            raise NotFound("There is no invoice with this id.")
        raw = storage.raw_storage()
        name = invoice.original.name
        if not name or not raw.exists(name):
            raise NotAvailable("The original file is missing from storage.")
        if getattr(raw, "querystring_auth", False):  # S3: hand out a short-lived link, do not proxy the bytes
            expires = settings.API_ORIGINAL_URL_EXPIRES
            url = raw.url(name, expire=expires, parameters={
                "ResponseContentType": invoice.content_type,
                "ResponseContentDisposition": f'inline; filename="{_ascii_filename(invoice.original_name)}"',
            })
            return Response({"url": url, "expires_in": expires}, status=http.HTTP_302_FOUND,
                            headers={"Location": url, "Cache-Control": "private, no-store"},
                            content_type="application/json")
        response = FileResponse(raw.open(name, "rb"), content_type=invoice.content_type,
                                filename=invoice.original_name)
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(
        summary="The stored extraction result (JSON)",
        description="The latest engine result as stored: fields, line items, issues and timings.",
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT), **problems(404)},
    )
    @action(detail=True, methods=["get"])
    def result(self, request, pk=None):
        invoice = selectors.invoice_files(pk)
        if invoice is None:
            raise NotFound("There is no invoice with this id.")
        if not invoice.result_path:
            raise NotAvailable(f"No extraction result yet: the invoice is {invoice.get_status_display().lower()}.")
        if not storage.processed_storage().exists(invoice.result_path):
            raise NotAvailable("The extraction result is missing from storage.")
        return Response(storage.read_result(invoice.result_path))

    # --- writes ----------------------------------------------------------------------------------------------
    @extend_schema(
        summary="Upload one or more invoice files",
        description="Multipart form with one or more `files`. Each file is received, refused with the reason, or "
                    "recognised as a duplicate of an earlier upload. 201 when at least one invoice was created, 200 "
                    "when all were duplicates, 422 when every file was refused. Poll each invoice's `url`.",
        request={"multipart/form-data": s.UploadSerializer},
        parameters=[IDEMPOTENCY_KEY],
        responses={
            201: s.UploadResultSerializer,
            200: OpenApiResponse(s.UploadResultSerializer, description="Every file was a duplicate."),
            **problems(409, 413, 415, 422),
        },
    )
    def create(self, request):
        return idempotent(request, lambda: self._upload(request))

    def _upload(self, request) -> Response:
        serializer = s.UploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcomes = [
            invoice_intake(file=f, name=f.name, channel=Channel.API, uploaded_by=request.user)
            for f in serializer.validated_data["files"]
        ]
        results = s.UploadOutcomeSerializer(outcomes, many=True, context={"request": request}).data
        if any(o.outcome == "created" for o in outcomes):
            return Response({"results": results}, status=http.HTTP_201_CREATED)
        if all(o.outcome == "duplicate" for o in outcomes):
            return Response({"results": results}, status=http.HTTP_200_OK)
        errors = [{"field": f"files[{i}]", "detail": f"{o.name}: {o.message}", "code": o.code}
                  for i, o in enumerate(outcomes) if o.outcome == "rejected"]
        body = problem_body(status_code=422, slug="files-rejected", instance=request.path, errors=errors,
                            detail="; ".join(e["detail"] for e in errors[:3]), results=results)
        return Response(body, status=422, content_type=PROBLEM_CONTENT_TYPE)

    @extend_schema(
        summary="Correct fields and/or line items",
        description="Values as a person would type them. Each changed field becomes `source: person`, confidence "
                    "100, with an audit entry; the rules and routing run again. Requires If-Match.",
        request=s.InvoiceCorrectionSerializer,
        parameters=[IF_MATCH, etag_header(200, 412)],
        responses={200: s.InvoiceDetailSerializer, **problems(404, 409, 412, 415, 428)},
    )
    def partial_update(self, request, pk=None):
        version = expected_version(request, self._current_version(pk))
        serializer = s.InvoiceCorrectionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = serializer.validated_data
        try:
            with transaction.atomic():  # fields and line items together, or neither
                if changes.get("fields"):
                    invoice, _ = invoice_correct_fields(
                        invoice_id=pk, changes=changes["fields"], user=request.user, expected_version=version
                    )
                    version = invoice.version
                if "line_items" in changes:
                    invoice_set_line_items(
                        invoice_id=pk, items=changes["line_items"], user=request.user, expected_version=version
                    )
        except StaleInvoice as exc:
            raise self._stale(exc)
        except InvalidFields as exc:
            raise Problem("Some values could not be read; nothing was saved.", slug="validation-error",
                          errors=_invalid_field_errors(exc))
        except InvalidTransition as exc:
            raise Conflict(str(exc))
        return _detail_response(request, pk)

    @extend_schema(
        summary="Approve",
        request=s.ApproveSerializer,
        parameters=[IF_MATCH, etag_header(200, 412)],
        responses={200: s.InvoiceDetailSerializer, **problems(404, 409, 412, 415, 428)},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        version = expected_version(request, self._current_version(pk))
        serializer = s.ApproveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            invoice_approve(invoice_id=pk, user=request.user, expected_version=version,
                            note=serializer.validated_data["note"])
        except StaleInvoice as exc:
            raise self._stale(exc)
        except InvalidTransition as exc:
            raise Conflict(str(exc))
        return _detail_response(request, pk)

    @extend_schema(
        summary="Reject, with a reason",
        request=s.RejectSerializer,
        parameters=[IF_MATCH, etag_header(200, 412)],
        responses={200: s.InvoiceDetailSerializer, **problems(404, 409, 412, 415, 428)},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        version = expected_version(request, self._current_version(pk))
        serializer = s.RejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            invoice_reject(invoice_id=pk, user=request.user, expected_version=version,
                           reason=serializer.validated_data["reason"])
        except StaleInvoice as exc:
            raise self._stale(exc)
        except InvalidTransition as exc:
            raise Conflict(str(exc))
        return _detail_response(request, pk)

    @extend_schema(
        summary="Run extraction again from the stored original",
        description="Earlier results stay in storage. The invoice goes back to `received` (202); poll it.",
        request=s.ReprocessSerializer,
        parameters=[etag_header(202)],
        responses={202: s.InvoiceDetailSerializer, **problems(404, 409, 415)},
    )
    @action(detail=True, methods=["post"])
    def reprocess(self, request, pk=None):
        self._current_version(pk)
        serializer = s.ReprocessSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            invoice_reprocess(invoice_id=pk, user=request.user, reason=serializer.validated_data["reason"])
        except InvalidTransition as exc:
            raise Conflict(str(exc))
        return _detail_response(request, pk, http.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Mark a flagged possible duplicate as not a duplicate",
        request=s.NotDuplicateSerializer,
        parameters=[etag_header(200)],
        responses={200: s.InvoiceDetailSerializer, **problems(404, 409, 415)},
    )
    @action(detail=True, methods=["post"], url_path="not-duplicate", url_name="not-duplicate")
    def not_duplicate(self, request, pk=None):
        self._current_version(pk)
        serializer = s.NotDuplicateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        other = serializer.validated_data["other"]
        try:
            invoice_dismiss_duplicate(invoice_id=pk, other_id=other, user=request.user)
        except Invoice.DoesNotExist:
            raise ValidationError({"other": ["There is no invoice with this id."]})
        except InvalidTransition as exc:
            raise Conflict(str(exc))
        return _detail_response(request, pk)


def _invalid_field_errors(exc: InvalidFields) -> list[dict[str, str]]:
    errors = []
    for name, message in exc.errors.items():
        if name in s.FieldChangesSerializer._declared_fields:
            errors.append({"field": f"fields.{name}", "detail": message, "code": "invalid"})
        else:  # line-item errors are keyed like "line 2 unit price"
            errors.append({"field": "line_items", "detail": f"{name}: {message}", "code": "invalid"})
    return errors


def _ascii_filename(name: str) -> str:
    return "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in name) or "original"


# --- vendors ---------------------------------------------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(summary="List vendors", parameters=[s.VendorQuerySerializer],
                       responses={200: s.VendorSerializer(many=True), **problems()}),
    retrieve=extend_schema(summary="One vendor", responses={200: s.VendorSerializer, **problems(404)}),
    create=extend_schema(summary="Create a vendor", parameters=[IDEMPOTENCY_KEY],
                         responses={201: s.VendorSerializer, **problems(409, 415, 422)}),
    partial_update=extend_schema(summary="Change a vendor's details (audited)",
                                 responses={200: s.VendorSerializer, **problems(404, 409, 415)}),
)
class VendorViewSet(viewsets.GenericViewSet):
    queryset = Vendor.objects.all()
    serializer_class = s.VendorSerializer
    pagination_class = KeysetCursorPagination
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "head"]
    parser_classes = [JSONParser]

    def get_permissions(self):
        if self.action in ("create", "partial_update"):
            return [IsAuthenticated(), perms.CanManageVendors()]
        return [IsAuthenticated(), perms.CanViewVendors()]

    def get_ordering(self):
        return "name", ("name", "id")

    def get_object(self) -> Vendor:
        vendor = Vendor.objects.filter(pk=self.kwargs["pk"]).first()
        if vendor is None:
            raise NotFound("There is no vendor with this id.")
        return vendor

    def list(self, request):
        q = _query(s.VendorQuerySerializer, request)
        vendors = selectors.vendor_list(search=q.get("search", ""))
        page = self.paginate_queryset(vendors)
        return self.get_paginated_response(s.VendorSerializer(page, many=True, context={"request": request}).data)

    def retrieve(self, request, pk=None):
        return Response(s.VendorSerializer(self.get_object(), context={"request": request}).data)

    def create(self, request):
        return idempotent(request, lambda: self._create(request))

    def _create(self, request) -> Response:
        serializer = s.VendorSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        self._refuse_taken_name(values["name"])
        try:
            with transaction.atomic():
                vendor = vendor_create(user=request.user, **values)
        except IntegrityError:
            self._refuse_taken_name(values["name"])
            raise
        return Response(s.VendorSerializer(vendor, context={"request": request}).data, status=http.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        vendor = self.get_object()
        serializer = s.VendorSerializer(vendor, data=request.data, partial=True, context={"request": request})
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        if "name" in values:
            self._refuse_taken_name(values["name"], vendor.pk)
        try:
            vendor = vendor_update(vendor=vendor, user=request.user, **values)
        except IntegrityError:
            self._refuse_taken_name(values.get("name", ""), vendor.pk)
            raise
        return Response(s.VendorSerializer(vendor, context={"request": request}).data)

    @staticmethod
    def _refuse_taken_name(name: str, own_pk: int | None = None) -> None:
        taken = selectors.vendor_named(name, exclude_id=own_pk)
        if taken is not None:
            raise Problem(
                f"The vendor “{taken.name}” (id {taken.pk}) already has this name.",
                status_code=409, slug="vendor-exists", existing_vendor=taken.pk,
            )


# --- the API root ----------------------------------------------------------------------------------------------
class ApiRootView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request):
        return Response({
            "invoices": reverse("api:invoice-list", request=request),
            "vendors": reverse("api:vendor-list", request=request),
            "schema": reverse("api:schema", request=request),
            "docs": reverse("api:docs", request=request),
            "redoc": reverse("api:redoc", request=request),
        })


__all__ = ["REPLAYED_HEADER", "ApiRootView", "InvoiceViewSet", "VendorViewSet"]
