"""Settings for the platform.

Everything that differs between a laptop and production comes from the environment:
DATABASE_URL (and DATABASE_PREPARED_STATEMENTS), REDIS_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DANGJIAN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use SECRET_KEY from the environment, else one generated once per installation."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("DEBUG", "1") == "1"
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
# Set when a reverse proxy in front overwrites X-Real-IP with the client's address.
TRUST_X_REAL_IP = os.environ.get("TRUST_X_REAL_IP") == "1"
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "axes",
    "dangjian.core",
    "dangjian.accounts",
    "dangjian.orgs",
    "dangjian.campaigns",
    "dangjian.deeds",
    "dangjian.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dangjian.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dangjian.core.middleware.RequestContextMiddleware",
    # AxesMiddleware must stay last: it turns a locked-out login into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "dangjian" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dangjian.accounts.context_processors.user_capabilities",
            ],
        },
    },
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        database = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        if database["ENGINE"] == "django.db.backends.postgresql":
            # Options in the URL (?sslmode=require…) come on top.
            database["OPTIONS"] = {**_postgresql_options(), **database.get("OPTIONS", {})}
        return database
    # SQLite: IMMEDIATE transactions so writers queue instead of failing on upgrade,
    # WAL so readers do not block writers, and a file test database so threads share it.
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "db.sqlite3",
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        },
        "TEST": {"NAME": str(VAR_DIR / "test.sqlite3")},
    }


def _postgresql_options() -> dict:
    """Parameters bound by the server, and a statement prepared once it has run 5 times on a
    connection: every request repeats the same few queries (session, user, grants; a scan's
    reads and writes), which PostgreSQL then stops parsing and planning each time. Behind a
    pooler that cannot keep prepared statements (PgBouncer in transaction mode before 1.21),
    set DATABASE_PREPARED_STATEMENTS=0."""
    prepared = os.environ.get("DATABASE_PREPARED_STATEMENTS", "1") != "0"
    return {"server_side_binding": True, "prepare_threshold": 5 if prepared else None}


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }

AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses locked-out credentials before any backend checks a password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Members log in by phone or ID number, staff by username.
    "dangjian.accounts.backends.IdentifierBackend",
]
# Lockout (django-axes): 5 failures in a row lock the account for 15 minutes, whichever
# identifier (phone, ID number, username) was typed; a success resets the count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "dangjian.accounts.backends.account_key"
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lock ends 15 minutes after it began
AXES_LOCKOUT_CALLABLE = "dangjian.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "dangjian.core.middleware.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # successful log-ins are in the audit log
# axes.W006 asks to lock IP addresses too: an office behind one NAT address would then be
# locked out by five typos. Failures are summed per account over every IP and user agent,
# and LOGIN_FAILURES_PER_IP limits each address on its own.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Besides the per-account lock: one IP address gets at most this many failed log-ins a window.
LOGIN_FAILURES_PER_IP = 30
LOGIN_FAILURE_WINDOW = 15 * 60  # seconds
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "dangjian.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_HTTPONLY = True
# Members who hold no other role stay logged in on their phones this long (accounts.signals);
# everyone else has SESSION_COOKIE_AGE (Django's two weeks).
MEMBER_SESSION_AGE = int(timedelta(days=30).total_seconds())
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "dangjian" / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns about a missing root before collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# In development WhiteNoise serves straight from the apps' static folders; production runs
# `collectstatic` and serves the hashed, compressed copies.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Members list and other long lists show this many rows a page.
PAGE_SIZE = 20

# Uploaded photos (core.images): bytes before reading, pixels before decoding.
PHOTO_MAX_BYTES = int(os.environ.get("PHOTO_MAX_BYTES", 10 * 1024 * 1024))
PHOTO_MAX_PIXELS = 40_000_000
PHOTOS_PER_ACTIVITY = 30
DOCUMENT_MAX_BYTES = int(os.environ.get("DOCUMENT_MAX_BYTES", 20 * 1024 * 1024))

# Deeds (deeds.queries.escalation_of): blue when due within this many days, orange when
# overdue, red when overdue by more than this many days.
DEED_DUE_SOON_DAYS = 3
DEED_RED_AFTER_DAYS = 7

# Imported workbooks (core.spreadsheets): an upload is refused beyond these. The unpacked size
# and entry count stop zip bombs; rows and cells bound the memory one import takes.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", 20 * 1024 * 1024))
IMPORT_MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
IMPORT_MAX_ZIP_ENTRIES = 1000
IMPORT_MAX_ROWS = 100_000
IMPORT_MAX_CELLS = 3_000_000  # e.g. 100,000 rows of 30 columns

# Service requests (群众诉求): intake limits, as (hits, window in seconds). A phone is limited per
# address it writes from, so flooding from elsewhere never refuses its owner; past
# REQUEST_PHONE_REVIEW_AFTER requests a day from anywhere, a phone's new requests go to the
# operator's review queue instead (see deeds.request_services.submit_request).
REQUEST_IP_LIMIT = (20, 3600)
REQUEST_PHONE_LIMIT = (10, 86400)
REQUEST_PHONE_REVIEW_AFTER = (10, 86400)
# Tracking look-ups that fail (wrong number or digits), per address.
REQUEST_TRACKING_FAILURE_LIMIT = (20, 900)
REQUEST_PHOTOS_MAX = 4
# How long a closed request's personal data (phone, name, IP, photos) is kept; the intake
# page's privacy notice states it.
REQUEST_RETENTION_YEARS = 3
