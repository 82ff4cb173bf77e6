"""Settings for the social value platform.

Everything that differs between machines comes from environment variables; the defaults are
safe for production (DEBUG off). For local work, `make run` and `make test` start a private
PostgreSQL and Redis and write their addresses to `.devdata/env`, which is read here only for
variables that are not already set.
"""

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
_dev_env_file = BASE_DIR / ".devdata" / "env"
if _dev_env_file.exists():
    environ.Env.read_env(str(_dev_env_file), overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=true for local work).")
    SECRET_KEY = "insecure-local-development-key"  # noqa: S105 - only with DEBUG on

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_NAME = "Social Value Platform"
# The public address used in links inside emails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    # The kernel
    "accounts",
    "api",
    "tenancy",
    "organisations",
    # Domain apps
    "charters",
    "awards",
    "anchors",
    "kvi",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Opens the transaction around the whole response and sets the tenant inside it.
    "tenancy.middleware.TenantMiddleware",
    # Sends people who must use two-factor authentication to set it up first.
    "accounts.middleware.RequireTwoFactorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "tenancy.context_processors.tenancy",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL is the owner role: it runs migrations and owns the tables.
# DATABASE_APP_URL is the application role the web, the workers and the tests use: not owner,
# NOSUPERUSER NOBYPASSRLS, so PostgreSQL row-level security applies to it. When it is unset it is
# DATABASE_URL with the user replaced by DATABASE_APP_USER (default "svp_app") and the password
# by DATABASE_APP_PASSWORD.
# DJANGO_DB_ROLE=owner makes this process connect as the owner (used by `migrate`).


def _app_url_from(owner_url: str) -> str:
    parts = urlsplit(owner_url)
    user = env.str("DATABASE_APP_USER", default="svp_app")
    password = env.str("DATABASE_APP_PASSWORD", default="")
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port:
        host = f"{host}:{parts.port}"
    credentials = f"{user}:{password}@" if password else f"{user}@"
    return urlunsplit((parts.scheme, credentials + host, parts.path, parts.query, ""))


DATABASE_OWNER_URL = env.str("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/svp")
DATABASE_APP_URL = env.str("DATABASE_APP_URL", default="") or _app_url_from(DATABASE_OWNER_URL)
DB_ROLE = env.str("DJANGO_DB_ROLE", default="app")
if DB_ROLE not in ("app", "owner"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("DJANGO_DB_ROLE must be 'app' or 'owner'.")

OWNER_DATABASE = env.db_url_config(DATABASE_OWNER_URL)
APP_DATABASE = env.db_url_config(DATABASE_APP_URL)
for _db in (OWNER_DATABASE, APP_DATABASE):
    _db["ENGINE"] = "django.db.backends.postgresql"
    _db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    _db["CONN_HEALTH_CHECKS"] = True
    # The tenancy middleware opens the transaction itself, around rendering too.
    _db["ATOMIC_REQUESTS"] = False

DATABASES = {"default": dict(OWNER_DATABASE if DB_ROLE == "owner" else APP_DATABASE)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis and Celery -----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_TASK_DEFAULT_QUEUE = "default"
# Imports (pandas, large files) run on their own queue, so they never hold up emails.
CELERY_TASK_ROUTES = {
    "kvi.tasks.*": {"queue": "imports"},
    "kvi.upload_tasks.*": {"queue": "imports"},
    "awards.certificate_tasks.*": {"queue": "pdf"},
    "reporting.tasks.generate_report_pdf": {"queue": "pdf"},
}
CELERY_TIMEZONE = "Europe/London"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict = {
    "charter-pledge-review-reminders": {
        "task": "charters.tasks.queue_pledge_review_reminders",
        "schedule": 24 * 60 * 60,  # daily
    },
    # Each night, just after the date changes: this year's KVI figures judged on the new day.
    "kvi-year-figures-refresh": {
        "task": "kvi.tasks.queue_kvi_year_figure_refreshes",
        "schedule": crontab(hour=0, minute=20),
    },
    # Each morning: award holders told 12, 6 and 1 months (as the scheme sets) before expiry.
    "award-expiry-reminders": {
        "task": "awards.tasks.queue_award_expiry_reminders",
        "schedule": crontab(hour=6, minute=0),
    },
    # Each morning: anchor members with returns due within a week or overdue are reminded.
    "anchor-return-reminders": {
        "task": "anchors.tasks.queue_return_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # Each morning: scheduled board reports due today are generated and their readers emailed.
    "scheduled-board-reports": {
        "task": "reporting.tasks.queue_scheduled_reports",
        "schedule": crontab(hour=5, minute=30),
    },
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "svp",
    }
}

# --- People and sign-in ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME

# --- Email ----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="no-reply@social-value.example")

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
# The NHS.UK frontend's compiled files are served from node_modules (installed by `npm ci`).
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("nhsuk", BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Uploaded evidence, imports and generated reports: private, served only through views that
# check permission (uploads/). Never under MEDIA_URL or STATIC_URL.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / ".devdata" / "private"))

# --- API ------------------------------------------------------------------------------------
# The key of the HMAC that stores partner API key secrets (default: derived from SECRET_KEY).
API_KEY_HMAC_KEY = env.str("API_KEY_HMAC_KEY", default="") or f"api-keys:{SECRET_KEY}"
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
    "DATE_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
    "URL_FORMAT_OVERRIDE": "format",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "api.negotiation.StrictFormatNegotiation",
}
# Requests per period: per partner key, per signed-in person, and per address for public reads.
API_THROTTLE_RATES = {
    "api_key": env.str("API_RATE_PER_KEY", default="600/minute"),
    "session": env.str("API_RATE_PER_PERSON", default="300/minute"),
    "public": env.str("API_RATE_PUBLIC", default="60/minute"),
}
# The open-data licence of what tenants publish (the public charter registers).
OPEN_DATA_LICENCE = {
    "name": "Open Government Licence v3.0",
    "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Social Value Platform API",
    "DESCRIPTION": (
        "Read the organisations, charters, KVIs, awards and reports of a social value "
        "programme. Every tenant resource lives under /api/v1/tenants/{tenant_slug}/ and needs "
        "a partner key with the right scope (Authorization: Bearer svp_…) or a signed-in "
        "session. Conventions are in the README's API section."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "VersionStatusEnum": "charters.models.VersionStatus",
        "SignatoryStatusEnum": "charters.models.SignatoryStatus",
        "FrameworkStatusEnum": "kvi.models.FrameworkStatus",
        "MeasurementStatusEnum": "kvi.api.filters.MEASUREMENT_STATUS_CHOICES",
        "AwardSchemeStatusEnum": "awards.models.SchemeStatus",
        "ReportKindEnum": "reporting.models.ReportKind",
        "ReportVersionStatusEnum": "reporting.models.VersionStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
