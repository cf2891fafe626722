"""JSON-lines logging with a correlation id that follows an invoice from the request into its Celery tasks.

The id lives in a context variable. The middleware sets it from ``X-Request-ID`` (or a new one) for each request;
Celery's publish signal copies it into the task message headers and the prerun signal restores it in the worker,
so one invoice's request and tasks share one id. Log ids, statuses and timings, never invoice contents or bank
details.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

from celery import signals

correlation_id: contextvars.ContextVar[str] = contextvars.ContextVar("correlation_id", default="")
HEADER = "x_correlation_id"  # not "correlation_id": Celery uses that name for the task id
_VALID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

# LogRecord attributes that are not "extra" fields.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "correlation_id"}


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def get_correlation_id() -> str:
    return correlation_id.get()


def set_correlation_id(value: str | None) -> contextvars.Token:
    return correlation_id.set(value if value and _VALID.match(value) else new_correlation_id())


class CorrelationIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "correlation_id": getattr(record, "correlation_id", "") or correlation_id.get(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class CorrelationIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_correlation_id(request.headers.get("X-Request-ID"))
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = correlation_id.get()
            return response
        finally:
            correlation_id.reset(token)


@signals.before_task_publish.connect
def _add_correlation_header(headers=None, **_kwargs):
    if headers is not None and not headers.get(HEADER):
        headers[HEADER] = correlation_id.get() or new_correlation_id()


@signals.task_prerun.connect
def _restore_correlation_id(task=None, **_kwargs):
    value = getattr(task.request, HEADER, None) if task is not None else None
    set_correlation_id(value)
