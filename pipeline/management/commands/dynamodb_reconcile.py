"""``python manage.py dynamodb_reconcile [--fix] [--invoice ID ...] [--check]``: compare MySQL with the DynamoDB
table, report the drift, and with ``--fix`` repair what can be repaired safely (see pipeline/sync/reconcile.py)."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from invoices import aws
from pipeline.sync.dynamodb import describe_error
from pipeline.sync.reconcile import DESCRIPTIONS, NOT_FIXABLE, reconcile

from .dynamodb_sync import parse_invoice_ids

SHOW = 50


class Command(BaseCommand):
    help = "Compare MySQL with the DynamoDB table and report (or with --fix, repair) the differences."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Repair missing, stale or altered items.")
        parser.add_argument("--invoice", metavar="ID", action="append", help="Only this invoice (repeatable).")
        parser.add_argument("--no-scan", action="store_true", help="Skip the table scan for items MySQL does not "
                            "know (faster on a large table).")
        parser.add_argument("--check", action="store_true", help="Exit with status 1 when drift remains.")

    def handle(self, *args, **options):
        table = settings.DYNAMODB_TABLE
        if not table:
            raise CommandError("DYNAMODB_TABLE is not set: the sync is off, there is no table to compare.")
        try:
            report = reconcile(
                client=aws.client("dynamodb"), table_name=table, fix=options["fix"],
                invoice_ids=parse_invoice_ids(options["invoice"]), scan_table=not options["no_scan"],
            )
        except (BotoCoreError, ClientError) as exc:
            raise CommandError(f"Cannot read {table}: {describe_error(exc)}")
        self.stdout.write(
            f"Compared {report.invoices} invoice(s) with {table}: {report.items_checked} item(s) read, "
            f"{report.items_scanned} key(s) scanned; {report.pending_events} change(s) still waiting in the outbox "
            "(not drift: the drainer delivers them)."
        )
        if not report.drift:
            self.stdout.write(self.style.SUCCESS("No drift: the table matches the database."))
            return
        for kind, count in sorted(report.counts.items()):
            fixed = sum(1 for d in report.drift if d.kind == kind and d.fixed)
            suffix = f", {fixed} fixed" if options["fix"] and kind not in NOT_FIXABLE else ""
            self.stdout.write(f"  {count:6d}  {DESCRIPTIONS[kind]}{suffix}")
        for drift in report.drift[:SHOW]:
            self.stdout.write(f"    {drift}")
        if len(report.drift) > SHOW:
            self.stdout.write(f"    … and {len(report.drift) - SHOW} more")
        unresolved = report.unresolved
        if options["fix"]:
            style = self.style.SUCCESS if not unresolved else self.style.WARNING
            self.stdout.write(style(f"Fixed {report.fixed}; {len(unresolved)} left for a person to decide."))
        else:
            self.stdout.write(self.style.WARNING(f"{len(report.drift)} difference(s). Run with --fix to repair."))
        if options["check"] and unresolved:
            raise CommandError(f"{len(unresolved)} difference(s) remain.", returncode=1)
