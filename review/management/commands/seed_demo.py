"""``python manage.py seed_demo``: the demo invoices, taken in and processed, so the review screens have work.

The project's own generator makes the files (``pipeline.generator.demo_invoice_set``: varied layouts and
locales, a few scans, some with a problem a reviewer must catch). Each goes through the intake service as one of
the demo users, and then through the real pipeline tasks, run in this process (Celery eager mode), so it is
extracted, validated, routed and its page images rendered before the command returns; no worker is needed.

Idempotent: a file already taken in (same SHA-256) is skipped, so a second run adds nothing.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from invoices.models import Channel, Invoice
from invoices.services import invoice_intake

DEMO_UPLOADERS = ("reviewer", "approver", "admin")  # the accounts create_demo_users makes


@contextmanager
def quiet_logs(verbosity: int):
    """The pipeline logs every step at INFO; a seeding run prints its own summary instead (unless -v2)."""
    if verbosity < 2:
        logging.disable(logging.INFO)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


@contextmanager
def pipeline_in_process():
    """Run the pipeline's tasks in this process as they are queued (Celery eager mode), then restore."""
    from config.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = before


class Command(BaseCommand):
    help = "Take in and process the generator's demo invoices (idempotent: a second run adds nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2025, help="Generator seed (default 2025).")

    def handle(self, *args, seed: int, **options):
        from pipeline.generator import demo_invoices

        users = {u.username: u for u in get_user_model().objects.filter(username__in=DEMO_UPLOADERS)}
        uploaders = [users.get(name) for name in DEMO_UPLOADERS]
        documents = demo_invoices(seed=seed)
        taken, skipped, problems = [], 0, []
        with quiet_logs(options.get("verbosity", 1)), pipeline_in_process():
            for i, (name, data) in enumerate(documents):
                if Invoice.objects.filter(sha256=hashlib.sha256(data).hexdigest()).exists():
                    skipped += 1
                    continue
                try:
                    outcome = invoice_intake(file=data, name=name, channel=Channel.DEMO,
                                             uploaded_by=uploaders[i % len(uploaders)])
                except Exception as exc:  # the invoice is stored; its processing failed here. Say so, go on.
                    problems.append(f"{name}: {type(exc).__name__}: {exc}")
                    continue
                if not outcome.ok:
                    problems.append(f"{name}: {outcome.outcome}: {outcome.message}")
                    continue
                taken.append(outcome.invoice.pk)

        invoices = Invoice.objects.filter(pk__in=taken).order_by("original_name")
        by_status = Counter()
        for invoice in invoices:
            by_status[invoice.get_status_display()] += 1
            reasons = "; ".join(invoice.review_reasons or []) or invoice.status_reason
            self.stdout.write(f"  {invoice.original_name}: {invoice.get_status_display()}"
                              + (f" ({reasons[:100]})" if reasons else ""))
        for problem in problems:
            self.stderr.write(f"  {problem}")
        summary = ", ".join(f"{n} {label.lower()}" for label, n in sorted(by_status.items())) or "nothing new"
        self.stdout.write(self.style.SUCCESS(
            f"Demo data: {len(taken)} invoice(s) added ({summary}); {skipped} already present; "
            f"{len(problems)} problem(s)."
        ))
