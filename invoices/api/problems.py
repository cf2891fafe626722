"""Every API error in one shape: RFC 9457 problem details (``application/problem+json``).

``{"type", "title", "status", "detail", "instance"}`` plus ``errors`` — one entry per field that was refused,
``{"field": "fields.total", "detail": "...", "code": "..."}`` — and, where useful, extension members such as
``current_version`` (412) or ``results`` (an upload whose every file was refused).

Problem types specific to this API have a URI under ``{SITE_URL}/api/problems/<slug>/`` that documents them;
plain HTTP errors (401, 403, 404, 405, 406, 413, 415, 429, 500) use ``about:blank`` with the HTTP status phrase
as the title, as RFC 9457 §4.2.1 asks.
"""

from __future__ import annotations

import logging
import math
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from config.logging import get_correlation_id

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"


# slug → (title, what it means and what to do). The title is the same for every occurrence of the type.
PROBLEM_TYPES: dict[str, tuple[str, str]] = {
    "validation-error": (
        "The request is not valid",
        "One or more parameters or body members were refused. `errors` lists each one with the reason; fix "
        "them and send the request again.",
    ),
    "stale-version": (
        "The invoice changed since you read it",
        "The `If-Match` header named an older version of the invoice than the current one: someone else saved "
        "it in the meantime. Nothing was changed. `current_version` and the `ETag` header give the current "
        "version and `current` its representation; review it and send your change again with the new ETag.",
    ),
    "precondition-required": (
        "The current version is required",
        "Changes to an invoice must name the version they were made against, so that two people cannot "
        "overwrite each other: send the invoice's `ETag` (from GET) in an `If-Match` header.",
    ),
    "invalid-transition": (
        "Not possible in the invoice's current status",
        "The action does not apply to the invoice as it is now (for example approving an invoice that is "
        "still being processed or was already rejected). `detail` says why; nothing was changed.",
    ),
    "files-rejected": (
        "No file could be accepted",
        "Every uploaded file was refused. `errors` names each file with the reason (empty, wrong type, too "
        "large, unreadable, ...); `results` has the outcome per file.",
    ),
    "idempotency-key-reused": (
        "The Idempotency-Key was used for a different request",
        "An `Idempotency-Key` identifies one request: retries must send exactly the same request. Use a new "
        "key for a new request.",
    ),
    "idempotency-key-in-progress": (
        "A request with this Idempotency-Key is still running",
        "The first request with this key has not finished yet. Retry after the `Retry-After` delay to get its "
        "response.",
    ),
    "vendor-exists": (
        "A vendor with this name already exists",
        "Vendor names are unique (ignoring case, punctuation and legal forms such as Ltd or GmbH). "
        "`existing_vendor` is the id of the vendor with that name; update it instead.",
    ),
    "not-available": (
        "Not available for this invoice",
        "The invoice has no such file or result yet (for example no extraction has finished), or it is missing "
        "from storage. `detail` says which.",
    ),
}


def problem_type_uri(slug: str | None) -> str:
    if not slug:
        return "about:blank"
    return f"{settings.SITE_URL}/api/problems/{slug}/"


def problem_body(
    *,
    status_code: int,
    detail: str = "",
    slug: str | None = None,
    instance: str = "",
    errors: list[dict[str, str]] | None = None,
    **extensions: Any,
) -> dict[str, Any]:
    title = PROBLEM_TYPES[slug][0] if slug else HTTPStatus(status_code).phrase
    body: dict[str, Any] = {
        "type": problem_type_uri(slug),
        "title": title,
        "status": status_code,
        "detail": detail or title,
        "instance": instance,
    }
    if errors:
        body["errors"] = errors
    correlation_id = get_correlation_id()
    if correlation_id:
        body["correlation_id"] = correlation_id
    body.update({k: v for k, v in extensions.items() if v is not None})
    return body


class Problem(exceptions.APIException):
    """An API error with a problem type; raise it from views, the handler renders it."""

    status_code = status.HTTP_400_BAD_REQUEST
    slug: str | None = None

    def __init__(
        self,
        detail: str,
        *,
        status_code: int | None = None,
        slug: str | None = None,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ):
        super().__init__(detail)
        if status_code is not None:
            self.status_code = status_code
        if slug is not None:
            self.slug = slug
        self.errors = errors
        self.headers = headers or {}
        self.extensions = extensions


class PreconditionRequired(Problem):
    status_code = 428
    slug = "precondition-required"


class PreconditionFailed(Problem):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    slug = "stale-version"


class Conflict(Problem):
    status_code = status.HTTP_409_CONFLICT
    slug = "invalid-transition"


class NotAvailable(Problem):
    status_code = status.HTTP_404_NOT_FOUND
    slug = "not-available"


def field_errors(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """DRF's nested ValidationError detail → a flat list of ``{"field", "detail", "code"}``."""
    out: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # a ListField's errors are keyed by position
                path = f"{prefix}[{key}]"
            else:
                name = "" if key == "non_field_errors" else str(key)
                path = f"{prefix}.{name}" if prefix and name else (name or prefix)
            out += field_errors(value, path)
    elif isinstance(detail, list):
        if all(isinstance(item, exceptions.ErrorDetail | str) for item in detail):
            for item in detail:
                out.append({"field": prefix, "detail": str(item), "code": getattr(item, "code", "invalid")})
        else:
            for index, item in enumerate(detail):
                if item:
                    out += field_errors(item, f"{prefix}[{index}]")
    else:
        out.append({"field": prefix, "detail": str(detail), "code": getattr(detail, "code", "invalid")})
    return out


def _translate(exc: Exception) -> Exception:
    """Django's own exceptions that can surface inside an API view → the matching API exception."""
    if isinstance(exc, Http404):
        return exceptions.NotFound(str(exc) if exc.args else "There is nothing at this address.")
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(*exc.args)
    if isinstance(exc, RequestDataTooBig):
        return Problem(
            "The request body is too large.", status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
        )
    if isinstance(exc, TooManyFilesSent):
        return Problem(
            f"Too many files in one request; send at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES}.",
            status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, TooManyFieldsSent | SuspiciousOperation):
        return Problem("The request could not be read.", status_code=status.HTTP_400_BAD_REQUEST)
    return exc


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's EXCEPTION_HANDLER: every error, expected or not, becomes a problem-details response."""
    request = context.get("request")
    instance = request.path if request is not None else ""
    exc = _translate(exc)
    headers: dict[str, str] = {}
    if isinstance(exc, exceptions.APIException):
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(max(1, math.ceil(exc.wait)))
        status_code = exc.status_code
        slug, errors, extensions = None, None, {}
        if isinstance(exc, Problem):
            detail, slug, errors, extensions = str(exc.detail), exc.slug, exc.errors, exc.extensions
            headers.update(exc.headers)
        elif isinstance(exc, exceptions.ValidationError):
            slug, errors = "validation-error", field_errors(exc.detail)
            detail = "; ".join(f"{e['field']}: {e['detail']}" if e["field"] else e["detail"] for e in errors[:5])
        elif isinstance(exc, exceptions.Throttled):
            detail = f"Too many requests for this token; try again in {headers.get('Retry-After', '1')} seconds."
        else:
            detail = str(exc.detail) if not isinstance(exc.detail, dict | list) else HTTPStatus(status_code).phrase
        set_rollback()
        body = problem_body(
            status_code=status_code, detail=detail, slug=slug, instance=instance, errors=errors, **extensions
        )
        return Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)

    logger.error("API request failed", exc_info=exc, extra={"path": instance})
    set_rollback()
    body = problem_body(
        status_code=500,
        instance=instance,
        detail="Something went wrong on our side; nothing was changed. Quote the correlation id when reporting it.",
    )
    return Response(body, status=500, content_type=PROBLEM_CONTENT_TYPE)


def problem_json_response(status_code: int, request, detail: str = "", **kwargs: Any) -> JsonResponse:
    """A problem response for plain Django views (outside DRF)."""
    body = problem_body(status_code=status_code, detail=detail, instance=request.path, **kwargs)
    return JsonResponse(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE,
                        json_dumps_params={"ensure_ascii": False})


@csrf_exempt  # it changes nothing, and a POST to a wrong address must get the 404, not an HTML CSRF page
def api_not_found(request, unmatched: str = "") -> HttpResponse:
    """Anything under /api/ that matches no endpoint: a 404 problem, with a hint for a missing slash."""
    detail = f"There is no API endpoint at {request.path}."
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            detail += f" Did you mean {request.path}/ (with a trailing slash)?"
    return problem_json_response(404, request, detail)


def problem_type_page(request, slug: str) -> HttpResponse:
    """The human-readable documentation a problem type URI points to."""
    if slug not in PROBLEM_TYPES:
        return api_not_found(request)
    title, description = PROBLEM_TYPES[slug]
    return render(request, "api/problem_type.html", {"slug": slug, "title": title, "description": description,
                                                     "uri": problem_type_uri(slug)})
