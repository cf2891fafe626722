"""Queue, home and upload-status timings with many invoices, in-process (Django's test client, no network).
Prints medians in milliseconds and the number of queries per page.

    .venv/bin/python bench/review_lists.py               # a throw-away SQLite database (the embedded defaults)
    BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/bench_queue .venv/bin/python bench/review_lists.py   # MariaDB

BENCH_QUEUE_ROWS (default 100000) invoices; a quarter of them wait for a person.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VAR = tempfile.mkdtemp(prefix="bench-queue-")
os.environ.update(VAR_DIR=VAR, DJANGO_SETTINGS_MODULE="config.settings", LOG_LEVEL="ERROR")
for key in ("RAW_BUCKET", "PROCESSED_BUCKET", "CELERY_BROKER_URL"):
    os.environ.pop(key, None)
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{VAR}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

ROWS = int(os.environ.get("BENCH_QUEUE_ROWS", "100000"))
REPEAT = int(os.environ.get("BENCH_QUEUE_REPEAT", "15"))


def seed():
    from django.contrib.auth.models import User
    from django.utils import timezone

    from invoices.models import Invoice, Status, Vendor

    vendors = Vendor.objects.bulk_create([Vendor(name=f"Vendor {n}", name_key=f"vendor {n}") for n in range(500)])
    statuses = [Status.NEEDS_REVIEW, Status.APPROVED, Status.READY, Status.APPROVED, Status.REJECTED,
                Status.APPROVED, Status.FAILED, Status.APPROVED]
    now = timezone.now()
    batch = []
    for i in range(ROWS):
        batch.append(Invoice(
            status=statuses[i % len(statuses)], channel="upload", original=f"originals/bench/{i}.pdf",
            sha256=uuid.uuid4().hex * 2, original_name=f"{i}.pdf", file_kind="pdf", content_type="application/pdf",
            size_bytes=1000, invoice_number=f"B-{i:06d}", invoice_date=date(2025, 1, 1) + timedelta(days=i % 365),
            due_date=None if i % 7 == 0 else date(2025, 2, 1) + timedelta(days=i % 300),
            vendor=vendors[i % len(vendors)], vendor_name=f"Vendor {i % len(vendors)}",
            total=None if i % 11 == 0 else Decimal(i % 5000) + Decimal("0.99"), currency="EUR",
            min_confidence=float(i % 100), failed_rules=i % 3, has_duplicates=i % 50 == 0,
            routed_at=now - timedelta(minutes=i % (60 * 24 * 40)), processing_ms=500 + (i * 37) % 20000,
        ))
        if len(batch) == 2000:
            Invoice.objects.bulk_create(batch)
            batch = []
    Invoice.objects.bulk_create(batch)
    # Spread the receipt times over 60 days so the daily chart and the age sort have something to do.
    for day in range(60):
        Invoice.objects.filter(invoice_number__endswith=f"{day:02d}"[-2:]).update(
            created_at=now - timedelta(days=day % 60, minutes=day))
    return User.objects.create_superuser("bench", "bench@example.com", "bench"), Invoice.objects.values_list(
        "pk", flat=True)[:50]


@override_settings(STORAGES={**settings.STORAGES,
                             "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}})
def main() -> None:
    from django.contrib.auth.models import User

    from invoices.models import Invoice

    setup_test_environment()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    if Invoice.objects.count() >= ROWS and User.objects.filter(username="bench").exists():  # a MariaDB run again
        admin, some_ids = User.objects.get(username="bench"), Invoice.objects.values_list("pk", flat=True)[:50]
        print(f"database: {connection.vendor}; reusing its {Invoice.objects.count()} invoices")
    else:
        admin, some_ids = seed()
        print(f"database: {connection.vendor}; seeded {ROWS} invoices in {time.perf_counter() - started:.1f} s")
    client = Client()
    client.force_login(admin)
    pages = [
        ("queue, default (needs attention), oldest first", "/queue/"),
        ("queue, lowest confidence first", "/queue/?sort=confidence"),
        ("queue, due date, page 40", "/queue/?sort=due&page=40"),
        ("queue, search 'Vendor 12'", "/queue/?q=Vendor+12"),
        ("queue, total 100..500, failed rules, largest first", "/queue/?amount_min=100&amount_max=500&failed_rules=yes&sort=-amount"),
        ("queue, approved, date range", "/queue/?status=approved&date_from=2025-03-01&date_to=2025-03-31"),
        ("home (counts, today, avg/p95, oldest, 14-day chart)", "/"),
        ("upload status, 50 ids", "/upload/status?" + "&".join(f"id={pk}" for pk in some_ids)),
    ]
    for label, url in pages:
        client.get(url)  # warm
        times = []
        for _ in range(REPEAT):
            with CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(f"{label:<58} {statistics.median(times):7.1f} ms  ({len(queries)} queries)")


if __name__ == "__main__":
    main()
