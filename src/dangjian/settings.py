"""Settings for 党建+, read from the environment (see docs/deployment.md for the table).

Defaults suit one machine: SQLite in the data directory, an embedded job queue, the console
notification channel. Setting DATABASE_URL / REDIS_URL switches to PostgreSQL / Redis.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


DATA_DIR = Path(env("DANGJIAN_DATA_DIR", "./var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_from_file(filename: str, generate) -> str:
    """A secret kept in the data directory, generated on first start (never in the repo)."""
    path = DATA_DIR / filename
    if not path.exists():
        path.write_text(generate())
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DANGJIAN_DEBUG", False)
SECRET_KEY = env("DANGJIAN_SECRET_KEY") or _secret_from_file(
    "secret_key", lambda: secrets.token_urlsafe(50)
)
# Comma-separated Fernet keys: the first encrypts, all decrypt (rotation).
FIELD_ENCRYPTION_KEYS = env_list("DANGJIAN_ENCRYPTION_KEYS") or [
    _secret_from_file("encryption.key", lambda: Fernet.generate_key().decode())
]
ALLOWED_HOSTS = env_list("DANGJIAN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DANGJIAN_CSRF_TRUSTED_ORIGINS")
PUBLIC_BASE_URL = env("DANGJIAN_PUBLIC_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "simple_history",
    "django_htmx",
    "ninja",
    "huey.contrib.djhuey",
    "axes",
    "dangjian.platform",
    "dangjian.accounts",
    "dangjian.orgs",
    "dangjian.people",
    "dangjian.customers",
    "dangjian.home",
    "dangjian.workcalendar",
    "dangjian.notifications",
    "dangjian.rulebook",
    "dangjian.orglife",
    "dangjian.dues",
    "dangjian.development",
    "dangjian.disclosure",
    "dangjian.transfers",
    "dangjian.exemplar.showcase",
    "dangjian.exemplar.study",
    "dangjian.exemplar.conduct",
    "dangjian.exemplar.contests",
    "dangjian.appraisal",
    "dangjian.appraisal.grading",
    "dangjian.appraisal.suggestions",
    "dangjian.warmth.visits",
    "dangjian.warmth.window",
    "dangjian.warmth.tickets",
    "dangjian.warmth.outreach",
    "dangjian.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "dangjian.platform.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "dangjian.platform.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"

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
                "dangjian.home.context.navigation",
            ],
        },
    },
]

# Database: SQLite file in the data directory unless DATABASE_URL is set.
if env("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            env("DATABASE_URL"), conn_max_age=int(env("DANGJIAN_DB_CONN_MAX_AGE", "60"))
        )
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env(
        "DANGJIAN_TEST_DB_NAME", "test_dangjian"
    )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "dangjian.sqlite3",
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                " PRAGMA busy_timeout=5000;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Hot public statements (三评 submissions) as server-side prepared statements on PostgreSQL
# (platform/prepared.py); off behind a pooler that cannot keep them.
DB_PREPARED = env_bool("DANGJIAN_DB_PREPARED", True)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home:index"
LOGOUT_REDIRECT_URL = "login"

# Login lockout (django-axes): 5 failures lock the username+address for an hour.
AXES_FAILURE_LIMIT = int(env("DANGJIAN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Idle timeout: the session expires after this many idle seconds.
SESSION_COOKIE_AGE = int(env("DANGJIAN_SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
HTTPS = env_bool("DANGJIAN_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("DANGJIAN_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]  # shipped CSS/JS live outside any app
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Uploads: refuse anything over the limit before it reaches a form.
MAX_UPLOAD_MB = int(env("DANGJIAN_MAX_UPLOAD_MB", "50"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
PHOTO_MAX_MB = 5

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "dangjian",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background jobs (Huey, platform/jobs.py): a SQLite queue in the data directory, Redis when
# REDIS_URL is set. The worker is `dangjian run_huey`.
HUEY = {
    "huey_class": "huey.RedisHuey" if REDIS_URL else "huey.SqliteHuey",
    "name": "dangjian",
    "immediate": env_bool("DANGJIAN_JOBS_IMMEDIATE", False),
    "consumer": {"workers": int(env("DANGJIAN_JOB_WORKERS", "2")), "worker_type": "thread"},
    **({"url": REDIS_URL} if REDIS_URL else {"filename": str(DATA_DIR / "jobs.sqlite3")}),
}

# Who may see what: platform/scoping.py asks this function for a user's grants.
DANGJIAN_GRANT_RESOLVER = "dangjian.accounts.access.grants_for"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DANGJIAN_LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50

# Notifications (notifications app): channels, quiet hours, retries. Unset SMTP/SMS: those
# deliveries fail visibly and wait for a manual retry; the console channel is the dev default.
DANGJIAN_SMTP_HOST = env("DANGJIAN_SMTP_HOST", "")
DANGJIAN_SMTP_PORT = int(env("DANGJIAN_SMTP_PORT", "25"))
DANGJIAN_SMTP_USER = env("DANGJIAN_SMTP_USER", "")
DANGJIAN_SMTP_PASSWORD = env("DANGJIAN_SMTP_PASSWORD", "")
DANGJIAN_SMTP_TLS = env_bool("DANGJIAN_SMTP_TLS", False)
DANGJIAN_SMTP_SSL = env_bool("DANGJIAN_SMTP_SSL", False)
DANGJIAN_SMTP_FROM = env("DANGJIAN_SMTP_FROM", "dangjian@localhost")
DANGJIAN_SMS_GATEWAY_URL = env("DANGJIAN_SMS_GATEWAY_URL", "")
DANGJIAN_SMS_GATEWAY_TOKEN = env("DANGJIAN_SMS_GATEWAY_TOKEN", "")
DANGJIAN_SMS_GATEWAY_TOKEN_HEADER = env("DANGJIAN_SMS_GATEWAY_TOKEN_HEADER", "X-Api-Token")
DANGJIAN_NOTIFY_HTTP_TIMEOUT = float(env("DANGJIAN_NOTIFY_HTTP_TIMEOUT", "10"))
DANGJIAN_NOTIFY_USER_CHANNELS = env_list("DANGJIAN_NOTIFY_USER_CHANNELS", "inbox,console")
DANGJIAN_NOTIFY_QUIET_HOURS = env("DANGJIAN_NOTIFY_QUIET_HOURS", "22:00-07:00")
DANGJIAN_NOTIFY_QUIET_CHANNELS = env_list("DANGJIAN_NOTIFY_QUIET_CHANNELS", "email,sms,wecom")
DANGJIAN_NOTIFY_RETRY_MINUTES = [
    int(m) for m in env_list("DANGJIAN_NOTIFY_RETRY_MINUTES", "1,5,30,120")
]
