"""``Idempotency-Key`` for POSTs that create things: a retried request gets the first response, never a second invoice.

The first request with a key claims it (a unique row per user and key, committed at once so a concurrent retry
sees it), runs, and stores its status and body. A retry with the same key and the same request gets that stored
response again (``Idempotent-Replayed: true``); with a different request, 422; while the first still runs, 409
with ``Retry-After``. A request that fails with a server error or an exception frees its key, so the retry runs
again (intake refuses the same bytes twice anyway). Keys expire after ``API_IDEMPOTENCY_TTL_HOURS``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from invoices.models import IdempotencyKey

from .problems import PROBLEM_CONTENT_TYPE, Problem

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255


def request_fingerprint(request) -> str:
    """SHA-256 over what makes two requests "the same": method, path, form or JSON body, and file contents."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    data = request.data
    if isinstance(data, QueryDict):
        for key in sorted(data.keys()):
            for value in data.getlist(key):
                if isinstance(value, UploadedFile):
                    digest.update(f"file {key} {value.name} {value.size}\n".encode())
                    for chunk in value.chunks():
                        digest.update(chunk)
                    value.seek(0)
                else:
                    digest.update(f"field {key}={value}\n".encode())
    else:
        digest.update(json.dumps(data, sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _valid_key(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY_LENGTH and all(32 < ord(c) < 127 for c in key)


def idempotent(request, handler: Callable[[], Response]) -> Response:
    """Run ``handler`` at most once per (user, Idempotency-Key); without the header, just run it."""
    key = request.headers.get(HEADER)
    if key is None:
        return handler()
    key = key.strip()
    if not _valid_key(key):
        raise Problem(
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} visible ASCII characters, for example a UUID.",
            slug="validation-error",
            errors=[{"field": HEADER, "detail": "Not a valid key.", "code": "invalid"}],
        )
    fingerprint = request_fingerprint(request)
    record = _claim(request.user, key, fingerprint)
    if record.response_status is not None:
        return _replay(record)

    try:
        response = handler()
    except BaseException:
        record.delete()
        raise
    if response.status_code >= 500:
        record.delete()
        return response
    body = json.loads(JSONRenderer().render(response.data) or b"null")
    IdempotencyKey.objects.filter(pk=record.pk).update(response_status=response.status_code, response_body=body)
    return response


def _claim(user, key: str, fingerprint: str) -> IdempotencyKey:
    """The new row this request owns, or the finished row of an earlier identical request."""
    now = timezone.now()
    for _ in range(3):
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(user=user, key=key, request_hash=fingerprint)
        except IntegrityError:
            existing = IdempotencyKey.objects.filter(user=user, key=key).first()
        if existing is None:
            continue  # freed a moment ago by a failed first request
        expired = existing.created_at < now - timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS)
        abandoned = (existing.response_status is None
                     and existing.created_at < now - timedelta(seconds=settings.API_IDEMPOTENCY_LOCK_SECONDS))
        if expired or abandoned:
            IdempotencyKey.objects.filter(pk=existing.pk, created_at=existing.created_at).delete()
            continue
        if existing.request_hash != fingerprint:
            raise Problem(
                f"This {HEADER} was already used for a different request; use a new key for a new request.",
                status_code=422,
                slug="idempotency-key-reused",
            )
        if existing.response_status is None:
            raise Problem(
                f"The first request with this {HEADER} is still running; retry in a moment for its response.",
                status_code=409,
                slug="idempotency-key-in-progress",
                headers={"Retry-After": "1"},
            )
        return existing
    raise Problem(
        f"This {HEADER} is busy; retry in a moment.",
        status_code=409,
        slug="idempotency-key-in-progress",
        headers={"Retry-After": "1"},
    )


def _replay(record: IdempotencyKey) -> Response:
    content_type = PROBLEM_CONTENT_TYPE if record.response_status >= 400 else None
    return Response(record.response_body, status=record.response_status, content_type=content_type,
                    headers={REPLAYED_HEADER: "true"})
