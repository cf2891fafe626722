"""OCR engines compared on the same pages: accuracy on digits and amounts, seconds per page, peak memory.

    .venv/bin/python bench/ocr.py [--gen 16] [--sroie 20] [--engines rapidocr,tesseract] [--seed 404]

Pages: the first ``--gen`` scans of the project's generator (``make_invoice(kind="scan")``: scans, faxes and
photos, some turned by 90/180/270 degrees, skewed, noisy), each compared with the *same* invoice made
born-digital (its text layer is the reference), and the first ``--sroie`` real receipt scans of
../shared/corpus/sroie-dev (truth: total), skipped when the corpus is absent.

Figures per engine (each engine runs in its own process, one after the other, one thread, models loaded before
timing; the load time is shown apart):
- ``amounts``: share of the truth amounts (subtotal, tax, total, amount due) whose digits appear as one OCR
  word or two adjacent ones (``1 234,56``) - what the field parser needs;
- ``num words`` / ``words``: share of the digital page's words with a digit / all its words found exactly
  among the OCR words of that page (multiset);
- ``CER num`` / ``CER``: character error rate of those words, each against the closest OCR word of the page;
- ``sroie total``: share of receipts whose truth total appears among the OCR words;
- ``s/page`` wall-clock median and p95 (page image → upright, deskewed words), ``cpu s``: CPU seconds per page
  (the process and its Tesseract children: the one-core cost, less disturbed by a busy machine than wall time),
  ``gen med``: wall median on the generated pages alone, and peak RSS in MB: the Python process + its largest
  Tesseract child (the process waits while Tesseract runs, so the sum is the peak of the pair).
The digital text layer scores itself on the same measures as a check of the measure (should be ~100 %).

Knobs for trying variants (environment): OCR_RAPID_DET_SIDE (detector size, default 1280), OCR_RAPID_REC_WIDTH
(narrowest recogniser input, default 160; rapidocr's own is 320),
OCR_TESSERACT_LANGS (default eng+deu+fra+spa+ita+nld), OCR_TESSERACT_THRESHOLDING (0 Otsu, 1, 2 Sauvola: default).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus"
AMOUNT_KEYS = ("subtotal", "tax", "total", "amount_due")


def norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def amount_found(amount: str, words: list[str]) -> bool:
    """The amount's digits are the digits of one word, or of two words in a row ("1 234,56", "$ 12.00")."""
    want = digits(amount)
    if not want:
        return False
    ds = [digits(w) for w in words]
    for i, d in enumerate(ds):
        if d == want or (i + 1 < len(ds) and d and d + ds[i + 1] == want):
            return True
    return False


def levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def word_scores(reference: list[str], ocr: list[str]) -> dict[str, float]:
    """Exact-match recall and CER of the reference words against the OCR words, for all words and numeric ones."""
    bag = Counter(ocr)
    by_len: dict[int, set[str]] = {}
    for w in set(ocr):
        by_len.setdefault(len(w), set()).add(w)
    out = {
        "words": 0,
        "found": 0,
        "chars": 0,
        "errors": 0,
        "num_words": 0,
        "num_found": 0,
        "num_chars": 0,
        "num_errors": 0,
    }
    for word in reference:
        numeric = any(c.isdigit() for c in word)
        found = bag[word] > 0
        if found:
            bag[word] -= 1
            err = 0
        else:
            err = len(word)
            for n in range(max(1, len(word) - 3), len(word) + 4):
                for cand in by_len.get(n, ()):
                    if abs(len(cand) - len(word)) < err:
                        err = min(err, levenshtein(word, cand))
        for prefix in ("", "num_") if numeric else ("",):
            out[prefix + "words"] += 1
            out[prefix + "found"] += found
            out[prefix + "chars"] += len(word)
            out[prefix + "errors"] += min(err, len(word))
    return out


# --- preparing the pages (parent process) ---------------------------------------------------------------------
def prepare(args, folder: Path) -> list[dict]:
    from pipeline.extraction.images import image_kind, iter_image_pages, iter_pdf_page_images
    from pipeline.extraction.pdftext import read_pdf
    from pipeline.generator import make_invoice

    items = []
    for i in range(args.gen):
        scan = make_invoice(seed=args.seed, index=i, kind="scan")
        digital = make_invoice(seed=args.seed, index=i, kind="digital")
        reference = read_pdf(digital.data).document
        if image_kind(scan.data):
            images = list(iter_image_pages(scan.data))
        else:
            images = list(iter_pdf_page_images(scan.data, range(1, len(reference.pages) + 1)))
        truth = {k: scan.truth.get(k) for k in AMOUNT_KEYS if scan.truth.get(k)}
        params = scan.truth.get("scan") or {}
        for number, image in enumerate(images, 1):
            path = folder / f"gen-{i}-{number}.png"
            image.save(path)
            ref_words = (
                [norm(w.text) for w in reference.pages[number - 1].words] if number <= len(reference.pages) else []
            )
            items.append(
                {
                    "set": "generated",
                    "path": str(path),
                    "page": number,
                    "reference": ref_words,
                    "amounts": truth if number == len(images) else {},
                    "doc": i,
                    "profile": params.get("profile", "?"),
                    "turned": params.get("turned", 0),
                }
            )
    sroie = CORPUS / "sroie-dev"
    if args.sroie and (sroie / "truth.jsonl").is_file():
        records = [json.loads(line) for line in (sroie / "truth.jsonl").read_text().splitlines() if line.strip()]
        for record in records[: args.sroie]:
            items.append(
                {
                    "set": "sroie",
                    "path": str(sroie / record["doc"]),
                    "page": 1,
                    "reference": [],
                    "amounts": {"total": record["total"]} if record.get("total") else {},
                    "doc": record["doc"],
                    "profile": "receipt",
                    "turned": 0,
                }
            )
    elif args.sroie:
        print(f"(sroie-dev skipped: {sroie} not found)")
    return items


# --- one engine over every page (child process) ---------------------------------------------------------------
def _peak_rss_kb() -> float:
    """This process's peak RSS since it started (VmHWM). Not ru_maxrss: on Linux that keeps the parent's
    resident size at fork time across exec, so a child of a big process would report the parent's memory."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1])
    except OSError:
        pass
    return float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _cpu() -> float:
    """CPU seconds of this process and its finished children (Tesseract runs as a child)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def run_engine(engine: str, items_path: Path) -> dict:
    from PIL import Image

    from pipeline.extraction.images import iter_image_pages
    from pipeline.extraction.ocr import ocr_page

    items = json.loads(items_path.read_text())
    warm = Image.open(items[0]["path"])
    started = time.perf_counter()
    ocr_page(warm.convert("L"), 1, engine=engine)
    first = time.perf_counter() - started
    results = []
    for item in items:
        data = Path(item["path"]).read_bytes()
        image = next(iter_image_pages(data))
        cpu = _cpu()
        started = time.perf_counter()
        page = ocr_page(image, item["page"], engine=engine)
        seconds = time.perf_counter() - started
        cpu = _cpu() - cpu
        words = [norm(w.text) for w in page.words]
        results.append(
            {
                "seconds": seconds,
                "cpu": cpu,
                "words": words,
                "rotation": page.rotation,
                "confidence": statistics.fmean([w.confidence for w in page.words]) if page.words else 0,
            }
        )
    own = _peak_rss_kb()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest Tesseract child
    return {"first_call_s": first, "results": results, "rss_mb": (own / 1024, kids / 1024)}


def pct(num: float, den: float) -> str:
    return f"{100 * num / den:5.1f} %" if den else "   -   "


def summarise(name: str, items: list[dict], results: list[dict], extra: dict | None = None) -> list[str]:
    totals: Counter = Counter()
    amounts_found = amounts_total = sroie_found = sroie_total = 0
    turned_ok = turned_total = 0
    for item, result in zip(items, results, strict=True):
        words = result["words"]
        for value in item["amounts"].values():
            if item["set"] == "sroie":
                sroie_total += 1
                sroie_found += amount_found(value, words)
            else:
                amounts_total += 1
                amounts_found += amount_found(value, words)
        if item["reference"]:
            totals.update(word_scores(item["reference"], words))
        if item["turned"] and "rotation" in result:
            turned_total += 1
            turned_ok += result["rotation"] == (360 - item["turned"]) % 360
    seconds = sorted(r["seconds"] for r in results if "seconds" in r)
    row = [
        name,
        pct(amounts_found, amounts_total),
        pct(totals["num_found"], totals["num_words"]),
        pct(totals["num_errors"], totals["num_chars"]),
        pct(totals["found"], totals["words"]),
        pct(totals["errors"], totals["chars"]),
        pct(sroie_found, sroie_total),
        f"{turned_ok}/{turned_total}" if turned_total else "-",
    ]
    if seconds:
        p95 = seconds[min(len(seconds) - 1, round(0.95 * (len(seconds) - 1)))]
        gen = [r["seconds"] for i, r in zip(items, results, strict=True) if i["set"] == "generated"]
        cpu = sorted(r["cpu"] for r in results)
        cpu95 = cpu[min(len(cpu) - 1, round(0.95 * (len(cpu) - 1)))]
        row += [
            f"{statistics.median(seconds):.2f}",
            f"{p95:.2f}",
            f"{statistics.median(cpu):.2f}",
            f"{cpu95:.2f}",
            f"{statistics.median(gen):.2f}" if gen else "-",
            f"{extra['rss_mb'][0]:.0f}+{extra['rss_mb'][1]:.0f}",
            f"{extra['first_call_s']:.1f}",
        ]
    else:
        row += ["-"] * 7
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gen", type=int, default=16, help="generated scanned invoices")
    parser.add_argument("--sroie", type=int, default=20, help="sroie-dev receipts")
    parser.add_argument("--seed", type=int, default=404)
    parser.add_argument("--engines", default="rapidocr,tesseract")
    parser.add_argument("--verbose", action="store_true", help="print every page's figures")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--items", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_engine(args.child, Path(args.items))))
        return 0

    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        items = prepare(args, folder)
        items_path = folder / "items.json"
        items_path.write_text(json.dumps(items))
        n_gen = sum(1 for i in items if i["set"] == "generated")
        profiles = Counter(i["profile"] for i in items if i["set"] == "generated")
        turned = sum(1 for i in items if i["turned"])
        print(
            f"pages: {n_gen} generated scans (seed {args.seed}; {dict(profiles)}; {turned} turned) and "
            f"{len(items) - n_gen} sroie-dev receipts; prepared in {time.perf_counter() - started:.0f} s"
        )
        header = [
            "engine",
            "amounts",
            "num words",
            "CER num",
            "words",
            "CER",
            "sroie total",
            "upright",
            "s/page med",
            "p95",
            "cpu s med",
            "cpu p95",
            "gen med",
            "peak RSS MB",
            "load+1st s",
        ]
        digital = [i for i in items if i["set"] == "generated"]
        rows = [summarise("pdf text layer", digital, [{"words": i["reference"]} for i in digital])]
        for engine in args.engines.split(","):
            engine = engine.strip()
            load = os.getloadavg()[0]
            env = {**os.environ, "OMP_THREAD_LIMIT": "1", "OMP_NUM_THREADS": "1"}
            done = subprocess.run(
                [sys.executable, __file__, "--child", engine, "--items", str(items_path)],
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
            if done.returncode != 0:
                print(f"{engine}: failed\n{done.stderr[-2000:]}")
                continue
            out = json.loads(done.stdout.strip().splitlines()[-1])
            rows.append(summarise(engine, items, out["results"], out))
            if args.verbose:
                for item, r in zip(items, out["results"], strict=True):
                    print(
                        f"  {engine} {item['set']} {item['doc']} p{item['page']} {item['profile']} "
                        f"turned {item['turned']}: {r['seconds']:.2f} s, cpu {r['cpu']:.2f} s, "
                        f"{len(r['words'])} words, rotation {r['rotation']}"
                    )
            print(
                f"({engine}: load average {load:.2f} before, {os.getloadavg()[0]:.2f} after, on "
                f"{os.cpu_count()} cores)",
                flush=True,
            )
        widths = [max(len(str(r[k])) for r in [header, *rows]) for k in range(len(header))]
        for r in [header, *rows]:
            print("  ".join(str(c).rjust(w) for c, w in zip(r, widths, strict=True)))
        print(
            "amounts/num words/words: higher is better; CER: lower is better. The pdf text layer row is the "
            "measure's own ceiling; sroie rows have no text layer. Timings: one thread, machine shared."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
