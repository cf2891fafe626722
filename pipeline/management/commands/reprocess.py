"""``python manage.py reprocess``: run extraction again for some invoices, keeping every earlier result."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from invoices.selectors import InvoiceFilters, invoice_list
from invoices.services import invoices_reprocess
from pipeline.services import invoices_reprocess_matching


class Command(BaseCommand):
    help = ("Reprocess invoices by id, or every invoice a filter selects (for example all failed ones after an "
            "outage). Earlier results stay in processed storage; values people set are kept.")

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", help="invoice ids")
        parser.add_argument("--status", action="append", default=[], help="e.g. failed (repeatable)")
        parser.add_argument("--vendor", default="", help="vendor name contains")
        parser.add_argument("--since", type=date.fromisoformat, help="invoice date from (YYYY-MM-DD)")
        parser.add_argument("--until", type=date.fromisoformat, help="invoice date to (YYYY-MM-DD)")
        parser.add_argument("--search", default="", help="invoice number or vendor name contains")
        parser.add_argument("--all", action="store_true", help="every invoice (no filter)")
        parser.add_argument("--limit", type=int, help="at most this many, oldest first")
        parser.add_argument("--reason", default="", help="recorded in each invoice's history")
        parser.add_argument("--dry-run", action="store_true", help="only say how many would be reprocessed")

    def handle(self, *args, **options):
        ids = options["ids"]
        filters = InvoiceFilters(statuses=options["status"], vendor=options["vendor"], date_from=options["since"],
                                 date_to=options["until"], search=options["search"])
        has_filter = any((filters.statuses, filters.vendor, filters.date_from, filters.date_to, filters.search))
        if ids and (has_filter or options["all"]):
            raise CommandError("Give invoice ids or a filter, not both.")
        if not ids and not has_filter and not options["all"]:
            raise CommandError("Say which invoices: ids, a filter such as --status failed, or --all.")
        reason = options["reason"] or "reprocess command"
        if options["dry_run"]:
            count = len(ids) if ids else invoice_list(filters=filters).count()
            if options["limit"] is not None:
                count = min(count, options["limit"])
            self.stdout.write(f"{count} invoice(s) would be reprocessed.")
            return
        if ids:
            queued, skipped = invoices_reprocess(invoice_ids=ids[: options["limit"]], reason=reason)
        else:
            queued, skipped = invoices_reprocess_matching(filters=filters, reason=reason, limit=options["limit"])
        for line in skipped:
            self.stdout.write(f"skipped {line}")
        self.stdout.write(f"{queued} invoice(s) queued for reprocessing, {len(skipped)} skipped.")
