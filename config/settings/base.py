"""Settings shared by every environment. Environment-specific modules import * from here."""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    # Project apps first so their templates override third-party ones.
    "core",
    "audit",
    "citizens",
    "proposals",
    "accords",
    "budgeting",
    "budgeting.live",
    "assemblies",
    "assemblies.motions",
    "assemblies.records",
    "implementation",
    "contributions",
    "cms",
    "follows",
    "comments",
    "search",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    # django-ninja's own static files: /api/docs serves Swagger UI from here, not from a CDN.
    "ninja",
    # Background tasks: Django's tasks API (backport) and its database backend. Not last:
    # citizens' role groups are synced after each app's post_migrate, and the last app's
    # permissions would be created after that sync.
    "django_tasks",
    "django_tasks_db",
    # Accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Others
    "django_filters",
    "channels",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.staticfiles.AsyncWhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.context_processors.navigation",
                "core.context_processors.workspace",
            ],
        },
    },
]

WSGI_APPLICATION = None
ASGI_APPLICATION = "config.asgi.application"


def sqlite_for_concurrent_writers(database: dict) -> dict:
    """SQLite (the embedded default) tuned so concurrent writers wait instead of failing.

    WAL lets readers go on while one connection writes; the busy timeout makes a writer wait
    for the lock; IMMEDIATE transactions (Django 5.1+) take the write lock when the transaction
    begins, so two transactions that read then write cannot deadlock on the lock upgrade,
    which SQLite answers at once with "database is locked" whatever the timeout.
    """
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("OPTIONS", {}).update(
            {
                "transaction_mode": "IMMEDIATE",
                "timeout": env.int("SQLITE_TIMEOUT", default=20),
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            }
        )
    return database


DATABASES = {
    "default": sqlite_for_concurrent_writers(
        env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
    ),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "citizens.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
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

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("it", _("Italian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Europe/Rome")
USE_I18N = True
USE_TZ = True
# One date, time and number format per language (config/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# The site's address and name, for links and the voice of every email. One setting each:
# core keeps the Sites framework's row in sync after migrate, and `check --deploy` refuses an
# unset or example.com address in production.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_DOMAIN = urlsplit(SITE_URL).netloc
SITE_NAME = env("SITE_NAME", default="PartnerCity")
SITE_ID = 1
LOGIN_URL = "account_login"
# Staff land on the dashboard of their roles, residents on their own page (core.views).
LOGIN_REDIRECT_URL = "core:workspace"

# django-allauth: email is the login, and it must be verified.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# One adapter: login back-off (citizens.adapter) over the queued, localised emails
# (core.emails.AccountAdapter, which it extends).
ACCOUNT_ADAPTER = "citizens.adapter.AccountAdapter"
# Failed logins back off per (account, address) pair and per address (citizens/adapter.py):
# from the 5th failure of a pair (the 30th of an address) each failure closes it for 30 s,
# doubled each time up to an hour. allauth's own per-email limit is off: it let anyone who
# knows an email lock its owner out; its per-address one stays as a flat backstop.
LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS = env.int("LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS", 5)
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", 30)
LOGIN_BACKOFF_SECONDS = env.int("LOGIN_BACKOFF_SECONDS", 30)
LOGIN_BACKOFF_MAX_SECONDS = env.int("LOGIN_BACKOFF_MAX_SECONDS", 3600)
ACCOUNT_RATE_LIMITS = {
    "login_failed": "100/15m/ip",
    "signup": "20/h/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_SIGNUP_FORM_CLASS = "citizens.forms.SignupExtraForm"
ACCOUNT_FORMS = {}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]

# Census identities are HMAC-SHA256(key, normalised document id | birth date). The raw id is
# never stored; rotating the key means re-importing the census.
CENSUS_HMAC_KEY = env("CENSUS_HMAC_KEY", default="")
# Residency verification attempts allowed per account and per IP in the window (seconds).
RESIDENCY_ATTEMPTS = env.int("RESIDENCY_ATTEMPTS", default=5)
RESIDENCY_WINDOW = env.int("RESIDENCY_WINDOW", default=900)

# Channels and the cache (throttling counters, coalescing): Redis when REDIS_URL is set,
# otherwise in-memory, which only works with one server process.
REDIS_URL = env("REDIS_URL", default="")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Live voting fans one message out to many sockets: with Redis, a pub/sub layer publishes it
# once per process instead of once per socket (docs/decisions/003-live-voting.md).
CHANNEL_LAYERS["live"] = (
    {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}
    if REDIS_URL
    else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
)

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"{SITE_NAME} <noreply@partnercity.local>")

# Background tasks (docs/decisions/005-tasks.md): rows in the database, run by
# `manage.py db_worker` (started by `make run`, its own process in production). A task that
# raises is tried again after each of these delays (seconds), then marked failed.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
TASK_RETRY_DELAYS = [30, 120, 600, 3600]

# Notification digests (follows app, `manage.py send_digests`): the daily digest leaves from
# this local hour, the weekly one from that hour on this weekday (0 = Monday). Unsubscribe
# links in emails stay valid this many seconds.
DIGEST_HOUR = env.int("DIGEST_HOUR", default=7)
DIGEST_WEEKDAY = env.int("DIGEST_WEEKDAY", default=0)
UNSUBSCRIBE_TOKEN_MAX_AGE = env.int("UNSUBSCRIBE_TOKEN_MAX_AGE", default=180 * 24 * 3600)

# Wagtail
WAGTAIL_SITE_NAME = SITE_NAME
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default=SITE_URL)
# Pages in English and Italian (docs/decisions/010-cms-languages.md): one page tree per
# locale, translated with Wagtail's simple translation; the language comes from the
# interface's own choice (LocaleMiddleware: cookie, profile), so a page keeps its address.
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# Wagtail's database backend; on PostgreSQL it stems every text in English and in Italian
# (search/backend.py). After changing SEARCH_CONFIGS, run `manage.py update_index`.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "search.backend", "SEARCH_CONFIGS": ["english", "italian"]}
}
# No avatars fetched from gravatar.com: no third-party requests (privacy, and the admin's CSP).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILDOCS_EXTENSIONS = ["csv", "pdf", "txt", "odt", "docx", "xlsx"]

# Content-Security-Policy (config/csp.py). Pages load nothing from another host: maps show their
# markers on a plain background unless a city sets a tile server it runs or has an agreement
# with, e.g. PROPOSALS_MAP_TILES=https://tiles.example.org/{z}/{x}/{y}.png (its origin is then
# allowed for images).
PROPOSALS_MAP_TILES = env("PROPOSALS_MAP_TILES", default="")
_TILES_ORIGIN = "/".join(PROPOSALS_MAP_TILES.split("/")[:3]) if "://" in PROPOSALS_MAP_TILES else ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *filter(None, [_TILES_ORIGIN])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# The Django and Wagtail admins use inline styles and scripts: same origin, inline allowed.
CSP_ADMIN_PREFIXES = ["/django-admin/", "/cms-admin/"]
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:", *filter(None, [_TILES_ORIGIN])],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    },
}

# WebSocket Origin check (config/websocket.py): origins allowed besides the page's own, with
# scheme and port, e.g. "https://live.example.org" or "https://*.example.org".
WEBSOCKET_ALLOWED_ORIGINS = env.list("WEBSOCKET_ALLOWED_ORIGINS", default=[])

# Contributions: the hourly rate of the equivalent value of volunteer hours (an estimate, in
# euros), and the days after which unconfirmed entries remind the people who confirm them.
CONTRIBUTIONS_HOURLY_RATE = env("CONTRIBUTIONS_HOURLY_RATE", default="15.00")
CONTRIBUTIONS_CONFIRM_DAYS = env.int("CONTRIBUTIONS_CONFIRM_DAYS", default=14)

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# Sections in the main menu (url name, label); a section whose URL is not installed is skipped.
PRIMARY_NAV = [
    ("proposals:resource-list", _("Resources")),
    ("proposals:claim-list", _("Claims")),
    ("accords:accord-list", _("Accords")),
    ("budgeting:process-list", _("Budgeting")),
    ("assemblies:assembly-list", _("Assemblies")),
]
