"""Keyline settings: one module, configured only through environment variables (one file by design,
past the ~400-line house limit: every setting is found in one place).

Every reader fails loudly on a malformed value. With no environment at all the
project runs on the embedded default: the launcher (`python -m config.launch`)
starts an embedded PostgreSQL and exports its DATABASE_URL, and runs a local Celery
worker over a folder broker; tasks run in-process only when neither REDIS_URL nor
CELERY_BROKER_URL is set (the test suite, a bare `manage.py`).
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.embedded_db import DATABASE_NAME as EMBEDDED_DATABASE_NAME
from config.embedded_db import embedded_database_url
from config.local_broker import filesystem_broker_options
from config.pooler import pooler_database
from config.queues import INTERACTIVE, celery_queues, celery_routes

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}.") from exc


def env_currency(name: str, default: str) -> str:
    """An ISO 4217 currency code ("GBP", "EUR"), upper-cased; an unknown code fails at start-up."""
    from babel.numbers import list_currencies

    code = (os.environ.get(name) or default).strip().upper()
    if code not in list_currencies():
        raise ImproperlyConfigured(f"{name} must be an ISO 4217 currency code such as GBP or EUR, not {code!r}.")
    return code


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# Without DATABASE_URL Keyline runs on the embedded default (`make run`): a development setup.
EMBEDDED_DEFAULT = not os.environ.get("DATABASE_URL")
DEBUG = env_bool("DEBUG", EMBEDDED_DEFAULT)
# The development key only works with DEBUG on, so a deployment can't forget to set one.
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-keyline" if DEBUG else None)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "core.error_views.csrf_failure"
FIRM_NAME = env_str("FIRM_NAME", "Keyline Demo LLP")
# The firm's one currency: every amount of money on pages, PDFs and exports is shown in it, and it is
# the reporting currency fees in other currencies are converted into.
FIRM_CURRENCY = env_currency("FIRM_CURRENCY", "GBP")
# Month in which the firm's financial year starts; FY2026 is the year that ends in 2026.
FINANCIAL_YEAR_START_MONTH = env_int("FINANCIAL_YEAR_START_MONTH", 5)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "accounts",
    "stakeholders",
    "planning",
    "health",
    "listening",
    "reports",
    "capture",
    "stewardship",
    "feeds",
    "workflow",
    "audit",
    "identity",
]

# Every history table (pghistory) indexes its time: see core.models.Event.
PGHISTORY_BASE_MODEL = "core.models.Event"

MIDDLEWARE = [
    "core.probes.HealthzMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RejectNulCharactersMiddleware",
    "core.middleware.FormDigitsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.db_router.ReplicaPinMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "identity.middleware.SessionPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "axes.middleware.AxesMiddleware",
    "audit.context.AuditContextMiddleware",
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
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.firm",
                "accounts.context_processors.role_gates",
            ],
        },
    }
]

# --- Database: PostgreSQL only -------------------------------------------------------------
# Unset: the embedded server that `make run` started (found through its postmaster.pid), so
# manage.py works beside the running app; commands that need the database say so if it is down.
DATABASE_URL = (
    os.environ.get("DATABASE_URL")
    or embedded_database_url(VAR_DIR / "pgdata")
    or (f"postgres://postgres@localhost/{EMBEDDED_DATABASE_NAME}")
)
# Persistent connections pay off under gunicorn; config.launch sets 0 for the dev server, which
# serves each request on a new thread, so kept connections would pile up idle.
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 60)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Keyline runs on PostgreSQL only; DATABASE_URL must be postgres://…")
if test_db_name := os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": test_db_name}
# Read replicas (docs/scaling.md), comma-separated URLs: aliases "replica", "replica2", … Only the
# pages and jobs that opt in read from them (config.db_router); writes and a person's own recent
# writes stay on the primary. Needs a cache every web process shares (REDIS_URL) for that window.
DATABASE_REPLICAS: list[str] = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URL", []), start=1):
    _alias = "replica" if _number == 1 else f"replica{_number}"
    DATABASES[_alias] = dj_database_url.parse(_url, conn_max_age=CONN_MAX_AGE, conn_health_checks=True)
    if DATABASES[_alias]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must list postgres://… URLs.")
    DATABASES[_alias].setdefault("OPTIONS", {}).setdefault("connect_timeout", env_int("REPLICA_CONNECT_TIMEOUT", 2))
    DATABASES[_alias]["TEST"] = {"MIRROR": "default"}
    DATABASE_REPLICAS.append(_alias)
DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 5)  # further behind: read from the primary
REPLICA_LAG_CHECK_SECONDS = env_int("REPLICA_LAG_CHECK_SECONDS", 2)  # lag measured at most this often
REPLICA_RETRY_SECONDS = env_int("REPLICA_RETRY_SECONDS", 30)  # an unreachable replica is left alone this long
# A person's reads stay on the primary this long after they write: more than the lag a replica may have.
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 15)
if REPLICA_PIN_SECONDS <= REPLICA_MAX_LAG_SECONDS + REPLICA_LAG_CHECK_SECONDS:
    raise ImproperlyConfigured("REPLICA_PIN_SECONDS must exceed REPLICA_MAX_LAG_SECONDS + REPLICA_LAG_CHECK_SECONDS.")
# Behind PgBouncer in transaction mode, DATABASE_POOLER=transaction (docs/scaling.md, "Connection pooler").
DATABASE_POOLER = env_str("DATABASE_POOLER", "").strip().lower()
for _alias in ["default", *DATABASE_REPLICAS]:
    DATABASES[_alias] = pooler_database(DATABASES[_alias], DATABASE_POOLER)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and login -------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "identity.oidc.KeylineOIDCBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Per account across all addresses, per hour (accounts.throttle): a slow lockout, beside axes' quick one.
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 20)
PASSWORD_RESETS_PER_EMAIL = env_int("PASSWORD_RESETS_PER_EMAIL", 3)
PASSWORD_RESETS_PER_ADDRESS = env_int("PASSWORD_RESETS_PER_ADDRESS", 20)

# --- Single sign-on, provisioning, sessions (identity app; docs/identity.md) ----------------------
SSO_PROVIDER_NAME = env_str("SSO_PROVIDER_NAME", FIRM_NAME)  # "Sign in with <this>"
SSO_JIT_CREATE = env_bool("SSO_JIT_CREATE", False)  # create unknown people at their first SSO sign-in
SSO_CLOCK_SKEW_SECONDS = env_int("SSO_CLOCK_SKEW_SECONDS", 120)  # tolerated clock difference with the IdP
# Off: only the break-glass administrators below may sign in with a password (everyone else via SSO).
LOCAL_LOGIN_ENABLED = env_bool("LOCAL_LOGIN_ENABLED", True)
BREAK_GLASS_EMAILS = env_list("BREAK_GLASS_EMAILS", [])
# OpenID Connect (mozilla-django-oidc): endpoints come from the discovery document.
OIDC_DISCOVERY_URL = env_str("OIDC_DISCOVERY_URL", "")
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = env_str("OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_SCOPES", "openid email profile")
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_CREATE_USER = True  # asked of identity.oidc, which refuses unless SSO_JIT_CREATE
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc-callback"
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
# SAML 2.0 (pysaml2): the IdP's metadata, a file path or an https URL; Keyline's own is /sso/saml/metadata/.
SAML_IDP_METADATA = env_str("SAML_IDP_METADATA", "")
SAML_SP_ENTITY_ID = env_str("SAML_SP_ENTITY_ID", "")  # default: the metadata URL
SAML_XMLSEC_BINARY = env_str("SAML_XMLSEC_BINARY", "/usr/bin/xmlsec1")
# Sessions: signed out after this long without a request, and this long after signing in, whatever.
SESSION_IDLE_TIMEOUT_SECONDS = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 60 * 60)
SESSION_ABSOLUTE_TIMEOUT_SECONDS = env_int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", 10 * 60 * 60)
# Multi-factor (TOTP with recovery codes) for password sign-ins: always for administrators, for
# everyone when the firm says so. (Single sign-on leaves multi-factor to the identity provider.)
MFA_REQUIRED_FOR_EVERYONE = env_bool("MFA_REQUIRED_FOR_EVERYONE", False)
OTP_TOTP_ISSUER = FIRM_NAME

# --- Audit log (audit app) ------------------------------------------------------------------------
# How long an entry is kept; the database refuses to delete it sooner. Seven years by default, as a
# firm's regulators commonly ask of records about client matters.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 7 * 366)
if AUDIT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("AUDIT_RETENTION_DAYS must be at least 1.")

# --- Security ----------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 10
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# --- Static, media and storage -------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS: list = [BASE_DIR / "static"]
# Browser packages from npm (package.json, locked): served under static/vendor/. Without `npm ci`
# the pages still work, with plain selects instead of type-ahead pickers.
TOM_SELECT_DIST = BASE_DIR / "node_modules" / "tom-select" / "dist"
if TOM_SELECT_DIST.is_dir():
    STATICFILES_DIRS.append(("vendor/tom-select", TOM_SELECT_DIST))
# axe-core, the accessibility checker the browser tests run on every page: a devDependency, so only
# where `npm ci` installed dev packages (never in the production image, built with --omit=dev).
AXE_CORE_DIST = BASE_DIR / "node_modules" / "axe-core"
if AXE_CORE_DIST.is_dir():
    STATICFILES_DIRS.append(("vendor/axe-core", AXE_CORE_DIST))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-served/"  # stored reports are downloaded only through authorised views
STORAGES = {
    "default": {"BACKEND": env_str("DEFAULT_FILE_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if STORAGES["default"]["BACKEND"] == "storages.backends.s3.S3Storage":
    STORAGES["default"]["OPTIONS"] = {
        "bucket_name": env_str("AWS_STORAGE_BUCKET_NAME"),
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL"),
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }

# --- Email -----------------------------------------------------------------------------------------
EMAIL_BACKEND_PATH = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": env_str("EMAIL_HOST_USER", ""),
            "password": env_str("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
        }
        if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "keyline@localhost")

# --- Celery ---------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# Without Redis: CELERY_BROKER_URL=filesystem:// (set by the embedded-default launcher, which also
# starts a local worker) keeps long jobs off the request; with neither, tasks run in-process.
CELERY_BROKER_URL = REDIS_URL or env_str("CELERY_BROKER_URL", "memory://")
LOCAL_BROKER = CELERY_BROKER_URL.startswith("filesystem://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL == "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
# Seconds before Redis hands a task that was never acknowledged (its worker died) to another
# worker. Longer than the longest task, so a slow task is not redelivered while it still runs;
# the fault tests shorten it to see a killed worker's task come back within seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 2 * 60 * 60),
    "socket_connect_timeout": 2,
}
if LOCAL_BROKER:
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(
        Path(os.environ.get("CELERY_FILESYSTEM_BROKER_DIR", "") or VAR_DIR / "broker")
    )
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_QUEUES = celery_queues
CELERY_TASK_ROUTES = celery_routes
CELERY_TASK_DEFAULT_QUEUE = INTERACTIVE
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}
CELERY_BEAT_SCHEDULE["audit-purge-expired"] = {
    "task": "audit.purge_expired",
    "schedule": crontab(hour=3, minute=30),
}
CELERY_BEAT_SCHEDULE["reports-weekly-digest"] = {
    "task": "reports.send_weekly_digests",
    "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
}

CACHES = {
    "default": {
        "BACKEND": "core.cache.ForgivingRedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
    }
    if REDIS_URL
    # the local worker is another process: progress it records must reach the web process
    else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(VAR_DIR / "cache")}
    if LOCAL_BROKER
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# --- API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [  # the first one's header makes an anonymous request a 401
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "core.parsers.FormParser",
        "core.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "accounts.filters.AccessFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Keyline API",
    "DESCRIPTION": "Key-account CRM: clients, teams, fees, stakeholders, plans, health and reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ClientStatusEnum": "accounts.models.ClientStatus",
        "StakeholderStatusEnum": "stakeholders.models.StakeholderStatus",
        "InteractionKindEnum": "stakeholders.models.InteractionKind",
        "ImportKindEnum": "stakeholders.models.ImportKind",
        "ImportStatusEnum": "stakeholders.models.ImportStatus",
        "PlanStatusEnum": "planning.models.PlanStatus",
        "ActionStatusEnum": "planning.models.ActionStatus",
        "RiskStatusEnum": "planning.models.RiskStatus",
        "TransitionStatusEnum": "planning.models.TransitionStatus",
        "JobStatusEnum": "health.models.JobStatus",
        "ReportKindEnum": "reports.models.ReportKind",
        "ReportStatusEnum": "reports.models.ReportStatus",
    },
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
FORMAT_MODULE_PATH = ["config.formats"]  # ISO first for date inputs (config/formats/en_GB)
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # Django's own console handler would print each of its lines a second time beside root's.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
    },
}

# --- Health scores ---------------------------------------------------------------------------------
HEALTH_RECOMPUTE_BATCH = env_int("HEALTH_RECOMPUTE_BATCH", 5000)  # clients per atomic batch
HEALTH_RECOMPUTE_DEBOUNCE_SECONDS = env_int("HEALTH_RECOMPUTE_DEBOUNCE_SECONDS", 20)
# A recompute job's worker renews its hold with every batch; a killed worker's job is free after this.
HEALTH_JOB_LEASE_SECONDS = env_int("HEALTH_JOB_LEASE_SECONDS", 30)
# CRP signals, the same for the health portfolio, the firm overview and the quarterly PDF pack.
CRP_ROTATION_REVIEW_YEARS = env_int("CRP_ROTATION_REVIEW_YEARS", 5)  # tenure that calls for a review
CRP_OVERLOAD_WEIGHT = env_int("CRP_OVERLOAD_WEIGHT", 8)  # tier-weighted clients one CRP can lead well
CRP_MAX_GROWTH_CLIENTS = env_int("CRP_MAX_GROWTH_CLIENTS", 3)  # more Growth clients than this is too many
# Touchpoints a year the programme expects with each key client: the client page and the packs.
CONTACT_TARGET_PER_YEAR = env_int("CONTACT_TARGET_PER_YEAR", 10)
# "Needs attention" (dashboard, overview): the few signals that pick a client out (docs/dashboards.md)
ATTENTION_NO_CONTACT_DAYS = env_int("ATTENTION_NO_CONTACT_DAYS", 90)  # days without a touchpoint
ATTENTION_FALLING_POINTS = env_int("ATTENTION_FALLING_POINTS", 10)  # score fall over the 90-day trend
ATTENTION_OVERDUE_ACTIONS = env_int("ATTENTION_OVERDUE_ACTIONS", 3)  # overdue plan actions: a stalled plan
CELERY_BEAT_SCHEDULE["health-nightly-recompute"] = {
    "task": "health.tasks.nightly_recompute",
    "schedule": crontab(hour=2, minute=15),
}

# --- Data feeds (clients, matters, fees, hours, exchange rates) -------------------------------------
# The largest feed file, in bytes (a million fee rows as CSV is about 80 MB); larger ones are refused
# with the limit stated. An API batch carries at most FEEDS_API_MAX_ROWS JSON lines.
FEEDS_MAX_UPLOAD_BYTES = env_int("FEEDS_MAX_UPLOAD_BYTES", 200 * 1024 * 1024)
FEEDS_API_MAX_ROWS = env_int("FEEDS_API_MAX_ROWS", 10_000)

# --- Stakeholder imports --------------------------------------------------------------------------
# A check or import still running this many seconds after a run took it up lost that run (its worker
# was killed, or its machine went away); the next run takes it over from the start. Keep it well
# above the task time limit, so that a run still at work is never taken over.
STAKEHOLDER_IMPORT_STALE_SECONDS = env_int("STAKEHOLDER_IMPORT_STALE_SECONDS", 2 * CELERY_TASK_TIME_LIMIT)
# The largest file an import takes, in bytes and in data rows; larger ones are refused with a message
# that says so (split the file). The uploaded file is deleted once its import ends; the row report stays.
STAKEHOLDER_IMPORT_MAX_BYTES = env_int("STAKEHOLDER_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
STAKEHOLDER_IMPORT_MAX_ROWS = env_int("STAKEHOLDER_IMPORT_MAX_ROWS", 50_000)
# Imports queued while the broker was unreachable are sent again once it is back, and so are the
# ones whose run was lost.
CELERY_BEAT_SCHEDULE["stakeholders-requeue-waiting-imports"] = {
    "task": "stakeholders.tasks.requeue_waiting_imports",
    "schedule": 300.0,
}

# --- Reports (PDF) -----------------------------------------------------------------------------
REPORTS_MAX_PAGES = env_int("REPORTS_MAX_PAGES", 600)
REPORTS_MAX_RENDER_SECONDS = env_int("REPORTS_MAX_RENDER_SECONDS", 300)
REPORTS_CONFIDENTIALITY_FOOTER = env_str(
    "REPORTS_CONFIDENTIALITY_FOOTER", "Confidential: for the firm's partners only. Do not forward."
)
# Days after a quarter ends before its packs are generated (fees and scores settle first).
REPORTS_QUARTERLY_PACK_DAY = env_int("REPORTS_QUARTERLY_PACK_DAY", 5)
# Reports requested while the broker was unreachable are sent again once it is back.
CELERY_BEAT_SCHEDULE["reports-requeue-waiting"] = {"task": "reports.tasks.requeue_waiting_reports", "schedule": 300.0}
# Stored reports whose requester no longer sees every client in them lose their file.
CELERY_BEAT_SCHEDULE["reports-withdraw-unavailable"] = {
    "task": "reports.tasks.withdraw_unavailable_reports",
    "schedule": 900.0,
}
# The firm-wide overview and unfiltered charts stay computed ahead of the people who open them.
CELERY_BEAT_SCHEDULE["reports-shared-figures"] = {"task": "reports.tasks.refresh_shared_figures", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["reports-quarterly-packs"] = {
    "task": "reports.tasks.generate_quarterly_packs",
    "schedule": crontab(minute=0, hour=6, day_of_month=str(REPORTS_QUARTERLY_PACK_DAY), month_of_year="1,4,7,10"),
}

# --- Client listening (surveys) -----------------------------------------------------------------------
# The address people open Keyline at, for links in emails (survey links), Teams/Slack messages and webhooks.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
LISTENING_LINK_MAX_AGE_DAYS = env_int("LISTENING_LINK_MAX_AGE_DAYS", 60)
LISTENING_REMINDER_AFTER_DAYS = env_int("LISTENING_REMINDER_AFTER_DAYS", 7)
LISTENING_FOLLOW_UP_DAYS = env_int("LISTENING_FOLLOW_UP_DAYS", 5)
# Requests to the public response page per client address per minute (one office may share an address).
LISTENING_REQUESTS_PER_ADDRESS = env_int("LISTENING_REQUESTS_PER_ADDRESS", 120)
LISTENING_SEND_BATCH = env_int("LISTENING_SEND_BATCH", 200)
CELERY_BEAT_SCHEDULE["listening-daily"] = {"task": "listening.tasks.daily_round", "schedule": 60.0 * 60}
# Scheduled survey programmes fire once a day, in the morning, so that their emails arrive in office hours.
CELERY_BEAT_SCHEDULE["listening-scheduled-programmes"] = {
    "task": "listening.tasks.fire_scheduled_programmes",
    "schedule": crontab(hour=9, minute=0),
}
# --- Mailbox capture (docs/capture.md) -------------------------------------------------------------
# The firm address partners copy in or forward to, read over IMAP. No host: capture is off.
CAPTURE_IMAP_HOST = env_str("CAPTURE_IMAP_HOST", "")
CAPTURE_IMAP_SECURITY = env_str("CAPTURE_IMAP_SECURITY", "ssl")  # ssl (port 993), starttls, or none (tests only)
if CAPTURE_IMAP_SECURITY not in {"ssl", "starttls", "none"}:
    raise ImproperlyConfigured(f"CAPTURE_IMAP_SECURITY must be ssl, starttls or none, not {CAPTURE_IMAP_SECURITY!r}.")
CAPTURE_IMAP_PORT = env_int("CAPTURE_IMAP_PORT", 993 if CAPTURE_IMAP_SECURITY == "ssl" else 143)
CAPTURE_IMAP_USER = env_str("CAPTURE_IMAP_USER", "")
CAPTURE_IMAP_PASSWORD = env_str("CAPTURE_IMAP_PASSWORD", "")  # a password or an app password
CAPTURE_IMAP_OAUTH_TOKEN = env_str("CAPTURE_IMAP_OAUTH_TOKEN", "")  # XOAUTH2 access token (Microsoft 365, Google)
CAPTURE_IMAP_FOLDER = env_str("CAPTURE_IMAP_FOLDER", "INBOX")
CAPTURE_PROCESSED_FOLDER = env_str("CAPTURE_PROCESSED_FOLDER", "Keyline/Processed")
CAPTURE_QUARANTINE_FOLDER = env_str("CAPTURE_QUARANTINE_FOLDER", "Keyline/Quarantine")
CAPTURE_ADDRESS = env_str("CAPTURE_ADDRESS", "")  # the firm address itself: mail from it is a loop
CAPTURE_STORE_SNIPPET = env_bool("CAPTURE_STORE_SNIPPET", False)  # keep the first lines of each message
CAPTURE_BATCH = env_int("CAPTURE_BATCH", 200)  # messages per poll
CAPTURE_MAX_PART_BYTES = env_int("CAPTURE_MAX_PART_BYTES", 512 * 1024)  # larger parts are never downloaded
CAPTURE_TIMEOUT_SECONDS = env_int("CAPTURE_TIMEOUT_SECONDS", 30)
# One poll at a time: the poller renews its hold at each step; a killed poller's hold ends after this.
CAPTURE_POLL_LEASE_SECONDS = env_int("CAPTURE_POLL_LEASE_SECONDS", 180)
CAPTURE_MAX_BACKOFF_SECONDS = env_int("CAPTURE_MAX_BACKOFF_SECONDS", 3600)  # longest wait after failures
CAPTURE_UPLOAD_MAX_BYTES = env_int("CAPTURE_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
CELERY_BEAT_SCHEDULE["capture-poll-mailbox"] = {
    "task": "capture.tasks.poll_mailbox",
    "schedule": float(env_int("CAPTURE_POLL_SECONDS", 60)),
}
# --- CRP stewardship ---------------------------------------------------------------------------
# The rotation policy beside CRP_ROTATION_REVIEW_YEARS: the overlap a handover leaves (days), and the
# days either side of a re-tender, rate review or panel renewal in which no handover is proposed.
CRP_ROTATION_OVERLAP_DAYS = env_int("CRP_ROTATION_OVERLAP_DAYS", 90)
CRP_RENEWAL_WINDOW_DAYS = env_int("CRP_RENEWAL_WINDOW_DAYS", 90)
# A CRP signal left without a decision this many days is escalated to the managing partners.
CRP_SIGNAL_DECISION_DAYS = env_int("CRP_SIGNAL_DECISION_DAYS", 30)
# A partner's own touchpoints over the last 90 days falling by this share (per cent) on the 90 before:
# the seeds' earliest disengagement signal.
CRP_ACTIVITY_FALL_PERCENT = env_int("CRP_ACTIVITY_FALL_PERCENT", 50)
# Credentials are reminded to their holder this many days before they lapse (once per expiry date).
CREDENTIAL_REMINDER_DAYS = env_int("CREDENTIAL_REMINDER_DAYS", 60)
# The stewardship overview's firm figures (succession, capacity, personas) are kept this long and
# refreshed every minute on the scheduled queue (0: computed on every visit).
STEWARDSHIP_FIGURES_CACHE_SECONDS = env_int("STEWARDSHIP_FIGURES_CACHE_SECONDS", 90)
CELERY_BEAT_SCHEDULE["stewardship-firm-headline"] = {
    "task": "stewardship.tasks.refresh_firm_headline",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["stewardship-daily"] = {
    "task": "stewardship.tasks.daily_stewardship",
    "schedule": crontab(hour=6, minute=30),
}
# --- workflow: playbooks, comments, documents, channels ---------------------------------------
COMMENT_EDIT_MINUTES = env_int("COMMENT_EDIT_MINUTES", 15)
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 25 * 1024 * 1024)
# ClamAV's clamd, by Unix socket or TCP; with neither, uploads are stored unscanned (and marked so).
CLAMAV_SOCKET = env_str("CLAMAV_SOCKET", "")
CLAMAV_HOST = env_str("CLAMAV_HOST", "")
CLAMAV_PORT = env_int("CLAMAV_PORT", 3310)
# Outgoing webhooks: attempts per message, the first retry's delay (doubling after), and how many
# messages in a row may fail before the channel is switched off.
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 5)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", 30)
WEBHOOK_DISABLE_AFTER = env_int("WEBHOOK_DISABLE_AFTER", 5)
WEBHOOK_ALLOW_LOOPBACK = False  # tests only: lets http://127.0.0.1 receivers through
CELERY_BEAT_SCHEDULE["workflow-scan-signals"] = {
    "task": "workflow.tasks.scan_signals",
    "schedule": crontab(hour=3, minute=0),
}
CELERY_BEAT_SCHEDULE["workflow-due-dates"] = {
    "task": "workflow.tasks.notify_due_dates",
    "schedule": crontab(hour=6, minute=30),
}
CELERY_BEAT_SCHEDULE["workflow-daily-emails"] = {
    "task": "workflow.tasks.send_daily_emails",
    "schedule": crontab(hour=7, minute=0),
}
