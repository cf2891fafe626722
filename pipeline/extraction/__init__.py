"""Extraction engines: a file's bytes in, an :class:`ExtractionResult` (the extraction contract) out.

``extract(data, name=...)`` is the one entry point the pipeline and ``manage.py extract`` call.
"""

from __future__ import annotations

import time

from .types import ExtractionResult, FieldValue, UnreadableDocument

__all__ = ["ExtractionResult", "UnreadableDocument", "extract"]


def extract(data: bytes, *, name: str = "", engine: str | None = None) -> ExtractionResult:
    """Extract an invoice's fields. Never raises for a bad file: the result carries ``error`` instead."""
    from . import simple

    started = time.perf_counter()
    try:
        result = simple.extract(data, name=name)
    except UnreadableDocument as exc:
        return ExtractionResult(file=name, error=str(exc))
    result.timings_ms.setdefault("total", (time.perf_counter() - started) * 1000)
    return result


__all__ += ["FieldValue"]
