"""``python manage.py dynamodb_sync --all | --since DATE [--invoice ID ...]``: backfill and replay the DynamoDB table.

Replays outbox events through the ordinary drainer (conditional writes: nothing is written twice, no head goes
back) and writes a snapshot item for invoices that have no outbox event. Safe to run at any time, also while the
scheduled drain runs; if interrupted, what is left stays in the outbox and the scheduled drain delivers it.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime
from datetime import time as dtime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from invoices import aws
from pipeline.sync.backfill import backfill_snapshots, outbox_replay
from pipeline.sync.outbox import DrainReport, outbox_drain
from pipeline.sync.selectors import outbox_backlog


def parse_invoice_ids(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    ids = []
    for value in values:
        try:
            ids.append(str(uuid.UUID(value)))
        except ValueError:
            raise CommandError(f"“{value}” is not an invoice id (a UUID like 3f2c9a4e-…).")
    return ids


def parse_moment(text: str) -> datetime:
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise CommandError(f"“{text}” is not a date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM[:SS][+00:00]).")
        moment = datetime.combine(day, dtime.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = "Backfill or replay the DynamoDB table from the outbox (idempotent)."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--all", action="store_true", help="Every change ever recorded, and a snapshot of "
                           "invoices that have no recorded change.")
        which.add_argument("--since", metavar="DATE", help="Changes at or after DATE (YYYY-MM-DD or ISO date-time, "
                           "in TIME_ZONE when no offset is given).")
        which.add_argument("--invoice", metavar="ID", action="append", help="Only this invoice (repeatable).")

    def handle(self, *args, **options):
        table = settings.DYNAMODB_TABLE
        if not table:
            raise CommandError("DYNAMODB_TABLE is not set: the sync is off. Set it (and run setup_aws) first.")
        since = parse_moment(options["since"]) if options["since"] else None
        invoice_ids = parse_invoice_ids(options["invoice"])
        client = aws.client("dynamodb")
        started = time.monotonic()

        queued = outbox_replay(since=since, invoice_ids=invoice_ids)
        self.stdout.write(f"{queued} recorded change(s) queued for delivery to {table}.")
        total = DrainReport()
        while True:
            report = outbox_drain(dynamodb_client=client)
            total.add(report)
            if report.claimed:
                self.stdout.write(f"  delivered {total.written + total.stale + total.already} ...")
            if report.stopped:
                left = outbox_backlog(sns=False).dynamodb_pending
                raise CommandError(
                    f"DynamoDB is not available ({report.stopped}). {left} change(s) wait in the outbox; "
                    "the scheduled drain delivers them when it is back, or run this command again."
                )
            if report.claimed == 0:
                break
        snapshots = {}
        if since is None:
            snapshots = backfill_snapshots(client=client, table_name=table, invoice_ids=invoice_ids)
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            f"Done in {elapsed:.1f}s: {total.written} new version(s), {total.stale} older version(s) added to the "
            f"history only, {total.already} already present; {sum(snapshots.values())} invoice(s) without recorded "
            f"changes written as a snapshot ({snapshots.get('written', 0)} new)."
        ))
        if total.failed:
            self.stdout.write(self.style.WARNING(
                f"{total.failed} change(s) failed and will be retried by the scheduled drain: "
                + "; ".join(total.errors[:5])
            ))
