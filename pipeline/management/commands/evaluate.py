"""python manage.py evaluate TRUTH.jsonl [--engine local|textract] [--threshold 85] [--json] [--limit N]

Runs the engine on every document of a truth file (paths relative to the file's folder) and prints a per-field
table and a summary: accuracy per field and over the key fields, line-item precision/recall/F1, and the precision
and share of fields at or above the auto-accept threshold. How values are compared: pipeline/extraction/evaluation.py.
No database or storage is touched.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pipeline.extraction.evaluation import DEFAULT_THRESHOLD, ENGINES, evaluate_truth_file, format_report, load_truth


class Command(BaseCommand):
    help = "Score the extraction engine against a truth.jsonl (per field, and auto-accept precision)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("truth", type=Path, metavar="TRUTH.jsonl")
        parser.add_argument("--engine", choices=ENGINES, default="local")
        parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD,
                            help="auto-accept threshold, confidence 0-100 (default %(default)g)")
        parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
        parser.add_argument("--limit", type=int, default=None, help="only the first N documents")
        parser.add_argument("--documents", action="store_true",
                            help="with --json, include each document's outcome per field")

    def handle(self, *args, **opts):
        path: Path = opts["truth"]
        if not path.is_file():
            raise CommandError(f"no truth file at {path}")
        if opts["limit"] is not None and opts["limit"] < 1:
            raise CommandError("--limit must be at least 1")
        if not 0 <= opts["threshold"] <= 100:
            raise CommandError("--threshold is a confidence from 0 to 100")
        try:
            load_truth(path)
        except (ValueError, UnicodeDecodeError) as exc:
            raise CommandError(str(exc))

        def progress(score, result):
            if opts["verbosity"] >= 2:
                wrong = [f"{f.name} {f.outcome}: {f.predicted!r} (truth {f.truth!r})"
                         for f in score.fields if f.outcome in ("wrong", "missing", "spurious")]
                note = result.get("error") or "; ".join(wrong) or "all right"
                self.stderr.write(f"{score.doc}: {note}")

        report, scores = evaluate_truth_file(path, engine=opts["engine"], limit=opts["limit"],
                                             threshold=opts["threshold"], progress=progress)
        if opts["json"]:
            out = {"truth": str(path), "engine": opts["engine"], **report.to_dict()}
            if opts["documents"]:
                out["documents_detail"] = [s.to_dict() for s in scores]
            self.stdout.write(json.dumps(out, ensure_ascii=False, default=str))
        else:
            self.stdout.write(f"{path} ({opts['engine']} engine)")
            self.stdout.write(format_report(report))
