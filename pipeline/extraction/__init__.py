"""Extraction engines: a file's bytes in, an :class:`ExtractionResult` (the extraction contract) out.

``extract(data, name=...)`` is the one entry point the pipeline and ``manage.py extract`` call.
"""

from __future__ import annotations

import logging
import time

from celery.exceptions import SoftTimeLimitExceeded

from .types import ExtractionResult, FieldValue, UnreadableDocument

__all__ = ["ExtractionResult", "FieldValue", "UnreadableDocument", "extract"]

logger = logging.getLogger("pipeline")


def extract(data: bytes, *, name: str = "", engine: str | None = None) -> ExtractionResult:
    """Extract an invoice's fields with the local engine.

    Never raises for a bad file: the result carries ``error`` instead. A task's soft time limit is not a bad
    file: :class:`SoftTimeLimitExceeded` propagates so the task can fail the run with the time-limit reason.
    """
    from .local import extract_local

    started = time.perf_counter()
    try:
        result = extract_local(data, name=name)
    except SoftTimeLimitExceeded:
        raise
    except UnreadableDocument as exc:
        return ExtractionResult(file=name, error=str(exc))
    except (MemoryError, RecursionError):
        return ExtractionResult(file=name, error="The document is too large or too complex to read.")
    except Exception:  # one bad file must not stop a run; the reason is logged for us
        logger.exception("extraction failed", extra={"file": name})
        return ExtractionResult(file=name, error="The document could not be read (an unexpected error while "
                                                 "extracting; it has been logged).")
    result.timings_ms.setdefault("total", round((time.perf_counter() - started) * 1000, 1))
    return result
