"""``python manage.py import_invoices PATH [PATH ...]``: take in files and folders (recursively) in bulk."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from invoices.models import Channel
from invoices.services import invoice_intake
from invoices.services.intake import CREATED, DUPLICATE

SKIP_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}


def iter_files(paths: list[str]):
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not child.name.startswith(".") and child.name not in SKIP_NAMES:
                    yield child
        elif path.is_file():
            yield path
        else:
            raise CommandError(f"{raw}: no such file or folder")


class Command(BaseCommand):
    help = "Import invoice files (PDF, PNG, JPEG, TIFF) from files or folders, recursively."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="files or folders")

    def handle(self, *paths, **options):
        counts = {CREATED: 0, DUPLICATE: 0, "rejected": 0}
        for path in iter_files(list(options["paths"])):
            try:
                with path.open("rb") as handle:
                    outcome = invoice_intake(file=handle, name=path.name, channel=Channel.IMPORT)
            except OSError as exc:
                counts["rejected"] += 1
                self.stdout.write(f"{path}: refused: cannot read the file ({exc.strerror}).")
                continue
            counts[outcome.outcome] += 1
            if outcome.outcome == CREATED:
                self.stdout.write(f"{path}: imported as invoice {outcome.invoice.pk} (status {outcome.invoice.status}).")
            elif outcome.outcome == DUPLICATE:
                self.stdout.write(f"{path}: duplicate of invoice {outcome.invoice.pk}: {outcome.message}")
            else:
                self.stdout.write(f"{path}: refused: {outcome.message}")
        total = sum(counts.values())
        self.stdout.write(
            f"{total} file(s): {counts[CREATED]} imported, {counts[DUPLICATE]} duplicate(s), {counts['rejected']} refused."
        )
        if total and counts["rejected"] == total:
            raise CommandError("No file could be imported.")
