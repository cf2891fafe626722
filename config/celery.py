import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("invoices")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

import config.logging  # noqa: E402,F401  (connects the correlation-id signals in every process)
