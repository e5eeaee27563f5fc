"""Production: everything from the environment. Fails loudly when something is missing."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
CENSUS_HMAC_KEY = env("CENSUS_HMAC_KEY")
if len(SECRET_KEY) < 50 or len(CENSUS_HMAC_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY (50+ chars) and CENSUS_HMAC_KEY (32+) must be set.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
DATABASES = {"default": env.db("DATABASE_URL")}
# Under ASGI every request runs its sync code in a thread of its own, so a persistent
# connection (CONN_MAX_AGE > 0) is left idle in a thread nobody reuses: 30 requests leave a
# dozen idle PostgreSQL connections until max_connections refuses everyone. Django's advice
# under ASGI is to close each connection after its request (CONN_MAX_AGE=0) and to pool
# outside the worker: DATABASE_POOLER=pgbouncer (PgBouncer in transaction mode in front of
# PostgreSQL; connections to PgBouncer are cheap) or DATABASE_POOLER=psycopg (Django's own
# pool, psycopg 3 with its pool extra). See the README's deployment section.
DATABASE_POOLER = env("DATABASE_POOLER", default="")
if DATABASE_POOLER not in ("", "pgbouncer", "psycopg"):
    raise ImproperlyConfigured("DATABASE_POOLER must be empty, 'pgbouncer' or 'psycopg'.")
CONN_MAX_AGE = env.int("CONN_MAX_AGE", default=0)
if CONN_MAX_AGE and DATABASE_POOLER != "pgbouncer":
    raise ImproperlyConfigured(
        "CONN_MAX_AGE > 0 leaks one idle database connection per request under ASGI; "
        "keep it 0, or put PgBouncer in front of PostgreSQL and set DATABASE_POOLER=pgbouncer."
    )
DATABASES["default"]["CONN_MAX_AGE"] = CONN_MAX_AGE
# Checked before reuse: the live cast pool keeps its connections (PB_LIVE_POOL_CONN_MAX_AGE).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASE_POOLER == "pgbouncer":
    # Transaction pooling hands each transaction any server connection: no server-side cursors.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
elif DATABASE_POOLER == "psycopg":
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN", default=2),
        "max_size": env.int("DATABASE_POOL_MAX", default=10),
        "timeout": env.int("DATABASE_POOL_TIMEOUT", default=10),
    }
if not REDIS_URL:  # noqa: F405
    raise ImproperlyConfigured("REDIS_URL must be set: the channel layer spans processes.")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("CACHE_URL", default=REDIS_URL),  # noqa: F405
    }
}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Proxies in front of the workers, so login throttling keys on the client's address from
# X-Forwarded-For rather than on the proxy's (0: REMOTE_ADDR is the client's).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT", default=0)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DEMO_ACCOUNTS = False
# The public address (https://partecipa.example.org): links in emails, allauth's Site row.
# Left unset, `check --deploy` fails (core.checks) instead of mailing example.com links.
SITE_URL = env("SITE_URL", default="").rstrip("/")
SITE_DOMAIN = urlsplit(SITE_URL).netloc
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default=SITE_URL)
LOGGING["root"]["level"] = env("LOG_LEVEL", default="INFO")  # noqa: F405

# Live voting (defaults in live/conf.py; docs/decisions/003-live-voting.md).
PB_LIVE_CAST_THREADS = env.int("PB_LIVE_CAST_THREADS", default=4)
PB_LIVE_COALESCE_MS = env.int("PB_LIVE_COALESCE_MS", default=150)
LIVE_MEETING_COALESCE_MS = env.int("LIVE_MEETING_COALESCE_MS", default=150)
