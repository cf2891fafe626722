"""API timings, in-process (Django's test client, no network): list pages, deep cursor pages, detail, correction,
upload. Prints medians in milliseconds.

    .venv/bin/python bench/api.py               # a throw-away SQLite database (the embedded defaults)
    BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/bench_api .venv/bin/python bench/api.py   # MariaDB

The point of the deep-page figure: keyset pagination costs the same on page 100 as on page 2 (no OFFSET scan).
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
VAR = tempfile.mkdtemp(prefix="bench-api-")
os.environ.update(VAR_DIR=VAR, DJANGO_SETTINGS_MODULE="config.settings", LOG_LEVEL="ERROR",
                  API_THROTTLE_RATE="1000000/min", API_UPLOAD_THROTTLE_RATE="1000000/min")
for key in ("RAW_BUCKET", "PROCESSED_BUCKET", "CELERY_BROKER_URL"):
    os.environ.pop(key, None)
if os.environ.get("BENCH_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
else:
    os.environ["DATABASE_URL"] = f"sqlite:///{VAR}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

ROWS = int(os.environ.get("BENCH_API_ROWS", "20000"))
REPEAT = int(os.environ.get("BENCH_API_REPEAT", "25"))


def median_ms(fn, repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def seed():
    from django.contrib.auth.models import User

    from invoices.models import Invoice, Status
    from tests.factories import make_invoice

    statuses = [Status.NEEDS_REVIEW, Status.READY, Status.APPROVED, Status.REJECTED]
    batch = []
    for i in range(ROWS):
        batch.append(Invoice(
            status=statuses[i % 4], channel="api", original=f"originals/bench/{i}.pdf", sha256=uuid.uuid4().hex * 2,
            original_name=f"{i}.pdf", file_kind="pdf", content_type="application/pdf", size_bytes=1000,
            invoice_number=f"B-{i:06d}", invoice_date=date(2025, 1, 1) + timedelta(days=i % 365),
            due_date=None if i % 7 == 0 else date(2025, 2, 1) + timedelta(days=i % 300),
            total=None if i % 11 == 0 else Decimal(i % 5000) + Decimal("0.99"), currency="EUR",
            min_confidence=float(i % 100),
        ))
        if len(batch) == 2000:
            Invoice.objects.bulk_create(batch)
            batch = []
    Invoice.objects.bulk_create(batch)
    full = make_invoice(line_items=[{"description": f"item {n}", "quantity": "1", "unit_price": "2", "amount": "2"}
                                    for n in range(20)])
    admin = User.objects.create_superuser("bench", "bench@example.com", "bench")
    return full, admin


def main() -> None:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    from django.db import connection

    started = time.perf_counter()
    full, admin = seed()
    print(f"database: {connection.vendor}; seeded {ROWS} invoices in {time.perf_counter() - started:.1f} s")
    client = Client()
    client.force_login(admin)

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        return response

    print(f"list, first page of 50 (-age):             {median_ms(lambda: get('/api/invoices/?page_size=50')):7.1f} ms")
    print(f"list, needs_review by amount, 50:           "
          f"{median_ms(lambda: get('/api/invoices/?status=needs_review&ordering=-amount&page_size=50')):7.1f} ms")
    print(f"list, total 100..500, due date order, 50:   "
          f"{median_ms(lambda: get('/api/invoices/?total_min=100&total_max=500&ordering=due&page_size=50')):7.1f} ms")

    for ordering in ("-age", "due", "-amount"):
        url, times = f"/api/invoices/?ordering={ordering}&page_size=50", []
        for _ in range(100):
            t0 = time.perf_counter()
            body = get(url).json()
            times.append((time.perf_counter() - t0) * 1000)
            url = body["next"]
        print(f"cursor pages ({ordering:>7}): page 2-10 median {statistics.median(times[1:10]):6.1f} ms, "
              f"page 91-100 median {statistics.median(times[90:100]):6.1f} ms")

    print(f"detail (8 fields, 20 line items):           {median_ms(lambda: get(f'/api/invoices/{full.pk}/')):7.1f} ms")

    from invoices.models import Invoice

    def correct():
        version = Invoice.objects.values_list("version", flat=True).get(pk=full.pk)
        response = client.patch(f"/api/invoices/{full.pk}/", {"fields": {"po_number": uuid.uuid4().hex[:8]}},
                                content_type="application/json", HTTP_IF_MATCH=f'"{version}"')
        assert response.status_code == 200, response.content[:300]

    print(f"PATCH one field (service, audit, rules):    {median_ms(correct):7.1f} ms")

    from tests.factories import invoice_pdf

    pdfs = iter([invoice_pdf(number=f"U-{n}") for n in range(REPEAT)])

    def upload():
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = client.post("/api/invoices/", {"files": [SimpleUploadedFile("x.pdf", next(pdfs))]},
                               HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
        assert response.status_code == 201, response.content[:300]

    print(f"upload one PDF (check, store, idempotency): {median_ms(upload):7.1f} ms")


if __name__ == "__main__":
    main()
