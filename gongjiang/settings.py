"""Django settings. Everything that differs between machines comes from the environment.

GONGJIANG_ENV=production switches on the production checks: a real SECRET_KEY, ALLOWED_HOSTS
field-encryption and audit keys must then be given, and HTTPS-only cookies and HSTS are on.
Development defaults are safe only on a developer's own machine.
"""
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GONGJIANG_VAR_DIR", BASE_DIR / "var"))

ENV = os.environ.get("GONGJIANG_ENV", "development")
PRODUCTION = ENV == "production"
DEBUG = not PRODUCTION and os.environ.get("GONGJIANG_DEBUG", "1") == "1"


def _required(name, dev_default):
    value = os.environ.get(name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set when GONGJIANG_ENV=production")
    return dev_default


SECRET_KEY = _required("SECRET_KEY", "dev-only-insecure-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG")
ALLOWED_HOSTS = [h for h in _required("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Keys for personal data at rest (ID and phone numbers): a Fernet key for encryption and a
# separate key for the keyed lookup hash. Development derives throwaway keys from SECRET_KEY.
FIELD_ENCRYPTION_KEY = _required("GONGJIANG_FIELD_KEY", "")
FIELD_HASH_KEY = _required("GONGJIANG_HASH_KEY", "")

# Key of the audit log's HMAC chain (the database never holds it, so a database administrator cannot
# recompute the chain after editing rows). Rotation: the previous keys stay listed, comma-separated, in
# GONGJIANG_AUDIT_OLD_KEYS so entries written under them still verify (docs/operations.md).
AUDIT_KEY = _required("GONGJIANG_AUDIT_KEY", "")
AUDIT_OLD_KEYS = [k for k in os.environ.get("GONGJIANG_AUDIT_OLD_KEYS", "").split(",") if k]
# Signed chain-head checkpoints are appended here; keep it off the database server (docs/operations.md).
AUDIT_CHECKPOINT_FILE = Path(os.environ.get("GONGJIANG_AUDIT_CHECKPOINTS", VAR_DIR / "audit-checkpoints.jsonl"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "csp",
    "ninja",
    "django_tasks",
    "gongjiang.ops",  # before django_tasks_db: its db_worker (with a heartbeat) replaces the library's
    "django_tasks_db",
    "gongjiang.core",
    "gongjiang.accounts",
    "gongjiang.audit",
    "gongjiang.workdays",
    "gongjiang.registry",
    "gongjiang.policy",
    "gongjiang.rounds",
    "gongjiang.applications",
    "gongjiang.review",
    "gongjiang.notices",
    "gongjiang.honours",
    "gongjiang.payments",
    "gongjiang.web",
    "gongjiang.api",
    "gongjiang.dashboards",
]

MIDDLEWARE = [
    "gongjiang.ops.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gongjiang.core.middleware.SessionRefreshMiddleware",
    "gongjiang.core.caching.PersonalChangeMiddleware",
    "gongjiang.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gongjiang.core.middleware.NulInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "gongjiang.core.middleware.PrivacyHeadersMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gongjiang.core.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongjiang.urls"
WSGI_APPLICATION = "gongjiang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongjiang.web.context.navigation",
            ],
        },
    }
]

# Caches, both in each process's memory. `default` holds the rate-limit counters (so each worker
# process counts on its own). `pages` holds public pages and dashboard figures until the next audited
# change on any server, at most these seconds (gongjiang.core.caching); nothing in it has to be shared
# between app servers. 0 switches it off.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages",
              "OPTIONS": {"MAX_ENTRIES": 2000}},
}
PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("PUBLIC_PAGE_CACHE_SECONDS", "60"))
DASHBOARD_CACHE_SECONDS = int(os.environ.get("DASHBOARD_CACHE_SECONDS", "60"))
PRIVATE_PAGE_CACHE_SECONDS = int(os.environ.get("PRIVATE_PAGE_CACHE_SECONDS", "60"))

# Databases: DATABASE_URL, SQLite file under var/ by default. Tests use a real file too.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'gongjiang.sqlite3'}")
# Persistent connections: a worker keeps its connection for CONN_MAX_AGE seconds instead of opening
# one per request (PostgreSQL's connection set-up cost more than most pages); health checks drop a
# connection the server closed (restart, failover) before a request uses it.
CONN_MAX_AGE = int(os.environ.get("CONN_MAX_AGE", "300"))
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True)
if _db["ENGINE"].endswith("sqlite3"):
    _db.setdefault("OPTIONS", {})
    _db["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE",
                           "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"})
    _db["TEST"] = {"NAME": str(Path(_db["NAME"]).with_name("test_" + Path(_db["NAME"]).name))}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "gongjiang.accounts.backends.ModelBackend",  # Django's, reading the session's user in plain SQL
]

# Login lockout: 5 failures for one username from one address lock it for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind nginx the client address is the last X-Forwarded-For entry (gongjiang.accounts.network).
GONGJIANG_BEHIND_PROXY = os.environ.get("GONGJIANG_BEHIND_PROXY", "0") == "1"
AXES_CLIENT_IP_CALLABLE = "gongjiang.accounts.network.client_ip"

# Public certificate verification: at most this many checks per client address per 10 minutes
# (gongjiang.honours.public), so the number+name form cannot enumerate holders. A load test raises it
# for its own server (bench/web.py); real users keep the default.
CERTIFICATE_VERIFY_RATE_LIMIT = int(os.environ.get("CERTIFICATE_VERIFY_RATE_LIMIT", "30"))

# Sessions expire: 2 hours of inactivity, and when the browser closes. The stored expiry moves on
# at most once a minute (gongjiang.core.middleware.SessionRefreshMiddleware), not by a database
# write on every request: a session idle for 2 hours minus at most a minute is over.
SESSION_ENGINE = "gongjiang.core.sessions"  # database sessions, read in plain SQL
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(2 * 3600)))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Secure headers.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
FORMAT_MODULE_PATH = ["gongjiang.formats"]  # ISO first among date input formats (<input type="date">)
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
WHITENOISE_USE_FINDERS = not PRODUCTION  # development serves app static files straight from the apps
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {  # "default" (the uploads) below
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage" if PRODUCTION
                    else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded evidence lives outside the web root and is served only through permission-checked views
# (gongjiang.applications.uploads, through Django's storage API): files under GONGJIANG_MEDIA_DIR, or
# with GONGJIANG_UPLOAD_STORAGE=s3 a private bucket of an S3-compatible object store (django-storages,
# `pip install "gongjiang[s3]"`; credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), shared by
# every app server. docs/operations.md.
MEDIA_ROOT = Path(os.environ.get("GONGJIANG_MEDIA_DIR", VAR_DIR / "uploads"))
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750


def upload_storage(environ) -> dict:
    """STORAGES["default"] from the environment: files under MEDIA_ROOT, or with
    GONGJIANG_UPLOAD_STORAGE=s3 the bucket GONGJIANG_S3_BUCKET (private; the views stream its objects)."""
    kind = environ.get("GONGJIANG_UPLOAD_STORAGE", "file")
    if kind == "file":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if kind != "s3":
        raise ImproperlyConfigured(f"GONGJIANG_UPLOAD_STORAGE must be file or s3, not {kind!r}")
    if not environ.get("GONGJIANG_S3_BUCKET"):
        raise ImproperlyConfigured("GONGJIANG_S3_BUCKET must be set when GONGJIANG_UPLOAD_STORAGE=s3")
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": environ["GONGJIANG_S3_BUCKET"],
        "endpoint_url": environ.get("GONGJIANG_S3_ENDPOINT_URL") or None,  # MinIO, Ceph, a cloud's S3 API
        "region_name": environ.get("GONGJIANG_S3_REGION") or None,
        "location": environ.get("GONGJIANG_S3_PREFIX", "uploads"),
        "default_acl": "private", "querystring_auth": True, "file_overwrite": False,
    }}


STORAGES["default"] = upload_storage(os.environ)
MEDIA_URL = "/files/"  # never served directly; see gongjiang.applications views
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "gongjiang@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")

# Background tasks: inline in development and tests, the database queue (db_worker) in production.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND",
            "django_tasks_db.DatabaseBackend" if PRODUCTION else "django_tasks.backends.immediate.ImmediateBackend",
        )
    }
}

# People screened per chunk of a registry screening shard (memory per worker; a chunk is also
# the unit a shard resumes from when its worker died).
SCREENING_CHUNK = int(os.environ.get("GONGJIANG_SCREENING_CHUNK", "250000"))

# Public URL for QR codes and e-mails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# TrueType CJK font embedded in generated PDFs (notices, forms, certificates): empty means the font
# vendored in the package (gongjiang/core/data/fonts, WenQuanYi Micro Hei), never a system folder.
PDF_CJK_FONT = os.environ.get("GONGJIANG_PDF_FONT", "")
PDF_CJK_FONT_INDEX = int(os.environ.get("GONGJIANG_PDF_FONT_INDEX", "0"))

# Logs to stderr (the journal under systemd): JSON lines with the request id in production
# (LOG_FORMAT=json), plain text in development. One line per request from gongjiang.request.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if PRODUCTION else "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "gongjiang.ops.logs.RequestIdFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
                   "json": {"()": "gongjiang.ops.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # axes logs every successful login at INFO; logins are audit entries already (gongjiang.audit.signals).
    # The per-request line is for production log collection; development keeps runserver's own.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"},
                "gongjiang.request": {"level": os.environ.get("REQUEST_LOG_LEVEL", "INFO" if PRODUCTION else "WARNING")}},
}
CSRF_FAILURE_VIEW = "gongjiang.web.views.csrf_failure"
