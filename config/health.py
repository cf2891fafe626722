"""``/healthz``: is the database, file storage and task broker reachable? 200 if all are, 503 otherwise."""

from __future__ import annotations

import time

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_storage() -> None:
    from invoices.storage import processed_storage, raw_storage

    for storage in (raw_storage(), processed_storage()):
        storage.exists("healthz-probe")  # a HEAD request on S3; a stat locally


def _check_broker() -> None:
    from django.conf import settings
    from kombu import Connection

    with Connection(settings.CELERY_BROKER_URL, transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
                    connect_timeout=3) as conn:
        conn.ensure_connection(max_retries=1, timeout=3)


CHECKS = {"database": _check_database, "storage": _check_storage, "broker": _check_broker}


@never_cache
@require_GET
def healthz(request):
    report: dict[str, dict] = {}
    healthy = True
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            check()
            report[name] = {"ok": True}
        except Exception as exc:  # any failure means unreachable; say which kind, not secrets
            healthy = False
            report[name] = {"ok": False, "error": type(exc).__name__}
        report[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return JsonResponse({"ok": healthy, "checks": report}, status=200 if healthy else 503)
