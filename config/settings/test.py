"""Tests: DATABASE_URL when set (CI points it at PostgreSQL), SQLite otherwise."""

import os
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import BASE_DIR, REDIS_URL, env, sqlite_for_concurrent_writers

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production-5e2c8f1a"
CENSUS_HMAC_KEY = "test-census-key"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
DATABASES = {
    "default": sqlite_for_concurrent_writers(
        env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'test.sqlite3'}")
    ),
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": BASE_DIR / "test-db.sqlite3"}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / ".test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DEMO_ACCOUNTS = True
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tasks run at once, in the caller's thread; tests/core runs the database backend's worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Cast-pool threads close their connections after each cast in tests (a kept connection would
# outlive the test database and block dropping it).
PB_LIVE_POOL_CONN_MAX_AGE = 0

# pytest-xdist (`make test` runs two workers): pytest-django gives each worker its own test
# database; give each its own Redis database too, or channel groups, throttle counters and the
# live layer's window locks would cross between workers. Servers the tests start as
# subprocesses inherit the already-shifted URL and the marker, so they are not shifted again.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _XDIST_WORKER.startswith("gw") and not os.environ.get("PC_REDIS_PER_WORKER"):
    _redis = urlsplit(REDIS_URL)
    _base_db = int(_redis.path.lstrip("/") or 0)
    REDIS_URL = urlunsplit(_redis._replace(path=f"/{(_base_db + int(_XDIST_WORKER[2:])) % 16}"))
    os.environ["REDIS_URL"] = REDIS_URL
    os.environ["PC_REDIS_PER_WORKER"] = "1"
# Redis' pub/sub channels belong to no database: the live layer's groups are named per worker
# as well, or a socket of one worker hears another's process of the same id (and PUBSUB NUMSUB
# counts the other worker's listeners).
if REDIS_URL and _XDIST_WORKER.startswith("gw"):
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"asgi-{_XDIST_WORKER}"},
        },
        "live": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"asgi-{_XDIST_WORKER}"},
        },
    }
