"""Settings for the test suite: the real services of DESIGN.md, each test run isolated from the others.

MariaDB (127.0.0.1:3306) for the database, a moto server on a free loopback port for S3/KMS/SQS/DynamoDB/SNS
(started by tests/conftest.py), Redis for the broker of the real-worker tests. Values come from the environment
when set, so a worker subprocess started by a test inherits exactly the same ones.

``INVOICES_TEST_NAME`` (database name) and ``INVOICES_TEST_REDIS_DB`` let several checkouts run their suites on
one machine at the same time without touching each other's data.
"""

import os
import socket
import tempfile
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_name = os.environ.setdefault("INVOICES_TEST_NAME", "invoices")
_redis_db = os.environ.setdefault("INVOICES_TEST_REDIS_DB", "1")
_defaults = {
    "DATABASE_URL": f"mysql://root@127.0.0.1:3306/{_name}",
    "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{_redis_db}",
    "CELERY_TASK_ALWAYS_EAGER": "1",  # tests of the real worker switch this off for themselves
    "AWS_ENDPOINT_URL": f"http://127.0.0.1:{_free_port()}",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
    "RAW_BUCKET": f"{_name}-raw".replace("_", "-"),
    "PROCESSED_BUCKET": f"{_name}-processed".replace("_", "-"),
    "KMS_KEY_ID": f"alias/{_name}-test",
    "VAR_DIR": str(Path(tempfile.gettempdir()) / f"{_name}-test-var"),
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "LOG_LEVEL": "WARNING",
}
for _key, _value in _defaults.items():
    os.environ.setdefault(_key, _value)

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
# No collectstatic before tests: serve static files straight from the app folders.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
