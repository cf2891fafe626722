"""python manage.py generate_invoices OUT_DIR --count N --seed S --kind digital|scan|mixed"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pipeline.generator import generate
from pipeline.generator.locales import LOCALES
from pipeline.generator.render import LAYOUTS


class Command(BaseCommand):
    help = "Write synthetic invoices (PDF, scans) and their exact truth.jsonl into OUT_DIR."

    def add_arguments(self, parser):
        parser.add_argument("out_dir", type=Path)
        parser.add_argument("--count", type=int, default=100)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--kind", choices=("digital", "scan", "mixed"), default="digital")
        parser.add_argument("--locale", choices=sorted(LOCALES), help="only this locale")
        parser.add_argument("--layout", choices=LAYOUTS, help="only this layout")
        parser.add_argument("--start", type=int, default=0, help="index of the first document (to extend a corpus)")

    def handle(self, *args, **opts):
        if opts["count"] < 1:
            raise CommandError("--count must be at least 1")
        kw = {k: opts[k] for k in ("locale", "layout") if opts.get(k)}
        t0 = time.perf_counter()
        made = generate(
            seed=opts["seed"],
            count=opts["count"],
            kind=opts["kind"],
            out_dir=opts["out_dir"],
            start=opts["start"],
            **kw,
        )
        took = time.perf_counter() - t0
        kinds = Counter(inv.doc_kind for inv in made)
        self.stdout.write(
            f"wrote {len(made)} invoices and truth.jsonl to {opts['out_dir']} in {took:.1f} s "
            f"({', '.join(f'{k}: {v}' for k, v in sorted(kinds.items()))})"
        )
