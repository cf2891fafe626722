"""python manage.py extract FILE [FILE ...]: one JSON line per document (the extraction contract, DESIGN.md).

Folders are walked recursively and their documents (PDF and image files, by extension) read in name order; a file
named explicitly is always read, whatever its name. A file that cannot be read gives ``{"file", "error"}`` and the
run goes on; the exit code is 0 unless the command line itself is wrong. No database or storage is touched.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pipeline.extraction.evaluation import ENGINES, run_engine

DOCUMENT_SUFFIXES = frozenset({".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp", ".webp"})


def expand(paths: list[str]) -> list[str]:
    """The files to read, as the user would name them: explicit paths as given, folder contents below them."""
    out = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*")
                           if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES and not p.name.startswith("."))
            out.extend(str(p) for p in found)
        else:
            out.append(given)
    return out


def read_error(path: Path) -> str | None:
    if not path.exists():
        return "No such file."
    if not path.is_file():
        return "Not a regular file."
    return None


class Command(BaseCommand):
    help = "Extract invoice fields from files (and folders, recursively) and print one JSON object per line."
    requires_system_checks: list[str] = []  # runs with no database, storage or other service

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="FILE", help="documents or folders of documents")
        parser.add_argument("--engine", choices=ENGINES, default="local",
                            help="local (default, free) or textract (AnalyzeExpense, single-page documents)")

    def handle(self, *args, **opts):
        files = expand(opts["paths"])
        if not files:
            raise CommandError("no documents found in the folders given")
        for name in files:
            path = Path(name)
            error = read_error(path)
            if error is None:
                try:
                    data = path.read_bytes()
                except OSError as exc:
                    error = f"Cannot read the file ({exc.strerror or exc})."
            if error is not None:
                obj = {"file": name, "error": error}
            else:
                obj = run_engine(data, name=name, engine=opts["engine"])
            self.stdout.write(json.dumps(obj, ensure_ascii=False))
            self.stdout.flush()

