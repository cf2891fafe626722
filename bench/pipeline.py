"""Throughput of the whole pipeline with one Celery worker on this machine: invoices per hour.

    .venv/bin/python bench/pipeline.py [--count 30] [--runs 3] [--kinds digital,scan]

Real services, as in production but on one machine: MariaDB (database ``bench_pipeline``), Redis (database
``BENCH_REDIS_DB``, default 14), a moto server for S3 with SSE-KMS, and one worker subprocess (prefork,
concurrency 1) consuming both queues. Each run empties the tables, takes ``count`` files in through the intake
service (as ``import_invoices`` does) and waits until every invoice is routed (or failed) and its page images
are stored. Inputs come from the project's generator (``pipeline.generator``) when present, otherwise from
tests/factories.py (digital PDFs, and rasterised, noisy copies of them as scans). Figures are medians of the runs.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["INVOICES_TEST_NAME"] = os.environ.get("BENCH_DB_NAME", "bench_pipeline")
os.environ["INVOICES_TEST_REDIS_DB"] = os.environ.get("BENCH_REDIS_DB", "14")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=30, help="invoices per run and kind")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kinds", default="digital,scan")
    args = parser.parse_args()

    from moto.server import ThreadedMotoServer

    endpoint = _endpoint()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=int(endpoint.rsplit(":", 1)[1]), verbose=False)
    moto.start()
    _create_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _create_buckets()
    import redis
    from django.conf import settings

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    worker = _start_worker()
    try:
        for kind in args.kinds.split(","):
            files = _inputs(kind.strip(), args.count)
            rates, latencies, extract_ms, engines, failed = [], [], [], set(), 0
            for run in range(args.runs):
                result = _run(files)
                rates.append(result["per_hour"])
                latencies.append(result["latency_ms"])
                extract_ms.append(result["extract_ms"])
                engines |= result["engines"]
                failed += result["failed"]
                print(f"  {kind} run {run + 1}: {result['per_hour']:.0f} invoices/hour "
                      f"({len(files)} in {result['seconds']:.1f} s; median intake→routed "
                      f"{result['latency_ms'] / 1000:.1f} s, extraction {result['extract_ms']:.0f} ms)", flush=True)
            print(f"{kind}: median {statistics.median(rates):.0f} invoices/hour with 1 worker "
                  f"(median extraction {statistics.median(extract_ms):.0f} ms/invoice; engines: "
                  f"{', '.join(sorted(engines)) or '-'}; failed: {failed}/{len(files) * args.runs})", flush=True)
    finally:
        worker.terminate()
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
        moto.stop()
    return 0


def _endpoint() -> str:
    import config.settings_test  # noqa: F401  (sets AWS_ENDPOINT_URL to a free port, and the rest)

    return os.environ["AWS_ENDPOINT_URL"]


def _create_database() -> None:
    import MySQLdb

    connection = MySQLdb.connect(host="127.0.0.1", user="root", passwd="", port=3306)
    connection.cursor().execute(f"CREATE DATABASE IF NOT EXISTS `{os.environ['INVOICES_TEST_NAME']}` "
                                "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    connection.close()


def _create_buckets() -> None:
    from django.conf import settings

    from invoices import aws

    kms = aws.client("kms")
    key_id = kms.create_key(Description="bench")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=settings.KMS_KEY_ID, TargetKeyId=key_id)
    s3 = aws.client("s3")
    for bucket in (settings.RAW_BUCKET, settings.PROCESSED_BUCKET):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": settings.AWS_REGION})
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
            {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": settings.KMS_KEY_ID}}
        ]})


def _start_worker() -> subprocess.Popen:
    log = Path(tempfile.gettempdir()) / "bench-pipeline-worker.log"
    handle = log.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork", "--concurrency", "1",
         "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", "bench@%h"],
        cwd=ROOT, env=dict(os.environ), stdout=handle, stderr=subprocess.STDOUT,
    )
    from config.celery import app

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:  # ready once it answers a ping
        if process.poll() is not None:
            raise SystemExit(f"the worker exited: {log.read_text()[-2000:]}")
        if app.control.ping(timeout=1.0):
            return process
    raise SystemExit(f"the worker did not start: {log.read_text()[-2000:]}")


def _inputs(kind: str, count: int) -> list[tuple[str, bytes]]:
    try:
        from pipeline.generator import generate
    except ImportError:
        generate = None
    if generate is not None:
        out = Path(tempfile.mkdtemp(prefix=f"bench-{kind}-"))
        generate(seed=11, count=count, kind=kind, out_dir=out)
        files = sorted(p for p in out.rglob("*") if p.is_file() and p.suffix.lower() != ".jsonl")
        print(f"{kind}: {len(files)} files from pipeline.generator", flush=True)
        return [(p.name, p.read_bytes()) for p in files[:count]]
    from tests.factories import invoice_pdf

    rng = random.Random(11)
    files = []
    for n in range(count):
        pdf = invoice_pdf(number=f"BENCH-{kind[:1].upper()}{n:05}", total=f"{rng.randint(10, 9000)}.{n % 100:02}",
                          vendor=rng.choice(["Northwind Traders Ltd", "Contoso GmbH", "Fabrikam SARL"]))
        files.append((f"{kind}-{n:05}.pdf", pdf) if kind == "digital" else (f"{kind}-{n:05}.jpg", _scan(pdf, rng)))
    print(f"{kind}: {count} files from tests/factories.py (the generator is not in this checkout)", flush=True)
    return files


def _scan(pdf: bytes, rng: random.Random) -> bytes:
    """A photocopy-like JPEG of the PDF's page: 200 dpi, grey, slightly turned, with noise."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    page = pdfium.PdfDocument(pdf)[0]
    image = page.render(scale=200 / 72).to_pil().convert("L")
    image = image.rotate(rng.uniform(-1.5, 1.5), expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
    noise = Image.effect_noise(image.size, 18)
    image = Image.blend(image, noise, 0.12).filter(ImageFilter.GaussianBlur(0.6))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()


def _run(files: list[tuple[str, bytes]]) -> dict:
    from django.core.management import call_command
    from django.db.models import Q

    from invoices.models import Invoice, ProcessingAttempt, Status
    from invoices.services import invoice_intake

    call_command("flush", interactive=False, verbosity=0)
    done_statuses = [Status.NEEDS_REVIEW, Status.READY, Status.APPROVED, Status.FAILED]
    started = time.monotonic()
    for name, data in files:
        outcome = invoice_intake(file=data, name=name, channel="import")
        if not outcome.ok:
            raise SystemExit(f"{name}: intake refused it: {outcome.message}")
    deadline = started + 3600
    while time.monotonic() < deadline:  # done: routed with its page images rendered (or tried), or failed
        finished = Invoice.objects.filter(
            Q(status=Status.FAILED)
            | Q(status__in=done_statuses, attempts__stage="pages", attempts__outcome__in=["succeeded", "failed"])
        ).distinct().count()
        if finished >= len(files):
            break
        time.sleep(0.25)
    seconds = time.monotonic() - started
    invoices = list(Invoice.objects.all())
    extract = [a.duration_ms for a in ProcessingAttempt.objects.filter(stage="extract", outcome="succeeded")]
    stages = {}
    for stage in ("extract", "validate", "route", "pages"):
        durations = list(ProcessingAttempt.objects.filter(stage=stage).values_list("duration_ms", flat=True))
        stages[stage] = statistics.median([d for d in durations if d is not None] or [0])
    print("    median ms per step: " + ", ".join(f"{k} {v:.0f}" for k, v in stages.items()), flush=True)
    return {
        "seconds": seconds,
        "per_hour": len(files) / seconds * 3600,
        "latency_ms": statistics.median([i.processing_ms for i in invoices if i.processing_ms is not None] or [0]),
        "extract_ms": statistics.median(extract or [0]),
        "engines": {i.engine for i in invoices if i.engine},
        "failed": sum(1 for i in invoices if i.status == Status.FAILED),
    }


if __name__ == "__main__":
    sys.exit(main())
