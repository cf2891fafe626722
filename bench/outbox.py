"""How long the outbox takes to drain N changes into DynamoDB (a moto server on loopback), on this machine.

    .venv/bin/python bench/outbox.py [--changes 10000] [--runs 3] [--threads 8] [--batch 500]

Sets up its own database (MariaDB at 127.0.0.1:3306, database ``invoices_bench_outbox_<pid>``, dropped afterwards; or
an SQLite file with ``--sqlite``) and its own moto server process, fills the outbox with N changes spread over N/5
invoices (each change a realistic snapshot: 8 fields with confidence), then times the production drainer
(``outbox_drain_until_empty``: claim, conditional TransactWriteItems per change, record) until the outbox is empty.
Each run drains into a fresh table. Prints each run and the median, as time and changes per second.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_NAME = f"invoices_bench_outbox_{os.getpid()}"  # per process: two benches never share a database


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_moto(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL, stderr=open(os.environ.get("BENCH_MOTO_LOG", os.devnull), "w"),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("moto server did not start")


def mysql_available() -> bool:
    try:
        import MySQLdb

        MySQLdb.connect(host="127.0.0.1", user="root", passwd="", port=3306).close()
        return True
    except Exception:
        return False


def mysql(statement: str) -> None:
    import MySQLdb

    conn = MySQLdb.connect(host="127.0.0.1", user="root", passwd="", port=3306)
    conn.cursor().execute(statement)
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="OUTBOX_DRAIN_THREADS (default: the setting)")
    parser.add_argument("--batch", type=int, default=None, help="OUTBOX_BATCH_SIZE (default: the setting)")
    parser.add_argument("--sqlite", action="store_true", help="use an SQLite file instead of MariaDB")
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="bench-outbox-"))
    port = free_port()
    use_mysql = not args.sqlite and mysql_available()
    if use_mysql:
        mysql(f"DROP DATABASE IF EXISTS {DB_NAME}")
        mysql(f"CREATE DATABASE {DB_NAME} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        database_url = f"mysql://root@127.0.0.1:3306/{DB_NAME}"
    else:
        database_url = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": database_url, "VAR_DIR": str(var_dir),
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1", "LOG_LEVEL": "ERROR", "SNS_TOPIC_ARN": "",
        "DYNAMODB_TABLE": "", "CELERY_TASK_ALWAYS_EAGER": "1",
    })
    if args.threads:
        os.environ["OUTBOX_DRAIN_THREADS"] = str(args.threads)
    if args.batch:
        os.environ["OUTBOX_BATCH_SIZE"] = str(args.batch)
    moto = start_moto(port)
    try:
        run_bench(args, "MariaDB" if use_mysql else "SQLite", moto.pid)
    finally:
        moto.terminate()
        try:
            moto.wait(10)
        except subprocess.TimeoutExpired:
            moto.kill()
        if use_mysql:
            mysql(f"DROP DATABASE IF EXISTS {DB_NAME}")
        shutil.rmtree(var_dir, ignore_errors=True)


def fill_outbox(changes: int) -> None:
    from django.utils import timezone

    from invoices.models import Invoice, OutboxEvent

    invoices_count = max(1, changes // 5)
    now = timezone.now()
    invoices = [
        Invoice(id=uuid.uuid4(), status="approved", channel="import", original=f"originals/bench/{i}.pdf",
                sha256=hashlib.sha256(f"bench-{i}".encode()).hexdigest(), original_name=f"bench-{i}.pdf",
                file_kind="pdf", content_type="application/pdf", size_bytes=12345, version=5)
        for i in range(invoices_count)
    ]
    Invoice.objects.bulk_create(invoices, batch_size=1000)
    kinds = ["created", "extracted", "routed", "corrected", "approved"]
    events = []
    for n in range(changes):
        invoice = invoices[n % invoices_count]
        step = n // invoices_count
        fields = {
            "invoice_number": {"value": f"INV-{n:06d}", "confidence": 98.5, "source": "engine"},
            "invoice_date": {"value": "2025-04-04", "confidence": 97.0, "source": "engine"},
            "due_date": {"value": "2025-05-04", "confidence": 92.0, "source": "engine"},
            "vendor_name": {"value": "Northwind Traders Ltd", "confidence": 95.0, "source": "engine"},
            "currency": {"value": "EUR", "confidence": 99.0, "source": "engine"},
            "subtotal": {"value": "3505.24", "confidence": 95.0, "source": "engine"},
            "tax": {"value": "666.00", "confidence": 95.0, "source": "engine"},
            "total": {"value": "4171.24", "confidence": 99.0, "source": "person" if step >= 3 else "engine"},
        }
        payload = {
            "invoiceId": str(invoice.pk), "status": kinds[step % 5], "version": step + 1,
            "invoiceNumber": f"INV-{n:06d}", "invoiceDate": "2025-04-04", "dueDate": "2025-05-04",
            "vendorName": "Northwind Traders Ltd", "customerName": "Contoso", "poNumber": "PO-1", "currency": "EUR",
            "subtotal": "3505.2400", "tax": "666.0000", "totalAmount": "4171.2400", "amountDue": "4171.2400",
            "confidence": 92.0, "extractedData": fields, "channel": "import", "originalName": invoice.original_name,
        }
        events.append(OutboxEvent(
            invoice=invoice, event_type=kinds[step % 5], invoice_version=step + 1, status=kinds[step % 5],
            occurred_at=now + timedelta(microseconds=n), actor_name="pipeline", payload=payload,
        ))
    OutboxEvent.objects.bulk_create(events, batch_size=1000)


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of another process (Linux /proc), for telling the drainer's cost from moto's."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def own_cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_bench(args, database: str, moto_pid: int) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from invoices import aws
    from invoices.models import OutboxEvent
    from pipeline.sync.dynamodb import ensure_table
    from pipeline.sync.outbox import outbox_drain_until_empty

    call_command("migrate", verbosity=0)
    fill_outbox(args.changes)
    client = aws.client("dynamodb")
    times = []
    print(f"Outbox drain into DynamoDB (moto server on loopback), {args.changes} changes over "
          f"{max(1, args.changes // 5)} invoices, database {database}, "
          f"{settings.OUTBOX_DRAIN_THREADS} threads, batches of {settings.OUTBOX_BATCH_SIZE}, {os.cpu_count()} CPUs")
    for run in range(1, args.runs + 1):
        table = f"bench-outbox-{run}-{uuid.uuid4().hex[:6]}"
        ensure_table(client=client, table_name=table, kms_key_id=None)
        settings.DYNAMODB_TABLE = table
        OutboxEvent.objects.update(dynamodb_done_at=None, next_attempt_at=None, attempts=0)
        cpu_before, moto_before = own_cpu_seconds(), process_cpu_seconds(moto_pid)
        started = time.perf_counter()
        report, _ = outbox_drain_until_empty()
        elapsed = time.perf_counter() - started
        cpu, moto_cpu = own_cpu_seconds() - cpu_before, process_cpu_seconds(moto_pid) - moto_before
        left = OutboxEvent.objects.filter(dynamodb_done_at__isnull=True).count()
        if report.failed or left or report.written != args.changes:
            raise SystemExit(f"run {run}: written {report.written}, failed {report.failed}, left {left}: "
                             f"{report.errors[:3]}")
        items = client.describe_table(TableName=table)["Table"].get("ItemCount")
        times.append(elapsed)
        print(f"  run {run}: {elapsed:6.1f} s  {args.changes / elapsed:7.0f} changes/s  (written {report.written}, "
              f"items in table {items if items is not None else '?'}; CPU: drainer {cpu:.1f} s, "
              f"moto server {moto_cpu:.1f} s)")
        client.delete_table(TableName=table)
    median = statistics.median(times)
    load = os.getloadavg()[0]
    print(f"outbox drain, {args.changes} changes: median {median:.1f} s, {args.changes / median:.0f} changes/s "
          f"({len(times)} runs; load average {load:.1f} on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
