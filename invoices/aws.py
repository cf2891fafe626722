"""The one place that creates boto3 clients. Engines, sync and setup code receive clients from here.

``AWS_ENDPOINT_URL`` points every client at one endpoint (a moto server in tests); unset in AWS itself.
"""

from __future__ import annotations

import threading
from functools import cache

import boto3
from botocore.config import Config
from django.conf import settings

_local = threading.local()


def _config() -> Config:
    return Config(
        region_name=settings.AWS_REGION,
        retries={"max_attempts": 3, "mode": "standard"},  # short: our own tasks retry with backoff
        connect_timeout=5,
        read_timeout=60,
    )


def client(service: str):
    """A boto3 client for ``service``, one per thread (boto3 sessions are not thread-safe)."""
    cached = getattr(_local, "clients", None)
    if cached is None:
        cached = _local.clients = {}
    key = (service, settings.AWS_ENDPOINT_URL, settings.AWS_REGION)
    if key not in cached:
        cached[key] = _session().client(service, endpoint_url=settings.AWS_ENDPOINT_URL, config=_config())
    return cached[key]


def resource(service: str):
    return _session().resource(service, endpoint_url=settings.AWS_ENDPOINT_URL, config=_config())


def reset() -> None:
    """Forget cached clients (tests that change the endpoint or credentials)."""
    _local.clients = {}
    _session.cache_clear()


@cache
def _session() -> boto3.session.Session:
    return boto3.session.Session(region_name=settings.AWS_REGION)
