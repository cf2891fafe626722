"""Which failures are worth retrying, and when to retry them.

A step catches what its work raises and asks :func:`classify`: transient errors (storage or database briefly
unreachable, throttling, the broker) are retried with exponential backoff, full of jitter and capped; permanent
ones (the file cannot be read, the original is missing) fail the invoice at once with a reason people can read.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError
from django.conf import settings
from django.db import InterfaceError, OperationalError

from .errors import PermanentError, TransientError

# Error codes AWS services return when asked to slow down or when they fail on their side.
_THROTTLING = {
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
    "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
    "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
    "EC2ThrottledException", "InternalError", "InternalFailure", "ServiceUnavailable", "ServiceUnavailableException",
    "RequestTimeout", "RequestTimeoutException", "ProvisionedThroughputExceeded",
}
_MISSING = {"NoSuchKey", "404", "NotFound", "NoSuchBucket"}


@dataclass(frozen=True, slots=True)
class Failure:
    transient: bool
    reason: str  # for people: what went wrong, without invoice contents
    unexpected: bool = False  # a bug rather than a known failure: log it with its traceback


def classify(exc: BaseException, *, what: str = "the file storage") -> Failure:
    """Transient or permanent, with a reason that names the service (``what``) rather than the exception."""
    if isinstance(exc, TransientError):
        return Failure(True, str(exc) or f"{what} was briefly unavailable")
    if isinstance(exc, PermanentError):
        return Failure(False, str(exc))
    if isinstance(exc, FileNotFoundError):
        return Failure(False, "the original file is missing from storage; upload it again.")
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        if code in _THROTTLING or status >= 500 or status == 429:
            return Failure(True, f"{what} is busy or failing ({code or status})")
        if code in _MISSING:
            return Failure(False, "the original file is missing from storage; upload it again.")
        if code in {"AccessDenied", "403", "Forbidden", "KMS.AccessDeniedException", "AccessDeniedException"}:
            return Failure(False, f"access to {what} was denied ({code}); an administrator must check the permissions, "
                                  "then reprocess the invoice.")
        return Failure(False, f"{what} refused the request ({code or status}).")
    if isinstance(exc, BotoConnectionError | HTTPClientError):
        return Failure(True, f"{what} could not be reached")
    if isinstance(exc, OperationalError | InterfaceError):
        return Failure(True, "the database was briefly unavailable")
    if is_broker_error(exc):
        return Failure(True, "the task queue was briefly unavailable")
    if isinstance(exc, ConnectionError | TimeoutError):
        return Failure(True, f"{what} could not be reached")
    return Failure(False, f"processing stopped on an unexpected error ({type(exc).__name__}); "
                          "an administrator can look at the logs and reprocess it.", unexpected=True)


def is_broker_error(exc: BaseException) -> bool:
    from kombu.exceptions import OperationalError as KombuOperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return isinstance(exc, KombuOperationalError | RedisConnectionError | RedisTimeoutError)


def backoff(retries: int, *, base: float | None = None, cap: float | None = None) -> float:
    """Seconds before retry number ``retries + 1``: exponential, capped, with "equal jitter".

    Half of the exponential delay is kept and the other half drawn at random, so a crowd of invoices that failed
    together (storage down) does not come back together, and none retries sooner than half its delay.
    """
    base = settings.PIPELINE_RETRY_BACKOFF if base is None else base
    cap = settings.PIPELINE_RETRY_BACKOFF_MAX if cap is None else cap
    delay = min(cap, base * (2 ** max(0, retries)))
    return delay / 2 + random.uniform(0, delay / 2)
