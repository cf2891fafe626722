"""``python manage.py consume_s3_events``: take in files dropped into the raw bucket's ``incoming/`` folder."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pipeline.s3_intake import consume, scan


class Command(BaseCommand):
    help = ("Read the S3-drop queue (S3_DROP_QUEUE) and take in each file dropped under incoming/ in the raw "
            "bucket. Runs until stopped, unless --once.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="stop when the queue is empty")
        parser.add_argument("--scan", action="store_true",
                            help="first take in every file lying in the drop folder (for lost notifications)")

    def handle(self, *args, **options):
        if not settings.S3_DROP_QUEUE or not settings.RAW_BUCKET:
            raise CommandError("Set RAW_BUCKET and S3_DROP_QUEUE, and run `python manage.py setup_aws` once.")
        if options["scan"]:
            self.stdout.write(f"scan: {self._summary(scan().as_dict())}")
        try:
            while True:
                report = consume(wait_seconds=20 if not options["once"] else 1)
                if report.messages or options["once"]:
                    self.stdout.write(self._summary(report.as_dict()))
                if options["once"]:
                    return
        except KeyboardInterrupt:
            self.stdout.write("stopped")

    @staticmethod
    def _summary(counts: dict[str, int]) -> str:
        return ", ".join(f"{value} {name}" for name, value in counts.items())
