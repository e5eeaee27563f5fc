"""The embedded default: one machine, SQLite, in-memory channel layer, console email."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="local-only-not-secret-0c1b9e7f3a5d4e8b9f2a6c1d7e4b3a9f")
CENSUS_HMAC_KEY = env("CENSUS_HMAC_KEY", default="local-only-census-key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# seed_demo only creates accounts with known passwords when this is on.
DEMO_ACCOUNTS = True
# Serve static files straight from the apps (no collectstatic needed for `make run`).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
