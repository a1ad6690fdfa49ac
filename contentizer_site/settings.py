"""Contentizer settings: one module, configured by environment variables.

With no variables set this is the embedded default: SQLite (WAL), django-q2's
ORM broker, the in-memory channel layer, local files under media/, a database
cache and the offline generators. Setting DATABASE_URL, REDIS_URL and
STORAGE_BACKEND=s3 scales it out with the same code. See .env.example.
"""

from __future__ import annotations

import os
import tempfile
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from contentizer_site.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])


def _is_loopback_host(host: str) -> bool:
    host = host.strip().lower().rstrip(".")
    if host in {"localhost", "testserver", "[::1]", "::1"} or host.endswith(".localhost"):
        return True
    parts = host.split(".")
    return len(parts) == 4 and parts[0] == "127" and all(p.isdigit() for p in parts)


# A site that answers to any host that is not loopback (a domain, "*", a LAN address) is
# in production: it must have its own secret key and, unless switched off one by one
# below, HTTPS only. The embedded default (loopback only) keeps working over plain HTTP.
PRODUCTION = any(not _is_loopback_host(host) for host in ALLOWED_HOSTS)

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set: DJANGO_ALLOWED_HOSTS names a host that is not loopback "
            f"({', '.join(h for h in ALLOWED_HOSTS if not _is_loopback_host(h))}), and the embedded "
            "default key is public. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    if not DEBUG and env_bool("DJANGO_REQUIRE_SECRET_KEY", False):
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set")
    # Embedded default only: a fixed development key. Production sets its own.
    SECRET_KEY = "contentizer-embedded-default-not-for-production"


def _env_switch(name: str, default: bool) -> bool:
    # Empty means "the mode's default", not off: `DJANGO_SECURE_SSL_REDIRECT=` left blank in
    # a compose file must not quietly turn HTTPS off in production.
    return env_bool(name, default) if os.environ.get(name, "").strip() else default


def _proxy_ssl_header(raw: str) -> tuple[str, str] | None:
    """Parse "X-Forwarded-Proto: https" into ("HTTP_X_FORWARDED_PROTO", "https")."""
    if not raw.strip():
        return None
    name, sep, value = raw.partition(":")
    name, value = name.strip(), value.strip()
    if not sep or not name or not value or " " in name:
        raise ImproperlyConfigured(
            f"DJANGO_SECURE_PROXY_SSL_HEADER must look like 'X-Forwarded-Proto: https', got {raw!r}"
        )
    meta = name.upper().replace("-", "_")
    return (meta if meta.startswith("HTTP_") else f"HTTP_{meta}", value)


# --- HTTPS (on by default in production; each switch documented in docs/deploy.md) --------
# Behind a TLS-terminating proxy that talks plain HTTP to us (nginx, a load balancer),
# name the header it sets so Django knows the client used HTTPS:
# DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto: https" (the proxy must overwrite it).
# DJANGO_BEHIND_TLS_PROXY=1 is the same with that usual header.
SECURE_PROXY_SSL_HEADER = _proxy_ssl_header(env_str("DJANGO_SECURE_PROXY_SSL_HEADER", "")) or (
    ("HTTP_X_FORWARDED_PROTO", "https") if _env_switch("DJANGO_BEHIND_TLS_PROXY", False) else None
)


SECURE_SSL_REDIRECT = _env_switch("DJANGO_SECURE_SSL_REDIRECT", PRODUCTION)
SESSION_COOKIE_SECURE = _env_switch("DJANGO_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# One year; includeSubDomains and preload by default (check --deploy asks for both): a domain
# with plain-HTTP subdomains sets DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS=0.
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_switch("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = _env_switch("DJANGO_SECURE_HSTS_PRELOAD", PRODUCTION)

INSTALLED_APPS = [
    # Daphne's runserver, without importing Twisted in every process (contentizer_site/daphne_app.py).
    "contentizer_site.daphne_app.DaphneRunserverConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_q",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "jobs",
    "quotas",
    "assets",
    "videos",
]

MIDDLEWARE = [
    # Before all: a request id for logs and the X-Request-ID header, HTTP metrics.
    "contentizer_site.request_observability.RequestObservabilityMiddleware",
    # First to answer: /healthz, /readyz, /metrics answer probes by IP over plain HTTP (no host check).
    "contentizer_site.ops_endpoints.OpsEndpointsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: makes the chain above run synchronously in one thread under ASGI (see the module).
    "contentizer_site.sync_middleware.SyncMiddlewareChain",
]

ROOT_URLCONF = "contentizer_site.urls"
WSGI_APPLICATION = "contentizer_site.wsgi.application"
ASGI_APPLICATION = "contentizer_site.asgi.application"

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
    },
]

# --- Database -----------------------------------------------------------------
# Embedded default: SQLite in WAL mode with IMMEDIATE transactions, which gave zero
# "database is locked" errors with several qcluster workers.
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    SQLITE_PATH = Path(env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")))
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # A file, not :memory:, so that integration tests can share the test database
            # with a real qcluster subprocess. One per process: parallel runs never collide.
            "TEST": {
                "NAME": env_str("SQLITE_TEST_PATH", "")
                or str(Path(tempfile.gettempdir()) / f"contentizer-test-{os.getpid()}.sqlite3")
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis (optional: scaled-out mode) -------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")

# --- Cache: shared between processes (DRF throttles live here) ------------------
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "contentizer_cache",
        }
    }

# Change stamps that tell every process its in-memory copy of a job's status or a token's
# user is stale (core/change_stamps.py): the shared cache when scaled out (Redis; or any
# DATABASE_URL, which may span machines); with SQLite a memory-mapped file on this machine
# (empty: next to the SQLite file; a DatabaseCache read would cost a query per poll, as much
# as the row itself).
CONTENTIZER_CHANGE_STAMPS = "cache" if REDIS_URL or DATABASE_URL else env_str("CONTENTIZER_CHANGE_STAMPS_FILE", "")

# --- Channels -------------------------------------------------------------------
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- django-q2 ------------------------------------------------------------------
# timeout < retry, or a second worker starts a task the first is still running;
# max_attempts > 0, or a poisoned task retries forever (django-q2's own rule for both).
Q_TIMEOUT = env_int("Q_TIMEOUT", 1800, minimum=10)
Q_RETRY = env_int("Q_RETRY", Q_TIMEOUT + 120, minimum=11)
if Q_RETRY <= Q_TIMEOUT:
    raise ImproperlyConfigured("Q_RETRY must be greater than Q_TIMEOUT")
Q_CLUSTER = {
    "name": "contentizer",
    "workers": env_int("Q_WORKERS", 2, minimum=1),
    "timeout": Q_TIMEOUT,
    "retry": Q_RETRY,
    "max_attempts": env_int("Q_MAX_ATTEMPTS", 3, minimum=1),
    "queue_limit": 4,
    "recycle": 50,
    "save_limit": 500,
    "ack_failures": True,
    "catch_up": False,
    "poll": 0.5,
    "label": "Task queue",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
Q_CLUSTER["sync"] = env_bool("Q_SYNC", False)

# --- Files ----------------------------------------------------------------------
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
CONTENTIZER_SERVE_STATIC = env_bool("CONTENTIZER_SERVE_STATIC", True)

STORAGE_BACKEND = env_choice("STORAGE_BACKEND", "local", {"local", "s3"})
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME", "contentizer"),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("AWS_S3_REGION_NAME", "") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY", "") or None,
            "signature_version": "s3v4",
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE", "path"),
            # S3 overwrites by default; local storage does not. Make them agree.
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": env_int("AWS_QUERYSTRING_EXPIRE", 3600, minimum=60),
            "default_acl": None,
        },
    }
else:
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": MEDIA_URL},
    }
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Contentizer ----------------------------------------------------------------
# Where jobs make their per-job temp dirs (removed when the job ends).
CONTENTIZER_TMP_DIR = env_str("CONTENTIZER_TMP_DIR", "") or None
CONTENTIZER_SCRIPT_MAX_CHARS = env_int("CONTENTIZER_SCRIPT_MAX_CHARS", 20000, minimum=100)
CONTENTIZER_MAX_SCENES = env_int("CONTENTIZER_MAX_SCENES", 120, minimum=1)
CONTENTIZER_MAX_REFINEMENTS = env_int("CONTENTIZER_MAX_REFINEMENTS", 5, minimum=0)
# Batches (one video per row of a CSV or JSONL file): the largest file and the most rows.
CONTENTIZER_BATCH_MAX_BYTES = env_int("CONTENTIZER_BATCH_MAX_BYTES", 2 * 1024 * 1024, minimum=1024)
CONTENTIZER_BATCH_MAX_ROWS = env_int("CONTENTIZER_BATCH_MAX_ROWS", 50, minimum=1)
CONTENTIZER_FFMPEG = env_str("CONTENTIZER_FFMPEG", "ffmpeg")
CONTENTIZER_FFPROBE = env_str("CONTENTIZER_FFPROBE", "ffprobe")
# FFmpeg's CPU priority below the web process (nice -n; 0 keeps it equal), so polls and
# pages stay responsive while a render uses every core.
CONTENTIZER_FFMPEG_NICE = env_int("CONTENTIZER_FFMPEG_NICE", 10, minimum=0)
# x264 for masters and exports: empty (the default) takes mediakit.encoding's measured table
# (by content and quality, docs/encoding.md); a preset forces it, with this crf, everywhere.
CONTENTIZER_X264_PRESET = env_str("CONTENTIZER_X264_PRESET", "")
CONTENTIZER_X264_CRF = env_int("CONTENTIZER_X264_CRF", 23, minimum=0)
# A render's video is encoded in segments of about this many ms; with more than one, the
# segments are shared with up to CONTENTIZER_PART_HELPERS other free workers (helper
# tasks; 0 keeps every render in its own worker). docs/deploy.md, "Renders across workers".
CONTENTIZER_RENDER_SEGMENT_MS = env_int("CONTENTIZER_RENDER_SEGMENT_MS", 20_000, minimum=1000)
CONTENTIZER_PART_HELPERS = env_int("CONTENTIZER_PART_HELPERS", 3, minimum=0)
# A job whose heartbeat is older than this while RUNNING is considered lost.
CONTENTIZER_HEARTBEAT_STALE_SECONDS = env_int("CONTENTIZER_HEARTBEAT_STALE_SECONDS", 120, minimum=10)
# The broker is only a doorbell: a job still QUEUED this long after its last enqueue, with
# no worker holding it, is sent again by the reaper (a killed cluster loses prefetched tasks).
CONTENTIZER_QUEUED_GRACE_SECONDS = env_int("CONTENTIZER_QUEUED_GRACE_SECONDS", 300, minimum=10)
# `manage.py storage_sweep` never touches a stored file younger than this (an upload or a
# job's save in flight).
CONTENTIZER_STORAGE_SWEEP_GRACE_SECONDS = env_int("CONTENTIZER_STORAGE_SWEEP_GRACE_SECONDS", 3600, minimum=0)
# Exports older than this many days are expired (file deleted; asking again re-encodes).
# 0 keeps them for ever.
CONTENTIZER_EXPORT_RETENTION_DAYS = env_int("CONTENTIZER_EXPORT_RETENTION_DAYS", 0, minimum=0)

# --- Uploads (creators' own media, stock) ------------------------------------------
# Largest picture, clip or audio file accepted; refused by size before it is read.
CONTENTIZER_UPLOAD_MAX_BYTES = env_int("CONTENTIZER_UPLOAD_MAX_BYTES", 50 * 1024 * 1024, minimum=1024)
# Longest clip or audio file accepted (seconds).
CONTENTIZER_UPLOAD_MAX_SECONDS = env_int("CONTENTIZER_UPLOAD_MAX_SECONDS", 1800, minimum=1)
# Uploads bigger than this are spooled to a temp file as they arrive, never held whole in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024, minimum=64 * 1024)
FILE_UPLOAD_TEMP_DIR = CONTENTIZER_TMP_DIR
FILE_UPLOAD_HANDLERS = [
    # First: refuses an over-size file from the request's length or its first chunks.
    "assets.upload_handlers.UploadSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Replicate (optional: offline generators are the default) -----------------------
REPLICATE_API_TOKEN = env_str("REPLICATE_API_TOKEN", "")
# Empty: the client's default (https://api.replicate.com).
REPLICATE_BASE_URL = env_str("REPLICATE_BASE_URL", "")
REPLICATE_PICTURE_MODEL = env_str("REPLICATE_PICTURE_MODEL", "black-forest-labs/flux-schnell")
# A text-to-speech model (owner/name) for narration of "replicate" videos; empty: the
# offline voices (the piper neural voice, espeak-ng for other languages).
REPLICATE_TTS_MODEL = env_str("REPLICATE_TTS_MODEL", "")
REPLICATE_TTS_VOICE = env_str("REPLICATE_TTS_VOICE", "")
# A language model (owner/name) that writes a script from a topic ("Write it for me"); empty: not offered.
REPLICATE_SCRIPT_MODEL = env_str("REPLICATE_SCRIPT_MODEL", "meta/meta-llama-3-8b-instruct")


def _env_usd(name: str, default: str) -> Decimal:
    raw = env_str(name, default).strip() or default
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise ImproperlyConfigured(f"{name} must be a decimal amount in USD, got {raw!r}") from exc
    if not value.is_finite() or value < 0:
        raise ImproperlyConfigured(f"{name} must be a non-negative amount in USD, got {raw!r}")
    return value


# USD per picture for picture models, per second of audio for TTS models.
REPLICATE_PRICES = {REPLICATE_PICTURE_MODEL: _env_usd("REPLICATE_PICTURE_PRICE_USD", "0.003")}
if REPLICATE_TTS_MODEL:
    REPLICATE_PRICES[REPLICATE_TTS_MODEL] = _env_usd("REPLICATE_TTS_PRICE_PER_SECOND_USD", "0.0005")
if REPLICATE_SCRIPT_MODEL:
    # Per script written (a few hundred tokens of an 8B model).
    REPLICATE_PRICES[REPLICATE_SCRIPT_MODEL] = _env_usd("REPLICATE_SCRIPT_PRICE_USD", "0.0010")
# Webhooks from Replicate reach CONTENTIZER_PUBLIC_URL + /hooks/replicate when this signing
# secret (whsec_..., from Replicate's account settings) is set; polling is the fallback.
REPLICATE_WEBHOOK_SECRET = env_str("REPLICATE_WEBHOOK_SECRET", "")
REPLICATE_WEBHOOK_TOLERANCE_SECONDS = env_int("REPLICATE_WEBHOOK_TOLERANCE_SECONDS", 300, minimum=1)
# Scenes whose pictures are made at once; each prediction's own deadline; tries per picture.
REPLICATE_PARALLELISM = env_int("REPLICATE_PARALLELISM", 4, minimum=1)
REPLICATE_PREDICTION_TIMEOUT_SECONDS = env_int("REPLICATE_PREDICTION_TIMEOUT_SECONDS", 120, minimum=1)
REPLICATE_ATTEMPTS = env_int("REPLICATE_ATTEMPTS", 3, minimum=1)
# How often a waiting scene asks Replicate (the webhook usually answers first).
REPLICATE_POLL_INTERVAL_MS = env_int("REPLICATE_POLL_INTERVAL_MS", 2000, minimum=10)
# Creating a prediction: retries after 429/5xx, exponential backoff from this base (Retry-After wins).
REPLICATE_CREATE_RETRIES = env_int("REPLICATE_CREATE_RETRIES", 5, minimum=0)
REPLICATE_BACKOFF_MS = env_int("REPLICATE_BACKOFF_MS", 1000, minimum=1)
# --- Online stock pictures and clips (optional: a provider is offered only with its key) ---
PEXELS_API_KEY = env_str("PEXELS_API_KEY", "")
PIXABAY_API_KEY = env_str("PIXABAY_API_KEY", "")
# Empty: the real APIs (https://api.pexels.com, https://pixabay.com/api/).
PEXELS_API_URL = env_str("PEXELS_API_URL", "")
PIXABAY_API_URL = env_str("PIXABAY_API_URL", "")
# Requests to a stock API: per-request timeout; after 429/5xx, attempts with exponential
# backoff from this base (Retry-After wins) and at most this much waiting in all.
STOCK_HTTP_TIMEOUT_SECONDS = env_int("STOCK_HTTP_TIMEOUT_SECONDS", 20, minimum=1)
STOCK_HTTP_ATTEMPTS = env_int("STOCK_HTTP_ATTEMPTS", 4, minimum=1)
STOCK_HTTP_BACKOFF_MS = env_int("STOCK_HTTP_BACKOFF_MS", 1000, minimum=1)
STOCK_HTTP_RETRY_BUDGET_SECONDS = env_int("STOCK_HTTP_RETRY_BUDGET_SECONDS", 60, minimum=0)
# A downloaded stock file larger than this is refused.
STOCK_DOWNLOAD_MAX_BYTES = env_int("STOCK_DOWNLOAD_MAX_BYTES", 52428800, minimum=1024)
# Tests only: lets API and media URLs be http:// on loopback (the local fake servers).
STOCK_ALLOW_LOOPBACK_HTTP = env_bool("STOCK_ALLOW_LOOPBACK_HTTP", False)
# Absolute URLs in API responses and webhook events (e.g. https://contentizer.example.com).
CONTENTIZER_PUBLIC_URL = env_str("CONTENTIZER_PUBLIC_URL", "")
# The port `make run` (scripts/run.sh) serves on. Without CONTENTIZER_PUBLIC_URL, links made
# with no request (webhook events, in the worker) point at http://localhost:<this port>.
CONTENTIZER_PORT = env_int("PORT", 8000, minimum=1)
# Outbound webhooks: attempts, per-attempt timeout, exponential backoff base and cap.
CONTENTIZER_WEBHOOK_MAX_ATTEMPTS = env_int("CONTENTIZER_WEBHOOK_MAX_ATTEMPTS", 6, minimum=1)
CONTENTIZER_WEBHOOK_TIMEOUT_SECONDS = env_int("CONTENTIZER_WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
CONTENTIZER_WEBHOOK_BACKOFF_SECONDS = env_int("CONTENTIZER_WEBHOOK_BACKOFF_SECONDS", 30, minimum=1)
CONTENTIZER_WEBHOOK_BACKOFF_MAX_SECONDS = env_int("CONTENTIZER_WEBHOOK_BACKOFF_MAX_SECONDS", 6 * 3600, minimum=1)
# Webhook targets must be public internet addresses (core/netguard.py). On for local
# development only: lets callbacks reach 127.0.0.1, private networks and internal names.
CONTENTIZER_WEBHOOK_ALLOW_PRIVATE = env_bool("CONTENTIZER_WEBHOOK_ALLOW_PRIVATE", False)

# --- Operations ---------------------------------------------------------------------
# /metrics is open to clients on this machine; others send `Authorization: Bearer <token>`.
# Empty: /metrics is 404 to everyone but local clients.
CONTENTIZER_METRICS_TOKEN = env_str("CONTENTIZER_METRICS_TOKEN", "")
# Reverse proxies in front of the site that append to X-Forwarded-For (nginx: 1). 0 trusts
# no header: the TCP peer is the client. Rate limits (login, signup, API) key on this.
CONTENTIZER_NUM_PROXIES = env_int("CONTENTIZER_NUM_PROXIES", 0, minimum=0)

# --- Auth -----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Logging --------------------------------------------------------------------
LOG_FORMAT = env_choice("LOG_FORMAT", "text", {"text", "json"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Lines written while a job runs carry its job and video codes (core/logcontext.py), and
    # its kind and stage; lines written in a request its id and user (core/structured_logs.py).
    "filters": {
        "job_context": {"()": "core.logcontext.JobContextFilter"},
        "log_context": {"()": "core.structured_logs.LogContextFilter"},
    },
    "formatters": {
        "text": {
            "()": "core.logcontext.TextFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(job_context)s%(message)s",
        },
        # One object a line: time, level, logger, message, then the job and request context.
        "json": {"()": "core.structured_logs.JsonLogFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["job_context", "log_context"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django_q": {"level": "WARNING"}},
}

# --- REST API -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # TokenAuthentication without its query per request (core/api_tokens.py).
        "core.api_auth.CachedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api_errors.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    # The same trust as core.client_address: DRF would otherwise believe any X-Forwarded-For.
    "NUM_PROXIES": CONTENTIZER_NUM_PROXIES,
    "DEFAULT_THROTTLE_RATES": {
        "video_create": env_str("THROTTLE_VIDEO_CREATE", "5/min"),
        "upload": env_str("THROTTLE_UPLOAD", "10/min"),
        # HTML forms (core/ratelimit.py): failed logins per account and per client address,
        # accounts created per client address.
        "login_account": env_str("THROTTLE_LOGIN_ACCOUNT", "10/hour"),
        "login_address": env_str("THROTTLE_LOGIN_ADDRESS", "30/hour"),
        "signup_address": env_str("THROTTLE_SIGNUP_ADDRESS", "5/hour"),
        # Review links (videos.review_views): comments and decisions per link and client address.
        "review": env_str("THROTTLE_REVIEW", "30/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Contentizer API",
    "DESCRIPTION": "Script in, finished video out: storyboard, approval, render, delivery, exports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # PATCH bodies are validated as declared (ApiView.valid is not partial): the schema says
    # which fields they require instead of drf-spectacular's all-optional "Patched" copies.
    "COMPONENT_SPLIT_PATCH": False,
    # Used by videos and by each video of a batch: one name for the one set of statuses.
    "ENUM_NAME_OVERRIDES": {"VideoStatusEnum": "videos.models.Video.Status"},
    # drf-spectacular's own enum hook, then what holds for every operation (core/api_schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api_schema.close_json_request_bodies",
        "core.api_schema.document_shared_errors",
    ],
}
