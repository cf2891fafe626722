"""Shared fixtures: the real services of DESIGN.md, and the people and invoices tests act on.

- MariaDB: pytest-django's test database on the server given by DATABASE_URL (config/settings_test.py).
- A moto server on a loopback port for S3, KMS, SQS, DynamoDB and SNS, started once per session, with the two
  buckets encrypted by a KMS key, as in production.
- Redis and a real Celery worker subprocess (``celery_worker`` fixture) for the tests of the pipeline itself.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


# --- AWS on moto -------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    endpoint = os.environ["AWS_ENDPOINT_URL"]
    parsed = urlparse(endpoint)
    server = ThreadedMotoServer(ip_address=parsed.hostname, port=parsed.port, verbose=False)
    server.start()
    try:
        _create_buckets()
        yield endpoint
    finally:
        server.stop()


def _create_buckets() -> None:
    from django.conf import settings

    from invoices import aws

    aws.reset()
    kms = aws.client("kms")
    key_id = kms.create_key(Description="invoices test key")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=settings.KMS_KEY_ID, TargetKeyId=key_id)
    s3 = aws.client("s3")
    for bucket in (settings.RAW_BUCKET, settings.PROCESSED_BUCKET):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": settings.AWS_REGION})
        s3.put_bucket_encryption(
            Bucket=bucket,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                                   "KMSMasterKeyID": settings.KMS_KEY_ID}}]
            },
        )


@pytest.fixture(autouse=True)
def _aws(moto_server):
    """Every test talks to the same moto server; the storages and clients point at it through settings."""
    return moto_server


@pytest.fixture
def s3():
    from invoices import aws

    return aws.client("s3")


# --- people -------------------------------------------------------------------------------------------------
def _user(username: str, groups: list[str], **extra):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user(username=username, password="pw", email=f"{username}@example.com", **extra)
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


@pytest.fixture
def reviewer(db):
    from invoices.roles import REVIEWER

    return _user("rita", [REVIEWER])


@pytest.fixture
def approver(db):
    from invoices.roles import APPROVER, REVIEWER

    return _user("alex", [APPROVER, REVIEWER])


@pytest.fixture
def approver_only(db):
    from invoices.roles import APPROVER

    return _user("olga", [APPROVER])


@pytest.fixture
def admin_user(db):
    from invoices.roles import ADMIN

    return _user("ada", [ADMIN], is_staff=True, is_superuser=True)


@pytest.fixture
def nobody(db):
    """Signed in, but in no group: may see nothing."""
    return _user("nobody", [])


# --- invoices -------------------------------------------------------------------------------------------------
@pytest.fixture
def make_invoice(db):
    from tests.factories import make_invoice

    return make_invoice


@pytest.fixture
def sample_pdf() -> bytes:
    from tests.factories import invoice_pdf

    return invoice_pdf()


# --- a real Celery worker ---------------------------------------------------------------------------------------
def _redis_up(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


class WorkerProcess:
    def __init__(self, env: dict[str, str], log_path: Path, concurrency: int = 1, name: str = "w1"):
        self.env, self.log_path, self.concurrency, self.name = env, log_path, concurrency, name
        self.proc: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        self.log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "prefork",
             "--concurrency", str(self.concurrency), "--loglevel", "INFO", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "-n", f"{self.name}@%h"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited: {self.log_path.read_text()[-3000:]}")
            if b"ready." in self.log_path.read_bytes():
                return self
            time.sleep(0.2)
        raise RuntimeError(f"worker did not start: {self.log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the whole process group: the worker dies mid-task with no chance to clean up."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        if getattr(self, "log", None):
            self.log.close()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def worker_env(transactional_db, settings, tmp_path) -> dict[str, str]:
    """Environment for worker subprocesses: the test database, Redis broker, the same moto server."""
    from django.db import connection

    from config.celery import app

    broker = os.environ["CELERY_BROKER_URL"]
    if not _redis_up(broker):
        pytest.fail(f"Redis is not reachable at {broker}; `make test` starts it (see Makefile: services)")
    import redis

    redis.Redis.from_url(broker).flushdb()  # no messages left over from an earlier test
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"mysql://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 3306}/{db['NAME']}",
        CELERY_TASK_ALWAYS_EAGER="0",
        DJANGO_SETTINGS_MODULE="config.settings_test",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    yield env
    app.conf.task_always_eager = True


@pytest.fixture
def start_worker(worker_env, tmp_path):
    """Start real worker subprocesses: ``start_worker()`` → WorkerProcess; all are stopped after the test."""
    started: list[WorkerProcess] = []
    artifacts = ROOT / "test-artifacts" / "worker-logs"
    artifacts.mkdir(parents=True, exist_ok=True)

    def start(*, concurrency: int = 1, name: str | None = None, extra_env: dict[str, str] | None = None):
        name = name or f"w{len(started) + 1}"
        env = {**worker_env, **(extra_env or {})}
        worker = WorkerProcess(env, tmp_path / f"{name}.log", concurrency, name).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
        shutil.copy(worker.log_path, artifacts / f"{os.environ.get('PYTEST_CURRENT_TEST', 'test').split(' ')[0].replace('/', '_').replace(':', '_')}-{worker.name}.log")


@pytest.fixture
def celery_worker(start_worker):
    return start_worker()


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.2, message: str = "condition"):
    """Poll until ``predicate()`` is truthy (for work done by another process); fail with ``message``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {message}")


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS} (a user's clone); corpus tests need ../shared/corpus")
    return CORPUS


# --- role groups in transactional tests (added with the API, issue 6) --------------------------------------------
def _uses_transactions(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or bool(marker and marker.kwargs.get("transaction"))
    )


@pytest.fixture(autouse=True)
def _role_groups_exist(request):
    """Tests that really commit (live_server, transactional_db, real workers) end with a flush that also removes the
    role groups the 0002 migration created; the next such test would find users in no group. Re-create them."""
    if not _uses_transactions(request):
        return
    request.getfixturevalue("db" if "db" in request.fixturenames else "transactional_db")
    from django.contrib.auth.models import Group, Permission

    from invoices.roles import GROUP_PERMISSIONS

    for name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(content_type__app_label="invoices")
        if codenames != ["*"]:
            perms = perms.filter(codename__in=codenames)
        group.permissions.add(*perms)
