"""One settings module, driven by the environment (django-environ).

The embedded defaults run on a bare machine: SQLite file, local folders for files, a file-system Celery broker
and console email. Production sets everything through environment variables (see .env.example); secrets have
no default when DEBUG is off.
"""

from __future__ import annotations

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    environ.Env.read_env(env_file)

# DJANGO_ENV=production removes every embedded default that would be unsafe there: it needs a real secret key
# and database from the environment.
PRODUCTION = env.str("DJANGO_ENV", default="local") == "production"
DEBUG = env.bool("DJANGO_DEBUG", default=False)
if PRODUCTION:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    env.str("DATABASE_URL")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="local-only-insecure-key-set-DJANGO_SECRET_KEY-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_htmx",
    "invoices",
    "pipeline",
    "review",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.logging.CorrelationIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------------------------------
# DATABASE_URL=mysql://user:pass@host:3306/invoices for Aurora/MySQL; an SQLite file by default.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker share the file: WAL lets readers go on while one writes, IMMEDIATE takes
    # the write lock at the start of a transaction instead of failing half-way with "database is locked".
    _db.setdefault("OPTIONS", {}).update(
        {"timeout": 30, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
elif _db["ENGINE"] == "django.db.backends.mysql":
    _db.setdefault("OPTIONS", {}).update(
        {"charset": "utf8mb4", "init_command": "SET sql_mode='STRICT_TRANS_TABLES'", "isolation_level": "read committed"}
    )
    _db.setdefault("TEST", {}).update({"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"})
_db["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
_db["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Files: two storages, raw originals and processed results --------------------------------------------
AWS_REGION = env.str("AWS_REGION", default=env.str("AWS_DEFAULT_REGION", default="eu-west-1"))
AWS_ENDPOINT_URL = env.str("AWS_ENDPOINT_URL", default="") or None  # a moto server in tests; unset in AWS
RAW_BUCKET = env.str("RAW_BUCKET", default="")
PROCESSED_BUCKET = env.str("PROCESSED_BUCKET", default="")
KMS_KEY_ID = env.str("KMS_KEY_ID", default="")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "files")))


def _s3_storage(bucket: str) -> dict:
    options: dict = {
        "bucket_name": bucket,
        "region_name": AWS_REGION,
        "file_overwrite": False,
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": 300,
        "signature_version": "s3v4",
        "object_parameters": {},
    }
    if AWS_ENDPOINT_URL:
        options["endpoint_url"] = AWS_ENDPOINT_URL
    if KMS_KEY_ID:
        options["object_parameters"] = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": KMS_KEY_ID}
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


def _local_storage(folder: str) -> dict:
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT / folder), "base_url": None},
    }


STORAGES = {
    "default": _s3_storage(PROCESSED_BUCKET) if PROCESSED_BUCKET else _local_storage("processed"),
    "raw": _s3_storage(RAW_BUCKET) if RAW_BUCKET else _local_storage("raw"),
    "processed": _s3_storage(PROCESSED_BUCKET) if PROCESSED_BUCKET else _local_storage("processed"),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG

# --- Uploads and bad input -----------------------------------------------------------------------------
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
MAX_PAGES = env.int("MAX_PAGES", default=100)
MAX_IMAGE_PIXELS = env.int("MAX_IMAGE_PIXELS", default=80_000_000)  # decompression-bomb guard
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("MAX_FILES_PER_UPLOAD", default=500)

# --- Extraction -----------------------------------------------------------------------------------------
EXTRACTION_ENGINE = env.str("EXTRACTION_ENGINE", default="local")  # local | textract | auto
# OCR for scans and photos in the local engine: rapidocr (PP-OCR on onnxruntime: all amounts read on generated
# scans, ~1.9 s a page on one core, ~0.7 GB per process) or tesseract (Debian's: ~78 % of amounts, ~2 s a page
# with orientation checks, ~0.2 GB). Figures: bench/ocr.py.
# OCR_MAX_PAGES bounds the work: a document with more pages to OCR is refused with a clear message.
OCR_ENGINE = env.str("OCR_ENGINE", default="rapidocr")  # rapidocr | tesseract
OCR_MAX_PAGES = env.int("OCR_MAX_PAGES", default=50)
AUTO_ACCEPT_CONFIDENCE = env.float("AUTO_ACCEPT_CONFIDENCE", default=85.0)
# Textract: list price per page of AnalyzeExpense (for the cost recorded per document), and the page count above
# which EXTRACTION_ENGINE=auto keeps a scan on the local engine to bound the cost per document.
TEXTRACT_PRICE_PER_PAGE = env.str("TEXTRACT_PRICE_PER_PAGE", default="0.01")
TEXTRACT_AUTO_MAX_PAGES = env.int("TEXTRACT_AUTO_MAX_PAGES", default=10)

# --- Celery ---------------------------------------------------------------------------------------------
# With no broker configured, a file-system transport lets the web server and one worker talk with no server.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "queue"
    for _sub in ("out", "processed", "control"):
        (_queue_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir / "out"),
        "data_folder_out": str(_queue_dir / "out"),
        "processed_folder": str(_queue_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_queue_dir / "control"),
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Must exceed the longest task's hard limit, or Redis redelivers a task that is still running.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict = {}

# --- Auth and email -------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Invoices <invoices@localhost>")

# --- Locale ---------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Security (production values come from the environment) ---------------------------------------------
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "SAMEORIGIN"  # the review screen frames the original PDF from our own origin
SILENCED_SYSTEM_CHECKS = ["security.W019"]  # ...which needs SAMEORIGIN rather than DENY

# --- Logging: JSON lines with a correlation id ------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"correlation": {"()": "config.logging.CorrelationIdFilter"}},
    "formatters": {"json": {"()": "config.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["correlation"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "botocore": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
        "werkzeug": {"level": "WARNING"},  # moto's server in tests
    },
}

# --- REST API (issue 6: invoices/api) ----------------------------------------------------------------------
# Token auth for systems (tokens are created and revoked in the admin, or `manage.py drf_create_token USER`),
# session auth for the browser; the review roles decide what each may do. Every error is RFC 9457 problem
# details. Rates are per token (per user for sessions), counted in a cache all web workers share.
INSTALLED_APPS += ["drf_spectacular_sidecar"]  # Swagger UI and Redoc assets served from here: docs work offline
API_THROTTLE_RATE = env.str("API_THROTTLE_RATE", default="1200/min")
API_UPLOAD_THROTTLE_RATE = env.str("API_UPLOAD_THROTTLE_RATE", default="120/min")
API_ANON_THROTTLE_RATE = env.str("API_ANON_THROTTLE_RATE", default="120/min")
# Where the counters live: a folder on one machine by default; redis://host:6379/2 (say) for several.
API_THROTTLE_CACHE = "api"
CACHES = globals().get("CACHES") or {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CACHES["api"] = environ.Env.cache_url_config(
    env.str("API_CACHE_URL", default="") or f"filecache://{VAR_DIR / 'cache' / 'api'}"
)
API_IDEMPOTENCY_TTL_HOURS = env.int("API_IDEMPOTENCY_TTL_HOURS", default=24)
API_IDEMPOTENCY_LOCK_SECONDS = env.int("API_IDEMPOTENCY_LOCK_SECONDS", default=300)
API_ORIGINAL_URL_EXPIRES = env.int("API_ORIGINAL_URL_EXPIRES", default=300)  # presigned links, seconds
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",  # first: anonymous calls get 401 + WWW-Authenticate
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "invoices.api.throttling.TokenRateThrottle",
        "invoices.api.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "api": API_THROTTLE_RATE,
        "api_upload": API_UPLOAD_THROTTLE_RATE,
        "api_anon": API_ANON_THROTTLE_RATE,
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_METADATA_CLASS": None,  # no OPTIONS introspection: the schema documents the API
    "EXCEPTION_HANDLER": "invoices.api.problems.exception_handler",
    "UNICODE_JSON": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Invoices API",
    "DESCRIPTION": (
        "Upload invoices, follow their processing, read the extracted fields with their confidence and position, "
        "correct them, approve or reject them, and keep vendors up to date.\n\n"
        "**Authentication**: `Authorization: Token <key>` (an admin creates tokens in the admin, Auth Token → "
        "Tokens, or with `manage.py drf_create_token <user>`), or the browser session. What a caller may do "
        "follows the user's roles (Reviewer corrects, Approver approves and rejects, Admin everything).\n\n"
        "**Changing an invoice** needs its current version: every invoice response carries an `ETag`; send it "
        "back in `If-Match`. Missing → 428, outdated → 412 with the current invoice, and nothing changes.\n\n"
        "**Uploads** accept an `Idempotency-Key` header: a retry with the same key returns the first response "
        "and never creates a second invoice.\n\n"
        "**Errors** are RFC 9457 problem details (`application/problem+json`) with `errors` per field.\n\n"
        "**Lists** use cursor pagination (`next` / `previous` links) and are rate limited per token (429 with "
        "`Retry-After`)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "invoices.api.schema.close_request_bodies",
    ],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SCHEMA_PATH_PREFIX": r"/api/",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "InvoiceStatusEnum": "invoices.models.Status",
        "ChannelEnum": "invoices.models.Channel",
        "SourceEnum": "invoices.models.Source",
        "SeverityEnum": "invoices.models.RuleResult.Severity",
        "AttemptOutcomeEnum": "invoices.models.ProcessingAttempt.Outcome",
        "AuditActionEnum": "invoices.models.AuditEvent.Action",
        "UploadOutcomeEnum": ["created", "duplicate", "rejected"],
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "persistAuthorization": True, "validatorUrl": None},
}
# --- Pipeline (issue 4): rules, routing, retries, sweeper, S3 drop ----------------------------------------
# Confidence a key field needs to skip review; per-field overrides as "total=92,invoice_number=90".
PIPELINE_CONFIDENCE_THRESHOLDS: dict[str, float] = {
    name: float(value) for name, value in env.dict("PIPELINE_CONFIDENCE_THRESHOLDS", default={}).items()
}
# Arithmetic tolerance, in the currency's minor units (cents) per line item (at least one line counted).
PIPELINE_ROUNDING_TOLERANCE_PER_LINE = env.int("PIPELINE_ROUNDING_TOLERANCE_PER_LINE", default=1)
# Dates: how far in the future an invoice date may be (time zones), and how old before it is implausible.
PIPELINE_FUTURE_DATE_TOLERANCE_DAYS = env.int("PIPELINE_FUTURE_DATE_TOLERANCE_DAYS", default=1)
PIPELINE_MAX_INVOICE_AGE_DAYS = env.int("PIPELINE_MAX_INVOICE_AGE_DAYS", default=730)
# Auto-approval of invoices that pass every rule with every key field above its threshold (off: "ready").
PIPELINE_AUTO_APPROVE = env.bool("PIPELINE_AUTO_APPROVE", default=False)
PIPELINE_AUTO_APPROVE_MAX_TOTAL = env.float("PIPELINE_AUTO_APPROVE_MAX_TOTAL", default=0.0)  # 0 = no limit
# Transient errors: exponential backoff with jitter, capped; then the invoice fails with the reason.
PIPELINE_MAX_RETRIES = env.int("PIPELINE_MAX_RETRIES", default=8)
PIPELINE_RETRY_BACKOFF = env.float("PIPELINE_RETRY_BACKOFF", default=5.0)  # seconds before the first retry
PIPELINE_RETRY_BACKOFF_MAX = env.float("PIPELINE_RETRY_BACKOFF_MAX", default=600.0)  # < CELERY_VISIBILITY_TIMEOUT
# A run that stops without finishing (worker killed, hard time limit) this many times in a row → failed.
PIPELINE_MAX_INTERRUPTIONS = env.int("PIPELINE_MAX_INTERRUPTIONS", default=3)
# Time limits of the light steps (validate, route, sweeper); extraction and page images use CELERY_TASK_*.
PIPELINE_STEP_SOFT_TIME_LIMIT = env.int("PIPELINE_STEP_SOFT_TIME_LIMIT", default=60)
PIPELINE_STEP_TIME_LIMIT = env.int("PIPELINE_STEP_TIME_LIMIT", default=90)
# Sweeper: invoices held in a working state longer than this are released and requeued; invoices waiting
# in a queued state longer than PIPELINE_QUEUED_STUCK_AFTER get their next step queued again.
PIPELINE_SWEEP_INTERVAL = env.int("PIPELINE_SWEEP_INTERVAL", default=60)
PIPELINE_STUCK_AFTER = env.int("PIPELINE_STUCK_AFTER", default=CELERY_TASK_TIME_LIMIT + 300)
PIPELINE_QUEUED_STUCK_AFTER = env.int("PIPELINE_QUEUED_STUCK_AFTER", default=900)
# Page images for the review screen: width in pixels.
PIPELINE_PAGE_IMAGE_WIDTH = env.int("PIPELINE_PAGE_IMAGE_WIDTH", default=1600)
# Textract asynchronous jobs (EXTRACTION_ENGINE=textract|auto): first poll, poll cap, and give-up time.
PIPELINE_TEXTRACT_POLL_FIRST = env.float("PIPELINE_TEXTRACT_POLL_FIRST", default=2.0)
PIPELINE_TEXTRACT_POLL_MAX = env.float("PIPELINE_TEXTRACT_POLL_MAX", default=30.0)
PIPELINE_TEXTRACT_JOB_TIMEOUT = env.int("PIPELINE_TEXTRACT_JOB_TIMEOUT", default=900)
# S3 drop: files put under RAW_BUCKET/incoming/ are announced on this SQS queue (setup_aws creates both).
S3_DROP_QUEUE = env.str("S3_DROP_QUEUE", default="")
S3_DROP_PREFIX = env.str("S3_DROP_PREFIX", default="incoming/")
S3_DROP_POLL_INTERVAL = env.int("S3_DROP_POLL_INTERVAL", default=30)  # Celery beat; 0 = only the command
# Failure injection for the pipeline's own tests ("extract.engine=sleep:30"); never set in production.
PIPELINE_FAILPOINTS = env.str("PIPELINE_FAILPOINTS", default="")
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # How often a worker looks for messages whose worker died (visibility timeout passed).
    CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_interval"] = env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10)
    CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_throttle"] = 1
# Extraction has its own queue, so the quick steps of invoices already extracted do not wait behind a backlog.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = {"celery": {}, "extract": {}}
CELERY_TASK_ROUTES = {"pipeline.tasks.extract_invoice": {"queue": "extract"},
                      "pipeline.tasks.render_page_images": {"queue": "extract"}}
CELERY_BEAT_SCHEDULE["pipeline-sweep"] = {"task": "pipeline.tasks.sweep", "schedule": float(PIPELINE_SWEEP_INTERVAL)}
if S3_DROP_QUEUE and S3_DROP_POLL_INTERVAL:
    CELERY_BEAT_SCHEDULE["pipeline-s3-drop"] = {
        "task": "pipeline.tasks.consume_s3_drop", "schedule": float(S3_DROP_POLL_INTERVAL)
    }

# --- Sync to DynamoDB and notifications (issue 7: pipeline/sync, pipeline/notify) ----------------------------
# Every change consumers must see is in the transactional outbox (invoices.OutboxEvent); a task drains it into the
# DynamoDB table and the SNS topic after commit and on a schedule. Empty table / topic = that target is off (the
# embedded default); events wait in the outbox, so configuring a table later and running `dynamodb_sync --all`
# backfills everything.
DYNAMODB_TABLE = env.str("DYNAMODB_TABLE", default="")
SNS_TOPIC_ARN = env.str("SNS_TOPIC_ARN", default="")
OUTBOX_DRAIN_SECONDS = env.int("OUTBOX_DRAIN_SECONDS", default=30)  # scheduled drain, besides the one after commit
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=500)
OUTBOX_DRAIN_THREADS = env.int("OUTBOX_DRAIN_THREADS", default=8)  # concurrent DynamoDB/SNS calls per batch
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=300)  # a claimed batch is retried after this if lost
OUTBOX_RETRY_BASE_SECONDS = env.float("OUTBOX_RETRY_BASE_SECONDS", default=2.0)
OUTBOX_RETRY_MAX_SECONDS = env.float("OUTBOX_RETRY_MAX_SECONDS", default=300.0)  # events are retried forever, this often
OUTBOX_KEEP_DAYS = env.int("OUTBOX_KEEP_DAYS", default=30)  # delivered events are deleted after this (the table keeps history)
# Email notifications: reviewers get a digest per interval; failures and decisions are sent one by one.
NOTIFY_DIGEST_MINUTES = env.int("NOTIFY_DIGEST_MINUTES", default=60)
NOTIFY_MAX_ATTEMPTS = env.int("NOTIFY_MAX_ATTEMPTS", default=8)  # then the email is marked failed (admin: resend)
NOTIFY_RETRY_BASE_SECONDS = env.float("NOTIFY_RETRY_BASE_SECONDS", default=60.0)
NOTIFY_RETRY_MAX_SECONDS = env.float("NOTIFY_RETRY_MAX_SECONDS", default=3600.0)
CELERY_IMPORTS = [*globals().get("CELERY_IMPORTS", []), "pipeline.sync.tasks", "pipeline.notify.tasks"]
CELERY_BEAT_SCHEDULE.update(
    {
        "sync-drain-outbox": {"task": "pipeline.sync.drain_outbox", "schedule": OUTBOX_DRAIN_SECONDS},
        "sync-prune-outbox": {"task": "pipeline.sync.prune_outbox", "schedule": 86400.0},
        "notify-plan-pending": {"task": "pipeline.notify.plan_pending", "schedule": 60.0},
        "notify-send-digests": {"task": "pipeline.notify.send_digests", "schedule": 60.0},
        "notify-retry-due": {"task": "pipeline.notify.retry_due", "schedule": 60.0},
    }
)
