"""Celery tasks: thin, id-taking, safe to run twice. The work is in ``pipeline.steps`` (via pipeline.services).

Every task acknowledges its message only when done (``acks_late``) and is requeued when its worker process dies
(``reject_on_worker_lost``); claims make the redelivery harmless. Every task has a soft and a hard time limit.
Transient errors are retried with exponential backoff, jitter and a cap, counted in the ``errors`` argument
(``PIPELINE_MAX_RETRIES``); the steps decide what is transient and fail the invoice visibly when it is not.
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from django.conf import settings

from invoices.models import Status

from . import services
from .retry import backoff, classify, is_broker_error

logger = logging.getLogger("pipeline")

HEAVY = {"soft_time_limit": settings.CELERY_TASK_SOFT_TIME_LIMIT, "time_limit": settings.CELERY_TASK_TIME_LIMIT}
LIGHT = {"soft_time_limit": settings.PIPELINE_STEP_SOFT_TIME_LIMIT, "time_limit": settings.PIPELINE_STEP_TIME_LIMIT}


class PipelineTask(Task):
    acks_late = True
    reject_on_worker_lost = True
    max_retries = None  # retries are capped by PIPELINE_MAX_RETRIES, counted in the task's ``errors`` argument


def _run(task: Task, step, invoice_id: str, errors: int, **kwargs) -> services.StepOutcome:
    ctx = services.RunContext(task_id=task.request.id or "", worker=task.request.hostname or "", retries=errors,
                              max_retries=settings.PIPELINE_MAX_RETRIES)
    try:
        outcome = step(invoice_id, ctx, **kwargs)
    except Exception as exc:
        # The step could not even record what happened (the database or broker itself is down): retry the task.
        if classify(exc).transient and errors < settings.PIPELINE_MAX_RETRIES:
            logger.warning("task retrying", extra={"invoice_id": invoice_id, "task": task.name,
                                                   "error_type": type(exc).__name__})
            raise task.retry(args=(invoice_id,), kwargs={**kwargs, "errors": errors + 1}, countdown=backoff(errors),
                             exc=exc) from exc
        raise
    if outcome.retry_in is not None:
        options = {"queue": settings.CELERY_TASK_DEFAULT_QUEUE} if outcome.poll else {}
        raise task.retry(args=(invoice_id,), kwargs={**kwargs, "errors": errors, **outcome.retry_kwargs},
                         countdown=outcome.retry_in, **options)
    return outcome


@shared_task(bind=True, base=PipelineTask, **HEAVY)
def extract_invoice(self, invoice_id: str, *, errors: int = 0, attempt_id: int | None = None, job_id: str = "",
                    polls: int = 0) -> str:
    outcome = _run(self, services.run_extract, invoice_id, errors, attempt_id=attempt_id, job_id=job_id, polls=polls)
    if outcome.ran and outcome.status == Status.EXTRACTED:
        _send(validate_invoice, invoice_id)
        _send(render_page_images, invoice_id)
    return outcome.status


@shared_task(bind=True, base=PipelineTask, **LIGHT)
def validate_invoice(self, invoice_id: str, *, errors: int = 0) -> str:
    outcome = _run(self, services.run_validate, invoice_id, errors)
    if outcome.ran and outcome.status == Status.VALIDATED:
        _send(route_invoice, invoice_id)
    return outcome.status


@shared_task(bind=True, base=PipelineTask, **LIGHT)
def route_invoice(self, invoice_id: str, *, errors: int = 0) -> str:
    return _run(self, services.run_route, invoice_id, errors).status


@shared_task(bind=True, base=PipelineTask, **HEAVY)
def render_page_images(self, invoice_id: str, *, errors: int = 0) -> str:
    return _run(self, services.run_render_pages, invoice_id, errors).status


@shared_task(name="pipeline.tasks.sweep", base=PipelineTask, **LIGHT)
def sweep() -> dict[str, int]:
    report = services.sweep()
    return {"released": len(report.released), "failed": len(report.failed), "requeued": len(report.requeued)}


@shared_task(base=PipelineTask, soft_time_limit=240, time_limit=300)
def consume_s3_drop() -> dict[str, int]:
    from .s3_intake import consume

    return consume(max_seconds=200, wait_seconds=1).as_dict()


NEXT_STEP = {Status.RECEIVED: extract_invoice, Status.EXTRACTED: validate_invoice, Status.VALIDATED: route_invoice}


def enqueue_for_status(invoice_id: str, status: str) -> None:
    """Queue the step an invoice waiting in ``status`` needs (the sweeper and hooks use it)."""
    task = NEXT_STEP.get(status)
    if task is not None:
        _send(task, invoice_id)


def _send(task: Task, invoice_id: str) -> None:
    """Queue a step; if the broker refuses, log it: the sweeper queues it again later (nothing is lost)."""
    try:
        task.delay(str(invoice_id))
    except Exception as exc:
        if not is_broker_error(exc):
            raise
        logger.error("could not queue a step; the sweeper will", extra={"invoice_id": str(invoice_id),
                                                                         "task": task.name,
                                                                         "error_type": type(exc).__name__})
