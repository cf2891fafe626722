"""``make bench``: run every benchmark script in this folder and print their figures.

Each bench/<area>.py is a standalone script printing its own figures; they run one after another (not in
parallel: the figures are timings). Pass area names to run only some: ``python bench/run.py extraction ocr``.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["extraction", "ocr", "pipeline", "outbox", "review"]


def main(argv: list[str]) -> int:
    scripts = {p.stem: p for p in HERE.glob("*.py") if p.stem not in {"run", "__init__"} and not p.stem.startswith("_")}
    names = argv or sorted(scripts, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))
    print(f"# machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    failed = []
    for name in names:
        if name not in scripts:
            print(f"\n## {name}: no bench/{name}.py")
            failed.append(name)
            continue
        print(f"\n## {name}", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(scripts[name])], cwd=HERE.parent)
        print(f"(bench/{name}.py took {time.perf_counter() - started:.0f} s, exit {code})", flush=True)
        if code:
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
