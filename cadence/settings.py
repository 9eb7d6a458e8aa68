"""Cadence settings: one module, driven entirely by the environment.

Production differs from the demo only in its environment; `.env.example` lists every variable.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import django_stubs_ext
import environ

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent
env = environ.Env()

CADENCE_HOME = Path(env.str("CADENCE_HOME", default=str(Path.cwd() / "var"))).resolve()
CADENCE_HOME.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use SECRET_KEY if set; otherwise generate one once and keep it in CADENCE_HOME."""
    configured: str = env.str("SECRET_KEY", default="")
    if configured:
        return configured
    key_file = CADENCE_HOME / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("DEBUG", default=False)
TESTING = env.bool("CADENCE_TESTING", default=False)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL: str = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "huey.contrib.djhuey",
    "ninja",  # serves Swagger UI from our own static files, not a CDN
    "cadence.core",
    "cadence.accounts",
    "cadence.courses",
    "cadence.content",
    "cadence.progress",
    "cadence.assessment",
    "cadence.notifications",
    "cadence.community",
    "cadence.messaging",
    "cadence.privacy",
    "cadence.families",
    "cadence.insights",
]

MIDDLEWARE = [
    "cadence.core.middleware.RequestArrivalMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "cadence.core.middleware.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cadence.core.middleware.NoStoreForSignedInMiddleware",
    "cadence.core.middleware.LoginRequiredMiddleware",
    "cadence.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cadence.urls"
WSGI_APPLICATION = "cadence.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cadence.notifications.context_processors.unread_notifications",
            ],
            "builtins": [
                "django.templatetags.i18n",
                "django.templatetags.static",
                "template_partials.templatetags.partials",
                "cadence.core.templatetags.cadence",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
SQLITE_PATH = CADENCE_HOME / "cadence.sqlite3"
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{SQLITE_PATH}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer commits; IMMEDIATE avoids lock upgrades failing.
    # synchronous=FULL: a commit is on disk before a receipt is shown, even if the machine loses power.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
# Connections are kept between requests (opening a SQLite one with its pragmas costs 2-3 ms, a PostgreSQL one
# more) and checked before reuse, so a server restarted under a web process costs one failed check, not errors.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, background work --------------------------------------------------------
REDIS_URL: str = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # Read from Redis, written through to the database: a Redis restart signs nobody out (ADR 0011).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # A local cache is per process: a session signed out in one web worker would live on in another's
    # memory, so without Redis sessions stay in the database (ADR 0011).
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

HUEY_IMMEDIATE = env.bool("HUEY_IMMEDIATE", default=TESTING)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "cadence",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "cadence",
        "filename": str(CADENCE_HOME / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
    }

# --- Accounts and security -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests that do not test hashing use a fast hasher.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Failed sign-ins (cadence/accounts/throttle.py): locked per account-and-address pair after
# SIGNIN_FAILURE_LIMIT failures, and per address or per account only after much higher limits, so one
# pupil's typos never lock out a whole school behind one address. The same answer is given whether or
# not the account exists.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_HANDLER = "cadence.accounts.throttle.SignInLockoutHandler"
AXES_FAILURE_LIMIT = env.int("SIGNIN_FAILURE_LIMIT", default=5)
SIGNIN_ADDRESS_FAILURE_LIMIT = env.int("SIGNIN_ADDRESS_FAILURE_LIMIT", default=50)
SIGNIN_ACCOUNT_FAILURE_LIMIT = env.int("SIGNIN_ACCOUNT_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = env.float("SIGNIN_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/signin_locked.html"
AXES_USERNAME_CALLABLE = "cadence.accounts.throttle.username_from_request"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)
# Password reset requests per hour: per recipient, and per client address.
PASSWORD_RESET_PER_RECIPIENT_HOURLY = env.int("PASSWORD_RESET_PER_RECIPIENT_HOURLY", default=3)
PASSWORD_RESET_PER_ADDRESS_HOURLY = env.int("PASSWORD_RESET_PER_ADDRESS_HOURLY", default=20)
# Wrong enrolment codes per hour: per user, and per client address (a whole class joins from one).
ENROLMENT_CODE_FAILURES_PER_USER_HOURLY = env.int("ENROLMENT_CODE_FAILURES_PER_USER_HOURLY", default=10)
ENROLMENT_CODE_FAILURES_PER_ADDRESS_HOURLY = env.int("ENROLMENT_CODE_FAILURES_PER_ADDRESS_HOURLY", default=60)

SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "cadence.core.views.csrf_failure"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from a meta tag, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
HTTPS = env.bool("HTTPS", default=not DEBUG and SITE_URL.startswith("https://"))
if HTTPS:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading commits the whole domain to HTTPS for good; the operator opts in, we don't.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No inline scripts or styles anywhere: everything comes from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        # Teachers may give a video's outside http(s) address; media cannot run script.
        "media-src": ["'self'", "https:", "http:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Email ------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.smtp.EmailBackend"
        if env.str("EMAIL_HOST", default="")
        else "django.core.mail.backends.console.EmailBackend"
    ),
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)  # seconds; below the notification delivery lease
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Cadence <cadence@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation and time ------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr", "Français"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- Static and media -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = CADENCE_HOME / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(CADENCE_HOME / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = TESTING or DEBUG
# Look static files up when asked instead of listing them all when the middleware starts: the test client
# starts the middleware again for every test, and listing every file (with a stat of each and of its
# compressed variants) was a fifth of a typical view test's time.
WHITENOISE_AUTOREFRESH = TESTING or DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Cadence ------------------------------------------------------------------------------------
ROSTER_MAX_BYTES = 1024 * 1024
ROSTER_MAX_ROWS = 5000
INVITATION_DAYS = env.int("INVITATION_DAYS", default=14)
# Deleted courses, modules and items stay in the archive, whole with all learner work, at least this many
# days; only then may a site administrator purge them (`cadence purge_archive`, or the admin action).
ARCHIVE_RETENTION_DAYS = env.int("ARCHIVE_RETENTION_DAYS", default=365)
# How often an open item page reports active time (the server credits at most 30 s a beat).
HEARTBEAT_SECONDS = env.int("HEARTBEAT_SECONDS", default=15)
# A learner reopening the item they are already on within this many minutes of its last record writes nothing
# (ADR 0012): the record of a view is at most this old; first views, completions and moves are written at once.
VIEW_REFRESH_MINUTES = env.int("VIEW_REFRESH_MINUTES", default=5)
# Lesson images, videos and caption files (content app). Web servers in front must allow the video size too.
CONTENT_IMAGE_MAX_BYTES = env.int("CONTENT_IMAGE_MAX_MB", default=5) * 1024 * 1024
CONTENT_VIDEO_MAX_BYTES = env.int("CONTENT_VIDEO_MAX_MB", default=500) * 1024 * 1024
CONTENT_CAPTION_MAX_BYTES = env.int("CONTENT_CAPTION_MAX_KB", default=1024) * 1024
CONTENT_RESOURCE_MAX_BYTES = env.int("CONTENT_RESOURCE_MAX_MB", default=50) * 1024 * 1024
# Data rights (privacy app): how long a copy of someone's data may be downloaded, and how long the school keeps
# a deleted account's submissions, attempts and grades (under "Former member") before they are purged too.
DATA_EXPORT_DAYS = env.int("DATA_EXPORT_DAYS", default=7)
CADENCE_DELETED_ACCOUNT_RETENTION_DAYS = env.int("DELETED_ACCOUNT_RETENTION_DAYS", default=365)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
